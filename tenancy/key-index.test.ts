import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateSecretKey, generateSiteKey, hashKey, keyHint, looksLikeSecretKey } from './keys.ts';
import { indexSnapshot } from './key-index.ts';
import type { Principal, Project } from './model.ts';

const PEPPER = 'test-pepper-0123456789';
const ORG_A = 'a0000000-0000-4000-8000-000000000000';
const ORG_B = 'b0000000-0000-4000-8000-000000000000';
const project = (id: string, orgId: string): Project => ({ id, orgId, name: id, siteKey: `pk_${id.replace(/-/g, '')}`, allowedOrigins: [], timezone: 'UTC', retentionDays: 90, visitorIdMode: 'daily' });
const A1 = project('a1000000-0000-4000-8000-000000000000', ORG_A);
const A2 = project('a2000000-0000-4000-8000-000000000000', ORG_A);
const B1 = project('b1000000-0000-4000-8000-000000000000', ORG_B);
const principal = (keyId: string, orgId: string, projectId: string | null): Principal => ({ keyId, orgId, projectId, scopes: ['ingest'], rateLimitPerMinute: null });

test('keys have their documented shapes, and each is new', () => {
  const k = generateSecretKey();
  assert.match(k, /^sk_[A-Za-z0-9_-]{43}$/);
  assert.notEqual(k, generateSecretKey());
  assert.match(generateSiteKey(), /^pk_[A-Za-z0-9_-]{22}$/);
  assert.equal(keyHint(k), `sk_…${k.slice(-4)}`);
  assert.equal(hashKey(PEPPER, k).length, 32);
  assert.notDeepEqual(hashKey(PEPPER, k), hashKey(`${PEPPER}x`, k), 'the pepper changes the hash');
  for (const bad of ['', 'pk_x', k.slice(0, -1), `${k}x`, `sk_${'a'.repeat(200)}`]) assert.equal(looksLikeSecretKey(bad), false, bad);
});

test('verifyKey: the key of a live entry, never a near miss, another pepper or an expired key', () => {
  let now = 1_000_000;
  const live = generateSecretKey();
  const expiring = generateSecretKey();
  const used: string[] = [];
  const index = indexSnapshot(
    {
      projects: [A1],
      keys: [
        { keyHash: hashKey(PEPPER, live), expiresAt: null, principal: principal('k1', ORG_A, A1.id) },
        { keyHash: hashKey(PEPPER, expiring), expiresAt: now + 1000, principal: principal('k2', ORG_A, A1.id) },
      ],
    },
    PEPPER,
    () => now,
    (p) => used.push(p.keyId),
  );
  assert.equal(index.verifyKey(live)?.keyId, 'k1');
  assert.equal(index.verifyKey(expiring)?.keyId, 'k2');
  assert.equal(index.verifyKey(generateSecretKey()), undefined);
  assert.equal(index.verifyKey(live.slice(0, -1) + (live.endsWith('A') ? 'B' : 'A')), undefined);
  assert.equal(indexSnapshot({ projects: [], keys: [{ keyHash: hashKey(PEPPER, live), expiresAt: null, principal: principal('k1', ORG_A, null) }] }, 'other-pepper-0123456').verifyKey(live), undefined);
  now += 1000;
  assert.equal(index.verifyKey(expiring), undefined, 'expired at expiresAt, without waiting for a reload');
  assert.deepEqual(used, ['k1', 'k2']);
});

test('canAccess: a project key its project, an org key its org, nobody another org', () => {
  const index = indexSnapshot({ projects: [A1, A2, B1], keys: [] }, PEPPER);
  const projectKey = principal('k', ORG_A, A1.id);
  const orgKey = principal('k', ORG_A, null);
  assert.deepEqual([A1, A2, B1].map((p) => index.canAccess(projectKey, p.id)), [true, false, false]);
  assert.deepEqual([A1, A2, B1].map((p) => index.canAccess(orgKey, p.id)), [true, true, false]);
  assert.equal(index.canAccess(orgKey, 'c0000000-0000-4000-8000-000000000000'), false, 'unknown project');
  // A key claiming a project of another org (cannot be stored: foreign key) still gets nothing.
  assert.equal(index.canAccess(principal('k', ORG_B, A1.id), A1.id), false);
  assert.equal(index.projectBySiteKey(B1.siteKey)?.id, B1.id);
  assert.equal(index.projectBySiteKey('pk_unknown'), undefined);
  assert.equal(index.project(A2.id)?.orgId, ORG_A);
});
