// Compile-only check of index.d.ts and web.d.ts as an app would use them:
// npm install && npm run typecheck (dev dependencies only: TypeScript and @types/node)
import { createVerifier, loadPublicKey, machineHash, verifyKey, type KeyClaims, type KeyResult } from 'licensemint-verify/node';
import * as web from 'licensemint-verify/web';

const verifier = createVerifier(['nubilT8qgRnr7z6UA0M_brz7GjlKHPQg-1T1LlPbalQ'], { now: () => new Date() });
const result: KeyResult = verifier.verifyKey('LIC1.x.y.z', { now: 1767225600 });
if (result.valid && result.claims) {
  const claims: KeyClaims = result.claims;
  const seats: number = claims.seats;
  const exp: number | null | undefined = claims.exp;
  const unknown = claims['future_claim'];
  console.log(seats, exp, unknown, claims.name?.toUpperCase(), claims.test === true);
}
const lease = verifier.verifyLease('LEASE1.x.y.z');
if (lease.code === 'VALID' && lease.claims) {
  const onThisMachine: boolean = lease.claims.machine === machineHash('fingerprint');
  const exp: number = lease.claims.exp;
  console.log(onThisMachine, exp);
}
const kid: string = loadPublicKey(new Uint8Array(32)).kid;
console.log(kid, verifyKey('t', kid).code satisfies 'VALID' | 'EXPIRED' | 'BAD_SIGNATURE' | 'MALFORMED');

async function inARenderer(): Promise<void> {
  const v = await web.createVerifier([await web.loadPublicKey('nubilT8qgRnr7z6UA0M_brz7GjlKHPQg-1T1LlPbalQ')]);
  const r: web.KeyResult = await v.verifyKey('LIC1.x.y.z');
  const hash: string = await web.machineHash('fingerprint');
  console.log(r.claims?.product, hash, (await web.verifyLease('t', 'k', { now: 1 })).claims?.machine);
}
void inARenderer;
