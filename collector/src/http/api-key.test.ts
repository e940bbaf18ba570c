import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authenticate, CONFLICTING_KEYS, presentedKey } from './api-key.ts';
import { BLOG, KEYS, SHOP, twoTenants } from '../projects/fixtures.ts';

test('the key comes from X-API-Key or Authorization: Bearer', () => {
  assert.equal(presentedKey({ 'x-api-key': ' sk_a ' }), 'sk_a');
  assert.equal(presentedKey({ authorization: 'Bearer sk_b' }), 'sk_b');
  assert.equal(presentedKey({ 'x-api-key': 'sk_a', authorization: 'Bearer sk_a' }), 'sk_a');
  assert.equal(presentedKey({ 'x-api-key': 'sk_a', authorization: 'Bearer sk_b' }), CONFLICTING_KEYS);
  assert.equal(presentedKey({ authorization: 'Basic c2s6' }), undefined);
  assert.equal(presentedKey({}), undefined);
});

test('401 no or unknown key, 403 scope, 404 a project the key cannot see, 400 org key without project', () => {
  const directory = twoTenants();
  const cases: [string, string | undefined, string | undefined, number | string][] = [
    ['no key', undefined, undefined, 401],
    ['unknown key', 'sk_nope', undefined, 401],
    ['a site key is no secret key', 'pk_shop', undefined, 401],
    ['read-only key', KEYS.shopRead[0], undefined, 403],
    ['project key', KEYS.shopIngest[0], undefined, SHOP.id],
    ['project key naming its own project', KEYS.shopIngest[0], SHOP.id, SHOP.id],
    ['project key naming another project', KEYS.shopIngest[0], BLOG.id, 404],
    ['project key naming a project that does not exist', KEYS.shopIngest[0], '99999999-9999-4999-8999-999999999999', 404],
    ['org key without project', KEYS.shopOrg[0], undefined, 400],
    ['org key naming its project', KEYS.shopOrg[0], SHOP.id, SHOP.id],
    ['org key naming another organization\'s project', KEYS.shopOrg[0], BLOG.id, 404],
  ];
  for (const [name, key, project, expected] of cases) {
    const outcome = authenticate(directory, 'ingest', key, project);
    if (typeof expected === 'string') assert.ok('project' in outcome && outcome.project.id === expected, name);
    else assert.ok('status' in outcome && outcome.status === expected, `${name}: ${JSON.stringify(outcome)}`);
  }
  // Another project's id and a made-up id answer alike.
  const [a, b] = [authenticate(directory, 'ingest', KEYS.shopIngest[0], BLOG.id), authenticate(directory, 'ingest', KEYS.shopIngest[0], 'x')];
  assert.ok('message' in a && 'message' in b && a.code === b.code && a.status === b.status);
  directory.revokeKey(KEYS.shopIngest[0]);
  assert.ok('status' in authenticate(directory, 'ingest', KEYS.shopIngest[0], undefined));
});

test('two different keys in one request are refused with 400 naming X-API-Key, even when one of them is valid', () => {
  const outcome = authenticate(twoTenants(), 'ingest', presentedKey({ 'x-api-key': KEYS.shopIngest[0], authorization: `Bearer ${KEYS.shopRead[0]}` }), undefined);
  assert.ok(!('principal' in outcome));
  assert.equal(outcome.status, 400);
  assert.equal(outcome.code, 'conflicting_api_keys');
  assert.equal(outcome.field, 'X-API-Key');
});
