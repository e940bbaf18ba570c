// What README.md § Projects, keys and accounts says of the tenancy routes' methods and paths, on
// both services that host them: any other method or path is 404 not_found naming it, with a
// credential or without; HEAD answers as GET; OPTIONS is the collector's CORS preflight and a
// 404 on the query API.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { bothServices, send, type BothServices } from './both-services.ts';

let both: BothServices;
before(async () => {
  both = await bothServices();
});
after(() => both?.close());

test('another method or path: 404 not_found "no route …" on both services, credential or not', async () => {
  const unknown: [string, () => string][] = [
    ['DELETE', () => '/api/v1/admin/projects'],
    ['PUT', () => `/api/v1/admin/projects/${both.projectId}`],
    ['DELETE', () => `/api/v1/admin/projects/${both.projectId}`],
    ['PATCH', () => '/api/v1/admin/keys'],
    ['GET', () => '/api/v1/admin/users'],
    ['GET', () => '/api/v1/auth/login'],
    ['PUT', () => '/api/v1/auth/refresh'],
  ];
  for (const { name, app } of both.services) {
    for (const [method, url] of unknown) {
      for (const headers of [{}, { 'x-api-key': both.adminKey }]) {
        const res = await send(app, { method: method as 'GET', url: url(), headers });
        assert.deepEqual([res.status, res.body.error, res.body.message], [404, 'not_found', `no route ${method} ${url()}`], `${name} ${method} ${url()}`);
      }
    }
  }
});

test('HEAD answers as GET; OPTIONS is a CORS preflight on the collector, a 404 on the query API', async () => {
  for (const { name, app } of both.services) {
    const head = await send(app, { method: 'HEAD', url: '/api/v1/admin/projects', headers: { 'x-api-key': both.adminKey } });
    assert.equal(head.status, 200, name);
    assert.equal((await send(app, { method: 'HEAD', url: '/api/v1/admin/projects' })).status, 401, `${name}: HEAD needs the credential GET needs`);
    const options = await send(app, { method: 'OPTIONS', url: '/api/v1/admin/projects' });
    assert.equal(options.status, name === 'collector' ? 400 : 404, `${name}: ${JSON.stringify(options.body)}`);
  }
});
