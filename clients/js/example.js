// Run: node example.js — verifies the first valid key of ../vectors/v1.json, signed by that file's test key.
import { readFileSync } from 'node:fs';
import { createVerifier, machineHash } from 'licensemint-verify';

const vectors = JSON.parse(readFileSync(new URL('../vectors/v1.json', import.meta.url), 'utf8'));
const licenseKey = vectors.cases.find((c) => c.kind === 'key' && c.code === 'VALID').input;
const publicKeys = vectors.public_keys.map((k) => k.public_key); // from GET /v1/keys

const verifier = createVerifier(publicKeys);               // load once at start-up
const result = verifier.verifyKey(licenseKey, { now: vectors.now });
if (result.valid) console.log('licensed:', result.claims.product, result.claims.tier, 'seats', result.claims.seats);
else console.log('not licensed:', result.code, result.reason); // EXPIRED, BAD_SIGNATURE, MALFORMED
console.log('this machine:', machineHash('my-app-fingerprint'));
