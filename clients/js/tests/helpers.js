// Shared by the tests: the vector file and a signer for hand-made tokens.

import { createHash, createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const VECTORS_PATH = fileURLToPath(new URL('../../vectors/v1.json', import.meta.url));

/** The vector file, or an Error saying why it cannot be used (the tests then fail). */
export function loadVectors() {
  try {
    const data = JSON.parse(readFileSync(VECTORS_PATH, 'utf8'));
    if (!Array.isArray(data.cases) || data.cases.length === 0) return new Error(`${VECTORS_PATH} has no cases`);
    return data;
  } catch (err) {
    return new Error(`cannot read ${VECTORS_PATH}: ${err.message}`);
  }
}

const b64u = (bytes) => Buffer.from(bytes).toString('base64url');

/** A deterministic Ed25519 key pair and a signer of tokens with arbitrary payload bytes. */
export function testSigner(seedByte = 7) {
  const seed = Buffer.alloc(32, seedByte);
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  const raw = createPublicKey(privateKey).export({ format: 'jwk' }).x; // base64url, no padding
  const kid = b64u(createHash('sha256').update(Buffer.from(raw, 'base64url')).digest().subarray(0, 8));
  return {
    publicKey: raw,
    kid,
    /** prefix.kid.payload.sig, payload given as a string (UTF-8) or bytes. */
    token(payload, prefix = 'LIC1', options = {}) {
      const body = `${prefix}.${options.kid || kid}.${b64u(typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload)}`;
      return `${body}.${b64u(sign(null, Buffer.from(body, 'ascii'), privateKey))}`;
    },
  };
}

export const KEY_CLAIMS = { v: 1, lid: 'lic_1', product: 'acmesoft-pro', tier: 'basic', seats: 2, iat: 1700000000 };
export const LEASE_CLAIMS = {
  v: 1, lid: 'lic_1', product: 'acmesoft-pro', tier: 'basic',
  machine: createHash('sha256').update('machine-1').digest('hex'), iat: 1700000000, exp: 1700086400,
};
