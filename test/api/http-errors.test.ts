// What the query API answers before or outside a route's handler, in its problem shape: bytes the
// HTTP parser refuses (raw sockets), a path id too long for the router or not decodable (400
// naming it, as a malformed id is), no route for the method and path (404), a Content-Type too
// long to repeat. No answer carries long input back.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { checkEdgeCases, frameworkCases, parserCases, SHORT_ANSWER_BYTES } from '../support/http-edge-cases.ts';
import { apiBed, type ApiBed } from './api-bed.ts';

let bed: ApiBed;
let port: number;

before(async () => {
  bed = await apiBed();
  await bed.app.listen({ port: 0, host: '127.0.0.1' });
  port = (bed.app.server.address() as AddressInfo).port;
});
after(() => bed?.close());

const get = (path: string, key: string) => `GET ${path} HTTP/1.1\r\nHost: x\r\nX-API-Key: ${key}\r\nConnection: close\r\n\r\n`;

test('requests the HTTP parser refuses get the reason and the part at fault', async () => {
  await checkEdgeCases(port, parserCases(`/api/v1/projects/${bed.shop.project.id}/paths`));
});

test('a path id too long or not percent-decodable is a 400 naming it; no route for the method and path a 404', async () => {
  const project = `/api/v1/projects/${bed.shop.project.id}`;
  const key = bed.shop.readKey;
  await checkEdgeCases(port, [
    ...frameworkCases(),
    { name: 'a 10,000-character funnel id', request: get(`${project}/saved-funnels/${'a'.repeat(10_000)}`, key), status: 400, error: 'invalid_parameter', field: 'funnel_id', says: /longer than/ },
    { name: 'a 3,000-character funnel id (within the router limit)', request: get(`${project}/saved-funnels/${'a'.repeat(3000)}`, key), status: 400, error: 'invalid_parameter', field: 'funnel_id' },
    { name: 'a funnel id that is not percent-encoding', request: get(`${project}/saved-funnels/%zz`, key), status: 400, error: 'invalid_parameter', field: 'funnel_id', says: /percent-encoding/ },
    { name: 'a visit id not UTF-8 when decoded', request: get(`${project}/visits/%E9`, key), status: 400, error: 'invalid_parameter', field: 'visit_id' },
    { name: 'PUT on a report', request: `PUT ${project}/stats HTTP/1.1\r\nHost: x\r\nX-API-Key: ${key}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, status: 404, error: 'not_found', field: 'url', says: /^no route PUT \/api\/v1\/projects\/[0-9a-f-]+\/stats$/ },
  ]);
});

test('a user id of 150 characters (the contract allows 200) reaches its route, not the router limit', async () => {
  const res = await bed.get(`/api/v1/projects/${bed.shop.project.id}/users/${'u'.repeat(150)}/timeline`, bed.shop.readKey);
  assert.equal(res.status, 404, JSON.stringify(res.body));
  assert.equal(res.body.error, 'not_found');
});

test('a Content-Type too long to repeat is a 415 naming it, short', async () => {
  const project = `/api/v1/projects/${bed.shop.project.id}`;
  const type = `application/${'x'.repeat(5000)}`;
  const res = await bed.app.inject({ method: 'POST', url: `${project}/funnels`, headers: { 'x-api-key': bed.shop.readKey, 'content-type': type }, payload: '{}' });
  assert.equal(res.statusCode, 415, res.body);
  assert.equal(res.json().errors[0].field, 'Content-Type');
  assert.ok(res.body.length <= SHORT_ANSWER_BYTES, `answer of ${res.body.length} bytes`);
  // The sign-in route hosted here (tenancy) answers the same way.
  const login = await bed.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': type }, payload: '{}' });
  assert.equal(login.statusCode, 415, login.body);
  assert.equal(login.json().errors[0].field, 'Content-Type');
  assert.ok(login.body.length <= SHORT_ANSWER_BYTES, `answer of ${login.body.length} bytes`);
});
