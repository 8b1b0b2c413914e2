// Every case of clients/vectors/v1.json through both verifiers: node:crypto and WebCrypto.

import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { after, describe, test } from 'node:test';

import * as nodeVerifier from '../src/node.js';
import * as webVerifier from '../src/web.js';
import { loadVectors } from './helpers.js';

const vectors = loadVectors();
// Node 18 has WebCrypto only as node:crypto's `webcrypto`; Node ≥ 19 also as globalThis.crypto.
const subtle = (globalThis.crypto && globalThis.crypto.subtle) || webcrypto.subtle;
const counts = { passed: 0, failed: 0 };

function expectCase(c, got) {
  assert.equal(got.code, c.code, `${c.name}: ${got.reason}`);
  if ('claims' in c) assert.deepStrictEqual(got.claims, c.claims);
  else assert.equal(got.claims, null);
}

async function counted(fn) {
  try {
    await fn();
    counts.passed++;
  } catch (err) {
    counts.failed++;
    throw err;
  }
}

if (vectors instanceof Error) {
  test('the vector file can be read and has cases', () => { throw vectors; });
} else {
  const keys = vectors.public_keys.map((k) => k.public_key);

  describe('node:crypto verifier', () => {
    const verifier = nodeVerifier.createVerifier(keys, { now: vectors.now });
    test('derives the kids the vector file gives', () => {
      assert.deepEqual([...verifier.kids].sort(), vectors.public_keys.map((k) => k.kid).sort());
    });
    for (const c of vectors.cases) {
      test(c.name, () => counted(() => {
        expectCase(c, c.kind === 'lease' ? verifier.verifyLease(c.input) : verifier.verifyKey(c.input));
      }));
    }
    for (const m of vectors.machines || []) {
      test(`machineHash(${JSON.stringify(m.fingerprint)})`, () => counted(() => {
        assert.equal(nodeVerifier.machineHash(m.fingerprint), m.machine);
      }));
    }
  });

  describe('WebCrypto verifier', () => {
    const ready = webVerifier.createVerifier(keys, { now: vectors.now, subtle });
    test('derives the kids the vector file gives', async () => {
      assert.deepEqual([...(await ready).kids].sort(), vectors.public_keys.map((k) => k.kid).sort());
    });
    for (const c of vectors.cases) {
      test(c.name, () => counted(async () => {
        const verifier = await ready;
        expectCase(c, await (c.kind === 'lease' ? verifier.verifyLease(c.input) : verifier.verifyKey(c.input)));
      }));
    }
    for (const m of vectors.machines || []) {
      test(`machineHash(${JSON.stringify(m.fingerprint)})`, () => counted(async () => {
        assert.equal(await webVerifier.machineHash(m.fingerprint, { subtle }), m.machine);
      }));
    }
  });

  after(() => {
    console.log(`vectors (${vectors.cases.length} cases, ${(vectors.machines || []).length} machines, 2 verifiers)`);
    console.log(`${counts.passed} passed, ${counts.failed} failed`);
  });
}
