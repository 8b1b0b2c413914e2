// licensemint-verify for Node.js ≥ 18: synchronous, Ed25519 through node:crypto.

import { createHash, createPublicKey, verify as ed25519Verify } from 'node:crypto';
import {
  encodeBase64Url, expectedPrefix, parseToken, publicKeyBytes, readClaims, resolveNow, result,
} from './core.js';

export { MAX_LENGTH, KEY_PREFIX, LEASE_PREFIX } from './core.js';

// SubjectPublicKeyInfo DER header for an Ed25519 key (RFC 8410); the raw 32 bytes follow.
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Loads a published public key (base64url of the raw 32 bytes; standard base64 also accepted). */
export function loadPublicKey(text) {
  const raw = publicKeyBytes(text);
  const key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
  const kid = encodeBase64Url(createHash('sha256').update(raw).digest().subarray(0, 8));
  return Object.freeze({ kid, raw, key });
}

function toKeyMap(publicKeys) {
  const list = Array.isArray(publicKeys) ? publicKeys : [publicKeys];
  const map = new Map();
  for (const item of list) {
    const loaded = item && typeof item === 'object' && item.key && item.kid ? item : loadPublicKey(item);
    map.set(loaded.kid, loaded.key);
  }
  return map;
}

function check(token, keys, kind, now) {
  const prefix = expectedPrefix(kind);
  const parts = parseToken(token, prefix);
  if (parts.error) return parts.error;
  const key = keys.get(parts.kid);
  if (!key) return result('BAD_SIGNATURE', 'unknown key id', null, parts.kid);
  if (!ed25519Verify(null, parts.signed, key, parts.signature)) {
    return result('BAD_SIGNATURE', 'bad signature', null, parts.kid);
  }
  return readClaims(parts.payload, prefix, parts.kid, resolveNow(now));
}

/**
 * A verifier for a list of public keys. `options.now` (Unix seconds, or a function returning
 * them) replaces the system clock for every call; each call may also pass `{ now }`.
 */
export function createVerifier(publicKeys, options = {}) {
  const keys = toKeyMap(publicKeys);
  const clock = (opts) => {
    const now = opts && opts.now !== undefined ? opts.now : options.now;
    return typeof now === 'function' ? now() : now;
  };
  return Object.freeze({
    kids: Object.freeze([...keys.keys()]),
    verifyKey: (token, opts) => check(token, keys, 'key', clock(opts)),
    verifyLease: (token, opts) => check(token, keys, 'lease', clock(opts)),
  });
}

/** Verifies a license key (LIC1) once; see createVerifier to reuse the loaded keys. */
export function verifyKey(token, publicKeys, options) {
  return createVerifier(publicKeys, options).verifyKey(token);
}

/** Verifies a machine lease (LEASE1) once. */
export function verifyLease(token, publicKeys, options) {
  return createVerifier(publicKeys, options).verifyLease(token);
}

/** Lowercase hex SHA-256 of the UTF-8 bytes of a machine fingerprint: compare to a lease's `machine`. */
export function machineHash(fingerprint) {
  if (typeof fingerprint !== 'string') throw new TypeError('the fingerprint is a string');
  return createHash('sha256').update(fingerprint, 'utf8').digest('hex');
}
