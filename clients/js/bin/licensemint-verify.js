#!/usr/bin/env node
// licensemint-verify [--public-key K]... [--lease] [--now N] TOKEN
// Prints {"code": ..., "claims": ...} on one line; exits 0 for VALID, 1 for any other code,
// 2 for a usage error (no public key, an unreadable key, a bad --now).

import { createVerifier } from '../src/node.js';

const USAGE = 'usage: licensemint-verify --public-key KEY [--public-key KEY]... [--lease] [--now UNIX_SECONDS] TOKEN';

function usage(message) {
  process.stderr.write(`licensemint-verify: ${message}\n${USAGE}\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
const keys = [];
let lease = false;
let now;
while (args.length > 1) {
  const flag = args.shift();
  if (flag === '--public-key') {
    if (args.length < 2) usage('--public-key needs a value');
    keys.push(args.shift());
  } else if (flag === '--lease') {
    lease = true;
  } else if (flag === '--now') {
    if (args.length < 2) usage('--now needs a value');
    const text = args.shift();
    if (!/^-?[0-9]{1,16}$/.test(text)) usage('--now is whole Unix seconds');
    now = Number(text);
  } else {
    usage(`unknown option ${flag}`);
  }
}
if (args.length !== 1) usage('the token is the last argument');
if (keys.length === 0) usage('give at least one --public-key');

let verifier;
try {
  verifier = createVerifier(keys, { now });
} catch (err) {
  usage(err.message);
}
const result = lease ? verifier.verifyLease(args[0]) : verifier.verifyKey(args[0]);
process.stdout.write(`${JSON.stringify({ code: result.code, claims: result.claims })}\n`);
process.exitCode = result.valid ? 0 : 1;
