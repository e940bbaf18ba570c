// Project assignment of browser and server events, on an in-memory directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PROJECT_ID } from '#contract';
import { originPolicy } from '../http/cors-origins.ts';
import { browserAssigner } from './browser-assignment.ts';
import { serverAssignment } from './server-assignment.ts';
import { BLOG, SHOP, twoTenants } from './fixtures.ts';

const event = (site_id?: string) => ({ event_type: 'page_view', page_url: 'https://shop.example/', ...(site_id === undefined ? {} : { site_id }) });

test('browser events: site key picks the project and its origins; default project by CORS_ORIGINS while allowed', () => {
  const directory = twoTenants();
  const on = browserAssigner({ directory, allowDefaultProject: true, defaultOriginAllowed: originPolicy('http://localhost:8080', false) });
  const off = browserAssigner({ directory, allowDefaultProject: false, defaultOriginAllowed: originPolicy('http://localhost:8080', false) });
  const cases: [string, ReturnType<typeof on>, ReturnType<ReturnType<typeof on>>['ok'], string, string?][] = [
    ['site key from its origin', on('https://shop.example'), true, SHOP.id],
    ['site key without Origin (curl)', on(undefined), true, SHOP.id],
    ['site key from another origin', on('http://localhost:8080'), false, 'origin_not_allowed'],
    ['another project\'s site key from this origin', on('https://shop.example'), false, 'origin_not_allowed', 'pk_blog'],
    ['unknown site key', on('https://shop.example'), false, 'unknown_site_key', 'pk_nope'],
    ['no site key, default origin', on('http://localhost:8080'), true, DEFAULT_PROJECT_ID, ''],
    ['no site key, foreign origin', on('https://shop.example'), false, 'origin_not_allowed', ''],
    ['a label that is no site key goes to the default project', on(undefined), true, DEFAULT_PROJECT_ID, 'main-site'],
    ['no site key while ALLOW_DEFAULT_PROJECT is off', off(undefined), false, 'site_key_required', ''],
    ['site key while ALLOW_DEFAULT_PROJECT is off', off(undefined), true, SHOP.id],
  ];
  for (const [name, assign, ok, expected, siteKey = 'pk_shop'] of cases) {
    const result = assign(event(siteKey === '' ? undefined : siteKey));
    assert.equal(result.ok, ok, name);
    if (result.ok) assert.equal(result.projectId, expected, name);
    else {
      assert.equal(result.code, expected, name);
      assert.equal(result.field, '/site_id', name);
      assert.equal(result.status, expected === 'origin_not_allowed' ? 403 : 400, name);
    }
  }
});

test('server events: the key\'s project with its retention; another project\'s site key is refused', () => {
  const assign = serverAssignment(SHOP);
  assert.deepEqual(assign(event()), { ok: true, projectId: SHOP.id, maxPastAgeMs: 400 * 86_400_000, visitorIdMode: 'daily' });
  assert.equal(assign(event('pk_shop')).ok, true);
  assert.equal(assign(event('my label')).ok, true);
  const other = assign(event(BLOG.siteKey));
  assert.ok(!other.ok && other.status === 403 && other.field === '/site_id');
});

test("the default project's own site key is accepted where events without a key are (CORS_ORIGINS), and only there", () => {
  const directory = twoTenants();
  directory.addProject({ ...BLOG, id: DEFAULT_PROJECT_ID, name: 'default', siteKey: 'pk_default', allowedOrigins: [] });
  const assign = browserAssigner({ directory, allowDefaultProject: true, defaultOriginAllowed: originPolicy('http://localhost:8080', false) });
  const fromDemo = assign('http://localhost:8080')(event('pk_default'));
  assert.ok(fromDemo.ok);
  assert.equal(fromDemo.projectId, DEFAULT_PROJECT_ID);
  const foreign = assign('https://other.example')(event('pk_default'));
  assert.ok(!foreign.ok);
  assert.equal(foreign.code, 'origin_not_allowed');
  // Another project's key does not borrow the default origins.
  assert.equal(assign('http://localhost:8080')(event('pk_shop')).ok, false);
});
