// licensemint-verify for browsers, Electron renderers, Deno, workers and Node ≥ 18: Ed25519
// through WebCrypto (`crypto.subtle`), so every call that touches crypto is async.

import {
  encodeBase64Url, expectedPrefix, parseToken, publicKeyBytes, readClaims, resolveNow, result,
} from './core.js';

export { MAX_LENGTH, KEY_PREFIX, LEASE_PREFIX } from './core.js';

function defaultSubtle() {
  const subtle = globalThis.crypto && globalThis.crypto.subtle;
  if (!subtle) {
    throw new Error('WebCrypto is not available here (crypto.subtle needs a secure context); pass options.subtle');
  }
  return subtle;
}

/**
 * Loads a published public key (base64url of the raw 32 bytes; standard base64 also
 * accepted). Rejects when this runtime's WebCrypto has no Ed25519.
 */
export async function loadPublicKey(text, options = {}) {
  const subtle = options.subtle || defaultSubtle();
  const raw = publicKeyBytes(text);
  const key = await subtle.importKey('raw', raw, { name: 'Ed25519' }, false, ['verify']);
  const digest = new Uint8Array(await subtle.digest('SHA-256', raw));
  return Object.freeze({ kid: encodeBase64Url(digest.subarray(0, 8)), raw, key });
}

async function toKeyMap(publicKeys, subtle) {
  const list = Array.isArray(publicKeys) ? publicKeys : [publicKeys];
  const loaded = await Promise.all(
    list.map((item) => (item && typeof item === 'object' && item.key && item.kid ? item : loadPublicKey(item, { subtle }))),
  );
  return new Map(loaded.map((k) => [k.kid, k.key]));
}

async function check(token, keys, kind, now, subtle) {
  const prefix = expectedPrefix(kind);
  const parts = parseToken(token, prefix);
  if (parts.error) return parts.error;
  const key = keys.get(parts.kid);
  if (!key) return result('BAD_SIGNATURE', 'unknown key id', null, parts.kid);
  if (!(await subtle.verify({ name: 'Ed25519' }, key, parts.signature, parts.signed))) {
    return result('BAD_SIGNATURE', 'bad signature', null, parts.kid);
  }
  return readClaims(parts.payload, prefix, parts.kid, resolveNow(now));
}

/**
 * A verifier for a list of public keys. `options.now` (Unix seconds, or a function returning
 * them) replaces the system clock; `options.subtle` replaces `globalThis.crypto.subtle`.
 */
export async function createVerifier(publicKeys, options = {}) {
  const subtle = options.subtle || defaultSubtle();
  const keys = await toKeyMap(publicKeys, subtle);
  const clock = (opts) => {
    const now = opts && opts.now !== undefined ? opts.now : options.now;
    return typeof now === 'function' ? now() : now;
  };
  return Object.freeze({
    kids: Object.freeze([...keys.keys()]),
    verifyKey: (token, opts) => check(token, keys, 'key', clock(opts), subtle),
    verifyLease: (token, opts) => check(token, keys, 'lease', clock(opts), subtle),
  });
}

export async function verifyKey(token, publicKeys, options) {
  return (await createVerifier(publicKeys, options)).verifyKey(token);
}

export async function verifyLease(token, publicKeys, options) {
  return (await createVerifier(publicKeys, options)).verifyLease(token);
}

/** Lowercase hex SHA-256 of the UTF-8 bytes of a machine fingerprint: compare to a lease's `machine`. */
export async function machineHash(fingerprint, options = {}) {
  if (typeof fingerprint !== 'string') throw new TypeError('the fingerprint is a string');
  const subtle = options.subtle || defaultSubtle();
  const digest = new Uint8Array(await subtle.digest('SHA-256', new TextEncoder().encode(fingerprint)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}
