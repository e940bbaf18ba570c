// Key verification cost: the directory's verifyKey (HMAC-SHA256 with the pepper + Map lookup, over
// a snapshot of 10,000 live keys) per call, next to the slow password hashes it avoids (scrypt
// with Node's defaults, argon2id with the package's defaults), same run. Medians of rounds.
// Usage: node --import tsx bench/verify-key.ts [rounds=7]
import { scryptSync, randomBytes, timingSafeEqual } from 'node:crypto';
import argon2 from 'argon2';
import { generateSecretKey, hashKey } from '../tenancy/keys.ts';
import { indexSnapshot } from '../tenancy/key-index.ts';

const rounds = Number(process.argv[2] ?? 7);
const PEPPER = 'bench-pepper-0123456789';
const KEYS = 10_000;
const CALLS = 200_000;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const raws = Array.from({ length: KEYS }, generateSecretKey);
const index = indexSnapshot(
  {
    projects: [],
    keys: raws.map((raw, i) => ({
      keyHash: hashKey(PEPPER, raw),
      expiresAt: null,
      principal: { keyId: String(i), orgId: 'o', projectId: 'p', scopes: ['ingest'], rateLimitPerMinute: null },
    })),
  },
  PEPPER,
);
const unknown = Array.from({ length: 1000 }, generateSecretKey);

function perCallMicros(keys: string[], expectFound: boolean): number {
  let found = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) if (index.verifyKey(keys[i % keys.length]!) !== undefined) found++;
  const micros = Number(process.hrtime.bigint() - start) / 1000 / CALLS;
  if (found !== (expectFound ? CALLS : 0)) throw new Error(`verifyKey found ${found} of ${CALLS}`);
  return micros;
}

// scrypt as a stored-hash check would run it: derive, then compare in constant time.
const salt = randomBytes(16);
const stored = scryptSync(raws[0]!, salt, 32);
const scryptMs = () => {
  const start = process.hrtime.bigint();
  if (!timingSafeEqual(scryptSync(raws[0]!, salt, 32), stored)) throw new Error('scrypt mismatch');
  return Number(process.hrtime.bigint() - start) / 1e6;
};
const argonHash = await argon2.hash(raws[0]!, { type: argon2.argon2id });
const argonMs = async () => {
  const start = process.hrtime.bigint();
  if (!(await argon2.verify(argonHash, raws[0]!))) throw new Error('argon2 mismatch');
  return Number(process.hrtime.bigint() - start) / 1e6;
};

perCallMicros(raws, true); // warm-up (JIT)
const known: number[] = [];
const misses: number[] = [];
const scrypt: number[] = [];
const argon: number[] = [];
for (let r = 0; r < rounds; r++) {
  known.push(perCallMicros(raws, true));
  misses.push(perCallMicros(unknown, false));
  scrypt.push(scryptMs());
  argon.push(await argonMs());
}
const rows = [
  ['verifyKey, live key (HMAC + lookup)', `${median(known).toFixed(2)} µs`, 'target < 10 µs', median(known) < 10 ? 'yes' : '**no**'],
  ['verifyKey, unknown key', `${median(misses).toFixed(2)} µs`, '', ''],
  ['baseline: scrypt verification (N=16384, r=8)', `${(median(scrypt) * 1000).toFixed(0)} µs`, `${Math.round((median(scrypt) * 1000) / median(known)).toLocaleString('en')}x verifyKey`, ''],
  ['baseline: argon2id verification (64 MiB, t=3)', `${(median(argon) * 1000).toFixed(0)} µs`, `${Math.round((median(argon) * 1000) / median(known)).toLocaleString('en')}x verifyKey`, ''],
];
process.stdout.write(`key verification, ${KEYS.toLocaleString('en')} live keys, ${CALLS.toLocaleString('en')} calls a round, median of ${rounds} rounds\n\n`);
process.stdout.write(`| measure | per call | vs | met |\n|---|---:|---|:---:|\n${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}\n`);
