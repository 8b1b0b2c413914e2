// Hand-made cases for each rule of key format 1.0, through both verifiers; they do not need
// the vector file, and they pin behaviour the file may not reach (JSON strictness details).

import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { describe, test } from 'node:test';

import * as nodeVerifier from '../src/node.js';
import * as webVerifier from '../src/web.js';
import { KEY_CLAIMS, LEASE_CLAIMS, testSigner } from './helpers.js';

const subtle = (globalThis.crypto && globalThis.crypto.subtle) || webcrypto.subtle;
const signer = testSigner(7);
const other = testSigner(9);
const NOW = 1700000500;
const json = (extra) => JSON.stringify({ ...KEY_CLAIMS, ...extra });
const without = (name) => JSON.stringify(Object.fromEntries(Object.entries(KEY_CLAIMS).filter(([k]) => k !== name)));
const valid = signer.token(json({}));
const [, kid, payload, sig] = valid.split('.');

/** Claims padded with an unknown claim so that the signed token is `length` characters. */
function sizedClaims(prefix, length) {
  const base = prefix === 'LIC1' ? KEY_CLAIMS : LEASE_CLAIMS;
  const fixed = prefix.length + 1 + 11 + 1 + 1 + 86;
  const payloadBytes = Math.floor(((length - fixed) * 3) / 4);
  const empty = JSON.stringify({ ...base, pad: '' }).length;
  return { ...base, pad: 'x'.repeat(payloadBytes - empty) };
}
function sized(prefix, length) {
  const token = signer.token(JSON.stringify(sizedClaims(prefix, length)), prefix);
  assert.equal(token.length, length);
  return token;
}

