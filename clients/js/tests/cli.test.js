// bin/licensemint-verify.js as a user runs it: one JSON line, exit 0 for VALID only.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

import { KEY_CLAIMS, LEASE_CLAIMS, testSigner } from './helpers.js';

const BIN = fileURLToPath(new URL('../bin/licensemint-verify.js', import.meta.url));
const signer = testSigner(7);
const run = (...args) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

test('a valid key prints VALID with its claims and exits 0', () => {
  const done = run('--public-key', testSigner(9).publicKey, '--public-key', signer.publicKey, signer.token(JSON.stringify(KEY_CLAIMS)));
  assert.equal(done.status, 0, done.stderr);
  assert.deepEqual(JSON.parse(done.stdout), { code: 'VALID', claims: KEY_CLAIMS });
  assert.equal(done.stdout.trim().split('\n').length, 1);
});

test('--now decides expiry and EXPIRED exits 1 with the claims', () => {
  const claims = { ...KEY_CLAIMS, exp: 1000 };
  const token = signer.token(JSON.stringify(claims));
  assert.equal(run('--public-key', signer.publicKey, '--now', '999', token).status, 0);
  const done = run('--public-key', signer.publicKey, '--now', '1000', token);
  assert.equal(done.status, 1);
  assert.deepEqual(JSON.parse(done.stdout), { code: 'EXPIRED', claims });
});

test('--lease verifies a lease, and a lease is MALFORMED as a key', () => {
  const token = signer.token(JSON.stringify(LEASE_CLAIMS), 'LEASE1');
  const done = run('--public-key', signer.publicKey, '--lease', '--now', '1700000001', token);
  assert.equal(done.status, 0, done.stderr);
  assert.equal(JSON.parse(done.stdout).claims.machine, LEASE_CLAIMS.machine);
  const asKey = run('--public-key', signer.publicKey, token);
  assert.equal(asKey.status, 1);
  assert.deepEqual(JSON.parse(asKey.stdout), { code: 'MALFORMED', claims: null });
});

test('an unknown kid is BAD_SIGNATURE, exit 1', () => {
  const done = run('--public-key', testSigner(9).publicKey, signer.token(JSON.stringify(KEY_CLAIMS)));
  assert.equal(done.status, 1);
  assert.deepEqual(JSON.parse(done.stdout), { code: 'BAD_SIGNATURE', claims: null });
});

for (const args of [[], ['LIC1.x'], ['--public-key', 'nope', 'LIC1.x'], ['--public-key', signer.publicKey, '--now', 'soon', 'LIC1.x']]) {
  test(`usage error ${JSON.stringify(args)} exits 2 and prints nothing on stdout`, () => {
    const done = run(...args);
    assert.equal(done.status, 2);
    assert.equal(done.stdout, '');
    assert.match(done.stderr, /usage: licensemint-verify/);
  });
}
