// The crypto-free half of a licensemint verifier: input clean-up, the token grammar,
// canonical base64url, strict JSON and the claim rules of key format 1.0. node.js and web.js
// add the Ed25519 check between `parseToken` and `readClaims`.

import { parseJson } from './json.js';

export const MAX_LENGTH = 4096;
export const KEY_PREFIX = 'LIC1';
export const LEASE_PREFIX = 'LEASE1';
const MAX_SAFE = Number.MAX_SAFE_INTEGER; // 2^53 - 1

/** A verification outcome; `claims` only for VALID and EXPIRED. */
export function result(code, reason, claims = null, kid = null) {
  return Object.freeze({ code, valid: code === 'VALID', reason, claims, kid });
}

const malformed = (reason, kid = null) => result('MALFORMED', reason, null, kid);

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) VALUE[ALPHABET.charCodeAt(i)] = i;

/** Canonical unpadded base64url → bytes, or null (wrong alphabet, padding, 1 mod 4, stray bits). */
export function decodeBase64Url(text) {
  const n = text.length;
  if (n === 0 || n % 4 === 1) return null;
  const out = new Uint8Array(Math.floor((n * 3) / 4));
  let acc = 0, bits = 0, j = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? VALUE[c] : -1;
    if (v < 0) return null;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[j++] = (acc >> bits) & 0xff;
    }
    acc &= (1 << bits) - 1;
  }
  if (acc !== 0) return null; // the unused low bits of the last character must be zero
  return out;
}

export function encodeBase64Url(bytes) {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += ALPHABET[v >> 18] + ALPHABET[(v >> 12) & 63] + ALPHABET[(v >> 6) & 63] + ALPHABET[v & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const v = bytes[i] << 16;
    out += ALPHABET[v >> 18] + ALPHABET[(v >> 12) & 63];
  } else if (rest === 2) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += ALPHABET[v >> 18] + ALPHABET[(v >> 12) & 63] + ALPHABET[(v >> 6) & 63];
  }
  return out;
}

/**
 * A published public key → its raw 32 bytes. Accepts base64url without padding (the
 * published form, 43 characters) or standard base64 with padding (44 characters), both
 * canonical; surrounding ASCII whitespace is ignored.
 */
