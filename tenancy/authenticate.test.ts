import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callerCan, keyCaller, orgsWithScope, userCaller } from './access.ts';
import { authenticate, CONFLICTING_CREDENTIALS, presentedCredential, type AccessClaims } from './authenticate.ts';
import { generateSecretKey, hashKey } from './keys.ts';
import { indexSnapshot } from './key-index.ts';

const PEPPER = 'authenticate-test-pepper';
const ORG_A = 'a0000000-0000-4000-8000-000000000000';
const ORG_B = 'b0000000-0000-4000-8000-000000000000';
const A1 = { id: 'a1000000-0000-4000-8000-000000000000', orgId: ORG_A };
const A2 = { id: 'a2000000-0000-4000-8000-000000000000', orgId: ORG_A };
const B1 = { id: 'b1000000-0000-4000-8000-000000000000', orgId: ORG_B };

test('the credential comes from X-API-Key or Authorization: Bearer (a key or a token); two different ones conflict', () => {
  assert.deepEqual(presentedCredential({ 'x-api-key': ' sk_x ' }), { kind: 'key', value: 'sk_x' });
  assert.deepEqual(presentedCredential({ 'x-api-key': 'sk_x', authorization: 'Bearer sk_x' }), { kind: 'key', value: 'sk_x' });
  assert.equal(presentedCredential({ 'x-api-key': 'sk_x', authorization: 'Bearer other' }), CONFLICTING_CREDENTIALS);
  assert.equal(presentedCredential({ 'x-api-key': 'sk_x', authorization: 'Bearer sk_y' }), CONFLICTING_CREDENTIALS);
  assert.deepEqual(presentedCredential({ authorization: 'Bearer sk_abc' }), { kind: 'key', value: 'sk_abc' });
  assert.deepEqual(presentedCredential({ authorization: 'bearer eyJ.x.y' }), { kind: 'token', value: 'eyJ.x.y' });
  for (const headers of [{}, { authorization: 'Basic abc' }, { authorization: 'Bearer' }, { 'x-api-key': '  ' }]) assert.equal(presentedCredential(headers), undefined);
});

test('a key or a token gives a caller with its grants; anything else a 401 naming why', () => {
  const raw = generateSecretKey();
  const directory = indexSnapshot({ projects: [], keys: [{ keyHash: hashKey(PEPPER, raw), expiresAt: null, principal: { keyId: 'k', orgId: ORG_A, projectId: A1.id, scopes: ['read'], rateLimitPerMinute: 5 } }] }, PEPPER);
  const claims: AccessClaims = { sub: 'u', email: 'u@example.com', orgs: [{ id: ORG_B, role: 'viewer' }] };
  const verify = (token: string) => (token === 'good' ? claims : undefined);
  const byKey = authenticate(directory, verify, { 'x-api-key': raw });
  assert.deepEqual(byKey, { ok: true, caller: { kind: 'key', id: 'k', grants: [{ orgId: ORG_A, projectId: A1.id, scopes: ['read'] }], rateLimitPerMinute: 5 } });
  const byToken = authenticate(directory, verify, { authorization: 'Bearer good' });
  assert.deepEqual(byToken, { ok: true, caller: { kind: 'user', id: 'u', grants: [{ orgId: ORG_B, projectId: null, scopes: ['read', 'live'] }], rateLimitPerMinute: null } });
  const refused = (headers: Record<string, string>) => {
    const out = authenticate(directory, verify, headers);
    return out.ok ? 'accepted' : `${out.status} ${out.error}`;
  };
  assert.equal(refused({}), '401 missing_credentials');
  assert.equal(refused({ 'x-api-key': generateSecretKey() }), '401 invalid_api_key');
  assert.equal(refused({ authorization: `Bearer ${generateSecretKey()}` }), '401 invalid_api_key');
  assert.equal(refused({ authorization: 'Bearer forged' }), '401 invalid_token');
  // Two different credentials: neither is used, whatever the order or validity.
  assert.equal(refused({ 'x-api-key': raw, authorization: `Bearer ${generateSecretKey()}` }), '400 conflicting_api_keys');
  assert.equal(refused({ 'x-api-key': generateSecretKey(), authorization: `Bearer ${raw}` }), '400 conflicting_api_keys');
  assert.equal(refused({ 'x-api-key': raw, authorization: `Bearer ${raw}` }), 'accepted');
});

test('grants: a project key its project, an org key or member its org, roles their scopes', () => {
  const projectKey = keyCaller({ keyId: 'k', orgId: ORG_A, projectId: A1.id, scopes: ['admin', 'read'], rateLimitPerMinute: null });
  const orgKey = keyCaller({ keyId: 'k', orgId: ORG_A, projectId: null, scopes: ['ingest'], rateLimitPerMinute: null });
  const analyst = userCaller('u', [{ orgId: ORG_A, role: 'admin' }, { orgId: ORG_B, role: 'viewer' }]);
  const can = (c: typeof analyst, scope: 'read' | 'admin' | 'ingest' | 'live') => [A1, A2, B1].map((p) => callerCan(c, scope, p));
  assert.deepEqual(can(projectKey, 'admin'), [true, false, false]);
  assert.deepEqual(can(orgKey, 'ingest'), [true, true, false]);
  assert.deepEqual(can(orgKey, 'read'), [false, false, false]);
  assert.deepEqual(can(analyst, 'admin'), [true, true, false]);
  assert.deepEqual(can(analyst, 'read'), [true, true, true]);
  assert.deepEqual(can(analyst, 'ingest'), [false, false, false], 'people read; machines ingest');
  assert.deepEqual(orgsWithScope(analyst, 'admin'), [ORG_A]);
  assert.deepEqual(orgsWithScope(projectKey, 'admin'), [], 'a project key administers no whole organization');
});