/** [name, kind, input, code, claims?] */
const CASES = [
  ['a valid key', 'key', valid, 'VALID', KEY_CLAIMS],
  ['a valid key with exp, test and name', 'key', signer.token(json({ exp: NOW + 1, test: true, name: 'Ann' })), 'VALID', { ...KEY_CLAIMS, exp: NOW + 1, test: true, name: 'Ann' }],
  ['exp null is perpetual', 'key', signer.token(json({ exp: null })), 'VALID', { ...KEY_CLAIMS, exp: null }],
  ['unknown claims are ignored and returned', 'key', signer.token(json({ extra: [1.5, { a: 1e3 }] })), 'VALID', { ...KEY_CLAIMS, extra: [1.5, { a: 1000 }] }],
  ['expired when now == exp', 'key', signer.token(json({ exp: NOW })), 'EXPIRED', { ...KEY_CLAIMS, exp: NOW }],
  ['expired when now > exp', 'key', signer.token(json({ exp: NOW - 1 })), 'EXPIRED', { ...KEY_CLAIMS, exp: NOW - 1 }],
  ['surrounding space, tab, CR and LF are removed', 'key', ` \t\r\n${valid}\n\r\t `, 'VALID', KEY_CLAIMS],
  ['U+000B around is kept', 'key', `${valid}\u000b`, 'MALFORMED'],
  ['U+00A0 around is kept', 'key', `\u00a0${valid}`, 'MALFORMED'],
  ['U+FEFF around is kept', 'key', `\ufeff${valid}`, 'MALFORMED'],
  ['U+200B inside', 'key', `${valid.slice(0, 10)}\u200b${valid.slice(10)}`, 'MALFORMED'],
  ['a trailing NUL', 'key', `${valid}\u0000`, 'MALFORMED'],
  ['an inner space', 'key', `LIC1. ${kid}.${payload}.${sig}`, 'MALFORMED'],
  ['empty', 'key', '', 'MALFORMED'],
  ['blank', 'key', ' \t\r\n', 'MALFORMED'],
  ['three parts', 'key', `LIC1.${kid}.${payload}`, 'MALFORMED'],
  ['five parts', 'key', `${valid}.x`, 'MALFORMED'],
  ['a lease to the key verifier', 'key', signer.token(JSON.stringify(LEASE_CLAIMS), 'LEASE1'), 'MALFORMED'],
  ['a key to the lease verifier', 'lease', valid, 'MALFORMED'],
  ['lowercase prefix', 'key', `lic1.${kid}.${payload}.${sig}`, 'MALFORMED'],
  ['padded signature', 'key', `${valid}==`, 'MALFORMED'],
  ['padded kid', 'key', `LIC1.${kid}=.${payload}.${sig}`, 'MALFORMED'],
  ['standard alphabet', 'key', valid.replace(/-/g, '+').replace(/_/g, '/'), valid.includes('-') || valid.includes('_') ? 'MALFORMED' : 'VALID', ...(valid.includes('-') || valid.includes('_') ? [] : [KEY_CLAIMS])],
  ['non-canonical trailing bits in the signature', 'key', `LIC1.${kid}.${payload}.${sig.slice(0, -1)}${String.fromCharCode(sig.charCodeAt(85) + 1)}`, 'MALFORMED'],
  ['a kid of 7 bytes', 'key', `LIC1.${kid.slice(0, 10)}.${payload}.${sig}`, 'MALFORMED'],
  ['an empty payload', 'key', `LIC1.${kid}..${sig}`, 'MALFORMED'],
  ['unknown kid', 'key', signer.token(json({}), 'LIC1', { kid: 'AAAAAAAAAAA' }), 'BAD_SIGNATURE'],
  ['signed by another key', 'key', other.token(json({}), 'LIC1', { kid }), 'BAD_SIGNATURE'],
  ['tampered payload that is still JSON', 'key', `LIC1.${kid}.${Buffer.from(json({ seats: 99 })).toString('base64url')}.${sig}`, 'BAD_SIGNATURE'],
  ['tampered payload that is not JSON', 'key', `LIC1.${kid}.AAAA.${sig}`, 'BAD_SIGNATURE'],
  ['a key of 4096 bytes', 'key', sized('LIC1', 4096), 'VALID', sizedClaims('LIC1', 4096)],
  ['a lease of 4096 bytes', 'lease', sized('LEASE1', 4096), 'VALID', sizedClaims('LEASE1', 4096)],
  ['a lease of 4097 bytes, well signed', 'lease', sized('LEASE1', 4097), 'MALFORMED'],
  ['a key of 4096 bytes with surrounding whitespace', 'key', ` \n${sized('LIC1', 4096)}\t`, 'VALID', sizedClaims('LIC1', 4096)],
  ['not JSON', 'key', signer.token('hello'), 'MALFORMED'],
  ['a JSON array', 'key', signer.token('[1]'), 'MALFORMED'],
  ['invalid UTF-8', 'key', signer.token(Buffer.concat([Buffer.from('{"v":1,"lid":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')])), 'MALFORMED'],
  ['an encoded surrogate (CESU)', 'key', signer.token(Buffer.concat([Buffer.from(json({}).slice(0, -1) + ',"x":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')])), 'MALFORMED'],
  ['a BOM', 'key', signer.token(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json({}))])), 'MALFORMED'],
  ['whitespace around the JSON is fine', 'key', signer.token(` \n${json({})}\t\r`), 'VALID', KEY_CLAIMS],
  ['a trailing comma', 'key', signer.token(json({}).replace(/}$/, ',}')), 'MALFORMED'],
  ['two JSON texts', 'key', signer.token(json({}) + '{}'), 'MALFORMED'],
  ['a duplicate member name', 'key', signer.token(json({}).replace(/}$/, ',"seats":2}')), 'MALFORMED'],
  ['a lone high surrogate escape', 'key', signer.token(json({ name: 'x' }).replace('"x"', '"\\ud800"')), 'MALFORMED'],
  ['a lone low surrogate escape in a nested array', 'key', signer.token(json({}).replace(/}$/, ',"x":["\\udc00"]}')), 'MALFORMED'],
  ['a high surrogate escape then a non-low escape', 'key', signer.token(json({ name: 'x' }).replace('"x"', '"\\ud800\\u0041"')), 'MALFORMED'],
  ['a high surrogate escape at the end of a string', 'key', signer.token(json({ name: 'x' }).replace('"x"', '"a\\udbff"')), 'MALFORMED'],
  ['a reversed surrogate pair', 'key', signer.token(json({ name: 'x' }).replace('"x"', '"\\ude00\\ud83d"')), 'MALFORMED'],
  ['a duplicate name spelled with an escape', 'key', signer.token(json({}).replace(/}$/, ',"sea\\u0074s":2}')), 'MALFORMED'],
  ['a duplicate name in a nested object', 'key', signer.token(json({}).replace(/}$/, ',"x":{"a":1,"a":2}}')), 'MALFORMED'],
  ['a lone surrogate escape in a member name', 'key', signer.token(json({}).replace(/}$/, ',"\\ud800":1}')), 'MALFORMED'],
  ['a lone surrogate escape in a lease', 'lease', signer.token(JSON.stringify({ ...LEASE_CLAIMS, x: 'y' }).replace('"y"', '"\\udfff"'), 'LEASE1'), 'MALFORMED'],
  ['a pair and its escaped spelling', 'key', signer.token(json({}).replace(/}$/, ',"\\ud83d\\ude00":1,"\u{1f600}":2}')), 'MALFORMED'],
  // The spec sets no nesting limit: 1400 levels fill the longest payload and must not overflow.
  ['deep nesting in an unknown claim', 'key', signer.token(json({}).replace(/}$/, `,"x":${'['.repeat(1400)}${']'.repeat(1400)}}`)), 'VALID', (claims) => JSON.stringify(claims.x) === '['.repeat(1400) + ']'.repeat(1400)],
  ['a surrogate pair escape', 'key', signer.token(json({ name: 'x' }).replace('"x"', '"\\ud83d\\ude00"')), 'VALID', { ...KEY_CLAIMS, name: '\u{1f600}' }],
  ['a control character in a string', 'key', signer.token(json({ name: 'x' }).replace('"x"', '"\u0001"')), 'MALFORMED'],
  ['a member named __proto__ stays a member', 'key', signer.token(json({}).replace(/}$/, ',"__proto__":{"seats":1}}')), 'VALID', JSON.parse(json({}).replace(/}$/, ',"__proto__":{"seats":1}}'))],
  ...Object.keys(KEY_CLAIMS).map((name) => [`missing ${name}`, 'key', signer.token(without(name)), 'MALFORMED']),
  ['v 2', 'key', signer.token(json({ v: 2 })), 'MALFORMED'],
  ['v "1"', 'key', signer.token(json({ v: '1' })), 'MALFORMED'],
  ['v 1.0', 'key', signer.token(json({}).replace('"v":1', '"v":1.0')), 'MALFORMED'],
  ['seats 2.0', 'key', signer.token(json({}).replace('"seats":2', '"seats":2.0')), 'MALFORMED'],
  ['seats 2e0', 'key', signer.token(json({}).replace('"seats":2', '"seats":2e0')), 'MALFORMED'],
  ['seats 2E0', 'key', signer.token(json({}).replace('"seats":2', '"seats":2E0')), 'MALFORMED'],
  ['seats -0.0', 'key', signer.token(json({}).replace('"seats":2', '"seats":-0.0')), 'MALFORMED'],
  ['seats -0 is 0', 'key', signer.token(json({}).replace('"seats":2', '"seats":-0')), 'VALID', { ...KEY_CLAIMS, seats: 0 }],
  ['seats 02', 'key', signer.token(json({}).replace('"seats":2', '"seats":02')), 'MALFORMED'],
  ['seats true', 'key', signer.token(json({ seats: true })), 'MALFORMED'],
  ['iat 2^53 - 1', 'key', signer.token(json({}).replace('"iat":1700000000', '"iat":9007199254740991')), 'VALID', { ...KEY_CLAIMS, iat: 9007199254740991 }],
  ['iat 2^53', 'key', signer.token(json({}).replace('"iat":1700000000', '"iat":9007199254740992')), 'MALFORMED'],
  ['iat -(2^53 - 1)', 'key', signer.token(json({}).replace('"iat":1700000000', '"iat":-9007199254740991')), 'VALID', { ...KEY_CLAIMS, iat: -9007199254740991 }],
  ['iat -(2^53)', 'key', signer.token(json({}).replace('"iat":1700000000', '"iat":-9007199254740992')), 'MALFORMED'],
  ['exp "soon"', 'key', signer.token(json({ exp: 'soon' })), 'MALFORMED'],
  ['exp 1e10', 'key', signer.token(json({}).replace(/}$/, ',"exp":1e10}')), 'MALFORMED'],
  ['test "yes"', 'key', signer.token(json({ test: 'yes' })), 'MALFORMED'],
  ['name 5', 'key', signer.token(json({ name: 5 })), 'MALFORMED'],
  ['a valid lease', 'lease', signer.token(JSON.stringify(LEASE_CLAIMS), 'LEASE1'), 'VALID', LEASE_CLAIMS],
  ['a lease expires at exp', 'lease', signer.token(JSON.stringify({ ...LEASE_CLAIMS, exp: NOW }), 'LEASE1'), 'EXPIRED', { ...LEASE_CLAIMS, exp: NOW }],
  ['a lease without exp', 'lease', signer.token(JSON.stringify({ ...LEASE_CLAIMS, exp: undefined }), 'LEASE1'), 'MALFORMED'],
  ['a lease with exp null', 'lease', signer.token(JSON.stringify({ ...LEASE_CLAIMS, exp: null }), 'LEASE1'), 'MALFORMED'],
  ['a lease without machine', 'lease', signer.token(JSON.stringify({ ...LEASE_CLAIMS, machine: undefined }), 'LEASE1'), 'MALFORMED'],
  ['a lease needs no seats', 'lease', signer.token(JSON.stringify({ ...LEASE_CLAIMS, test: false }), 'LEASE1'), 'VALID', { ...LEASE_CLAIMS, test: false }],
];