export function publicKeyBytes(text) {
  if (text instanceof Uint8Array) {
    if (text.length !== 32) throw new TypeError('an Ed25519 public key is 32 bytes');
    return new Uint8Array(text);
  }
  if (typeof text !== 'string') throw new TypeError('a public key is a string or 32 bytes');
  const trimmed = stripAsciiWhitespace(text);
  let raw = null;
  if (trimmed.length === 44 && trimmed.endsWith('=') && !/[-_]/.test(trimmed)) {
    raw = decodeBase64Url(trimmed.slice(0, 43).replace(/\+/g, '-').replace(/\//g, '_'));
  } else if (trimmed.length === 43) {
    raw = decodeBase64Url(trimmed);
  }
  if (raw === null || raw.length !== 32) {
    throw new TypeError('not an Ed25519 public key: expected base64url of the raw 32 bytes (43 characters)');
  }
  return raw;
}

const isStripped = (c) => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;

/** Removes leading and trailing ASCII space, tab, CR and LF — nothing else. */
export function stripAsciiWhitespace(text) {
  let start = 0;
  let end = text.length;
  while (start < end && isStripped(text.charCodeAt(start))) start++;
  while (end > start && isStripped(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}

/**
 * Checks 1–7 of the format: returns `{ error }` (a MALFORMED result) or the parts
 * `{ kid, payload, signature, signed }` with `signed` the ASCII bytes the signature covers.
 */
export function parseToken(input, prefix) {
  if (typeof input !== 'string') return { error: malformed('the key is not a string') };
  const text = stripAsciiWhitespace(input);
  if (text.length === 0) return { error: malformed('empty') };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return { error: malformed('a character outside printable ASCII') };
  }
  // Printable ASCII only from here: one UTF-16 unit per byte.
  if (text.length > MAX_LENGTH) return { error: malformed(`longer than ${MAX_LENGTH} bytes`) };
  const parts = text.split('.');
  if (parts.length !== 4) return { error: malformed('expected 4 dot-separated parts') };
  const [head, kid, payloadText, sigText] = parts;
  if (head !== prefix) return { error: malformed(`expected the prefix ${prefix}`) };
  const kidBytes = decodeBase64Url(kid);
  if (kidBytes === null || kidBytes.length !== 8) return { error: malformed('the key id is not 8 bytes of base64url') };
  const payload = decodeBase64Url(payloadText);
  if (payload === null) return { error: malformed('the payload is not base64url') };
  const signature = decodeBase64Url(sigText);
  if (signature === null || signature.length !== 64) return { error: malformed('the signature is not 64 bytes of base64url') };
  const signedText = `${head}.${kid}.${payloadText}`;
  const signed = new Uint8Array(signedText.length);
  for (let i = 0; i < signedText.length; i++) signed[i] = signedText.charCodeAt(i);
  return { kid, payload, signature, signed };
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const KEY_RULES = { v: 'integer', lid: 'string', product: 'string', tier: 'string', seats: 'integer', iat: 'integer' };
const LEASE_RULES = { v: 'integer', lid: 'string', product: 'string', tier: 'string', machine: 'string', iat: 'integer', exp: 'integer' };
const KEY_OPTIONAL = { exp: 'integer-or-null', test: 'boolean', name: 'string' };
const LEASE_OPTIONAL = { test: 'boolean' };

function hasType(value, kind, rawNumber) {
  switch (kind) {
    case 'string': return typeof value === 'string';
    case 'boolean': return typeof value === 'boolean';
    case 'integer-or-null': if (value === null) return true; // fall through
    case 'integer':
      // Integer claims are JSON integers: no fraction, no exponent, within ±(2^53 − 1).
      return typeof value === 'number' && /^-?(0|[1-9][0-9]*)$/.test(rawNumber) && Math.abs(value) <= MAX_SAFE;
    default: return false;
  }
}

/**
 * Checks 10–13 on a payload whose signature is good: returns a result with the whole
 * decoded payload object as `claims` for VALID and EXPIRED.
 */
export function readClaims(payload, prefix, kid, now) {
  if (payload.length >= 3 && payload[0] === 0xef && payload[1] === 0xbb && payload[2] === 0xbf) {
    return malformed('the payload starts with a byte order mark', kid);
  }
  let text;
  try {
    text = utf8.decode(payload);
  } catch {
    return malformed('the payload is not UTF-8', kid);
  }
  const parsed = parseJson(text);
  if (parsed.error) return malformed(`the payload is not strict JSON: ${parsed.error}`, kid);
  const claims = parsed.value;
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) {
    return malformed('the payload is not a JSON object', kid);
  }
  const lease = prefix === LEASE_PREFIX;
  const required = lease ? LEASE_RULES : KEY_RULES;
  const optional = lease ? LEASE_OPTIONAL : KEY_OPTIONAL;
  const has = (name) => Object.prototype.hasOwnProperty.call(claims, name);
  for (const [name, kind] of Object.entries(required)) {
    if (!has(name) || !hasType(claims[name], kind, parsed.numbers.get(name))) {
      return malformed(`claim "${name}" missing or not ${kind === 'integer' ? 'an integer' : `a ${kind}`}`, kid);
    }
  }
  for (const [name, kind] of Object.entries(optional)) {
    if (has(name) && !hasType(claims[name], kind, parsed.numbers.get(name))) {
      return malformed(`claim "${name}" is of the wrong type`, kid);
    }
  }
  if (claims.v !== 1) return malformed(`unsupported version ${claims.v}`, kid);
  if (typeof claims.exp === 'number' && now >= claims.exp) return result('EXPIRED', 'expired', claims, kid);
  return result('VALID', 'ok', claims, kid);
}

/** `now` as whole Unix seconds: the given value, or the system clock. */
export function resolveNow(now) {
  if (now === undefined || now === null) return Math.floor(Date.now() / 1000);
  if (typeof now === 'bigint') return Number(now);
  if (now instanceof Date) return Math.floor(now.getTime() / 1000);
  if (typeof now !== 'number' || !Number.isFinite(now)) throw new TypeError('now is Unix seconds (a number)');
  return Math.floor(now);
}

export function expectedPrefix(kind) {
  return kind === 'lease' ? LEASE_PREFIX : KEY_PREFIX;
}
