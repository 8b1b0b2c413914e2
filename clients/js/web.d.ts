// Types for licensemint-verify's WebCrypto entry (browsers, Electron renderers, workers,
// Node ≥ 18): every call that touches crypto returns a Promise.

import type { KeyResult, LeaseResult, Now, PublicKeyInput } from './index.js';

export type {
  Code, JsonValue, KeyClaims, KeyResult, LeaseClaims, LeaseResult, Now, PublicKeyInput, Result,
} from './index.js';

export const MAX_LENGTH: 4096;
export const KEY_PREFIX: 'LIC1';
export const LEASE_PREFIX: 'LEASE1';

export interface WebCryptoOptions {
  /** Default: globalThis.crypto.subtle (needs a secure context in browsers). */
  subtle?: SubtleCrypto;
}

export interface WebVerifyOptions extends WebCryptoOptions {
  now?: Now;
}

export interface WebPublicKey {
  readonly kid: string;
  readonly raw: Uint8Array;
  readonly key: CryptoKey;
}

export interface WebVerifier {
  readonly kids: readonly string[];
  verifyKey(token: string, options?: { now?: Now }): Promise<KeyResult>;
  verifyLease(token: string, options?: { now?: Now }): Promise<LeaseResult>;
}

/** Rejects with a TypeError for a bad encoding, or with WebCrypto's error when it lacks Ed25519. */
export function loadPublicKey(text: PublicKeyInput, options?: WebCryptoOptions): Promise<WebPublicKey>;
export function createVerifier(publicKeys: PublicKeyInput | WebPublicKey | ReadonlyArray<PublicKeyInput | WebPublicKey>, options?: WebVerifyOptions): Promise<WebVerifier>;
export function verifyKey(token: string, publicKeys: PublicKeyInput | WebPublicKey | ReadonlyArray<PublicKeyInput | WebPublicKey>, options?: WebVerifyOptions): Promise<KeyResult>;
export function verifyLease(token: string, publicKeys: PublicKeyInput | WebPublicKey | ReadonlyArray<PublicKeyInput | WebPublicKey>, options?: WebVerifyOptions): Promise<LeaseResult>;
export function machineHash(fingerprint: string, options?: WebCryptoOptions): Promise<string>;
