// Types for licensemint-verify (Node.js entry, synchronous, node:crypto) and the types shared
// with the WebCrypto entry (web.d.ts).

/** The offline answers; only the server can also say REVOKED, SUSPENDED or UNKNOWN. */
export type Code = 'VALID' | 'EXPIRED' | 'BAD_SIGNATURE' | 'MALFORMED';

/** JSON values as the payload decodes them. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [name: string]: JsonValue };

/** The claims of a license key (prefix LIC1); unknown claims are kept as they were decoded. */
export interface KeyClaims {
  /** Format version, always 1. */
  v: 1;
  /** License id. */
  lid: string;
  /** Product id from the seller's catalog. */
  product: string;
  /** Tier id. */
  tier: string;
  /** How many machines the license may activate. */
  seats: number;
  /** Issued at, Unix seconds (UTC). */
  iat: number;
  /** Expiry, Unix seconds (UTC); absent or null = perpetual; expired when now >= exp. */
  exp?: number | null;
  /** A Gumroad test purchase: treat as valid, and you may show "test license". Absent = false. */
  test?: boolean;
  /** Licensee name; absent when the seller leaves names out. */
  name?: string;
  [claim: string]: JsonValue | undefined;
}

/** The claims of a machine lease (prefix LEASE1). */
export interface LeaseClaims {
  v: 1;
  lid: string;
  product: string;
  tier: string;
  /** Lowercase hex SHA-256 of the machine fingerprint: compare with machineHash(yourFingerprint). */
  machine: string;
  iat: number;
  /** Lease expiry, Unix seconds (UTC); always present. */
  exp: number;
  test?: boolean;
  [claim: string]: JsonValue | undefined;
}

/** The outcome of one verification; never thrown, always returned. */
export interface Result<C> {
  readonly code: Code;
  /** code === 'VALID'. */
  readonly valid: boolean;
  /** Why, for logs and support: "ok", "expired", "unknown key id", "bad signature", or what is malformed. */
  readonly reason: string;
  /** The whole decoded payload for VALID and EXPIRED; null otherwise. */
  readonly claims: C | null;
  /** The key id named by the token, once it could be read. */
  readonly kid: string | null;
}

export type KeyResult = Result<KeyClaims>;
export type LeaseResult = Result<LeaseClaims>;

/**
 * "Now" for expiry checks: Unix seconds, a Date, or a function returning Unix seconds.
 * Absent: the system clock.
 */
export type Now = number | Date | (() => number | Date);

/** A public key as published by `GET /v1/keys` and `licensemint keygen`: base64url (no
 * padding) of the raw 32 bytes; standard base64 with padding is accepted too. Raw bytes work. */
export type PublicKeyInput = string | Uint8Array;

export const MAX_LENGTH: 4096;
export const KEY_PREFIX: 'LIC1';
export const LEASE_PREFIX: 'LEASE1';

// The Node.js entry: node:crypto, synchronous.

export interface PublicKey {
  /** base64url(SHA-256(raw)[0:8]): the kid that tokens signed with this key carry. */
  readonly kid: string;
  readonly raw: Uint8Array;
  readonly key: import('node:crypto').KeyObject;
}

export interface VerifyOptions {
  now?: Now;
}

export interface Verifier {
  /** The kids of the loaded public keys. */
  readonly kids: readonly string[];
  verifyKey(token: string, options?: VerifyOptions): KeyResult;
  verifyLease(token: string, options?: VerifyOptions): LeaseResult;
}

/** Throws a TypeError for anything but a 32-byte Ed25519 public key in a supported encoding. */
export function loadPublicKey(text: PublicKeyInput): PublicKey;
export function createVerifier(publicKeys: PublicKeyInput | PublicKey | ReadonlyArray<PublicKeyInput | PublicKey>, options?: VerifyOptions): Verifier;
export function verifyKey(token: string, publicKeys: PublicKeyInput | PublicKey | ReadonlyArray<PublicKeyInput | PublicKey>, options?: VerifyOptions): KeyResult;
export function verifyLease(token: string, publicKeys: PublicKeyInput | PublicKey | ReadonlyArray<PublicKeyInput | PublicKey>, options?: VerifyOptions): LeaseResult;
/** Lowercase hex SHA-256 of the UTF-8 bytes of a fingerprint; a lease is for this machine only when it equals the lease's `machine`. */
export function machineHash(fingerprint: string): string;