const LEASE_NOW = 1700000500;
const EACUTE = '4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c'; // SHA-256 of C3 A9

function expectCase([name, , , code, claims], got) {
  assert.equal(got.code, code, `${name}: ${got.reason}`);
  assert.equal(got.valid, code === 'VALID');
  if (typeof claims === 'function') assert.ok(claims(got.claims)); // too deep for deepStrictEqual
  else if (claims) assert.deepStrictEqual(got.claims, claims);
  else assert.equal(got.claims, null);
}

describe('node:crypto verifier', () => {
  const verifier = nodeVerifier.createVerifier([other.publicKey, signer.publicKey], { now: NOW });
  for (const c of CASES) {
    test(c[0], () => expectCase(c, c[1] === 'lease' ? verifier.verifyLease(c[2], { now: LEASE_NOW }) : verifier.verifyKey(c[2])));
  }
  test('the system clock is the default', () => {
    const soon = Math.floor(Date.now() / 1000) + 60;
    assert.equal(nodeVerifier.verifyKey(signer.token(json({ exp: soon })), signer.publicKey).code, 'VALID');
    assert.equal(nodeVerifier.verifyKey(signer.token(json({ exp: soon - 120 })), signer.publicKey).code, 'EXPIRED');
  });
  test('now may be a function', () => {
    const token = signer.token(json({ exp: 100 }));
    assert.equal(nodeVerifier.verifyKey(token, signer.publicKey, { now: () => 99 }).code, 'VALID');
    assert.equal(nodeVerifier.verifyKey(token, signer.publicKey, { now: () => 100 }).code, 'EXPIRED');
  });
  test('the result names the kid', () => {
    assert.equal(verifier.verifyKey(valid).kid, signer.kid);
  });
});

describe('WebCrypto verifier', () => {
  const ready = webVerifier.createVerifier([other.publicKey, signer.publicKey], { now: NOW, subtle });
  for (const c of CASES) {
    test(c[0], async () => {
      const verifier = await ready;
      expectCase(c, await (c[1] === 'lease' ? verifier.verifyLease(c[2], { now: LEASE_NOW }) : verifier.verifyKey(c[2])));
    });
  }
  test('uses globalThis.crypto.subtle by default (Node ≥ 19, browsers)', { skip: !globalThis.crypto && 'Node 18: no global WebCrypto' }, async () => {
    assert.equal((await webVerifier.verifyKey(valid, signer.publicKey, { now: NOW })).code, 'VALID');
  });
});

describe('public keys', () => {
  const std = Buffer.from(signer.publicKey, 'base64url').toString('base64');
  test('base64url without padding gives the kid', async () => {
    assert.equal(nodeVerifier.loadPublicKey(signer.publicKey).kid, signer.kid);
    assert.equal((await webVerifier.loadPublicKey(signer.publicKey, { subtle })).kid, signer.kid);
  });
  test('standard base64 with padding is accepted too', async () => {
    assert.equal(std.length, 44);
    assert.equal(nodeVerifier.loadPublicKey(std).kid, signer.kid);
    assert.equal((await webVerifier.loadPublicKey(std, { subtle })).kid, signer.kid);
    assert.equal(nodeVerifier.loadPublicKey(Buffer.from(signer.publicKey, 'base64url')).kid, signer.kid);
  });
  for (const [what, text] of [
    ['31 bytes', Buffer.alloc(31, 1).toString('base64url')],
    ['33 bytes', Buffer.alloc(33, 1).toString('base64url')],
    ['padded base64url', `${signer.publicKey}=`],
    ['non-canonical trailing bits', `${signer.publicKey.slice(0, 42)}${signer.publicKey[42] === 'B' ? 'C' : 'B'}`],
    ['a PEM', '-----BEGIN PUBLIC KEY-----'],
    ['not a string', 42],
  ]) {
    test(`${what} is refused with a clear error`, async () => {
      assert.throws(() => nodeVerifier.loadPublicKey(text), TypeError);
      await assert.rejects(webVerifier.loadPublicKey(text, { subtle }), TypeError);
    });
  }
});

describe('machineHash', () => {
  for (const [fingerprint, hex] of [
    ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    ['machine-1', LEASE_CLAIMS.machine],
  ]) {
    test(`of ${JSON.stringify(fingerprint)}`, async () => {
      assert.equal(nodeVerifier.machineHash(fingerprint), hex);
      assert.equal(await webVerifier.machineHash(fingerprint, { subtle }), hex);
    });
  }
  test('hashes the UTF-8 bytes', async () => {
    assert.equal(nodeVerifier.machineHash('\u00e9'), EACUTE);
    assert.equal(await webVerifier.machineHash('\u00e9', { subtle }), EACUTE);
    assert.notEqual(nodeVerifier.machineHash('e\u0301'), EACUTE); // no Unicode normalisation
  });
});
