// What the collector answers before or outside a route's handler, in its problem shape: bytes the
// HTTP parser refuses (raw sockets), a path id of the tenancy routes too long for the router or
// not decodable (400 naming it), no route for the method and path (404). No
// answer carries long input back.
import { after, before, test } from 'node:test';
import type { AddressInfo } from 'node:net';
import { checkEdgeCases, frameworkCases, parserCases } from '../support/http-edge-cases.ts';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { buildApp } from '../../collector/src/app.ts';
import type { EventPublisher } from '../../collector/src/events/publisher.ts';
import { createMemoryDirectory } from '../../collector/src/projects/memory-directory.ts';
import { silentLogger, testConfig, testPublisher } from './helpers.ts';

let app: FastifyInstance;
let publisher: EventPublisher;
// The tenancy routes are mounted (their path ids are under test) but none is reached: the pool never connects.
const tenancyDb = new pg.Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/unused_test', max: 1 });
let port: number;

before(async () => {
  const config = testConfig();
  publisher = testPublisher(config);
  app = await buildApp({ config, publisher, logger: silentLogger, docs: false, directory: createMemoryDirectory(), tenancyDb });
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as AddressInfo).port;
});
after(async () => {
  await app?.close();
  await publisher?.close();
  await tenancyDb.end();
});

test('requests the HTTP parser refuses get the reason and the part at fault', async () => {
  await checkEdgeCases(port, parserCases('/analytics'));
});

test('a path id too long or not percent-decodable is a 400 naming it; no route for the method and path a 404', async () => {
  const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`;
  await checkEdgeCases(port, [
    ...frameworkCases(),
    { name: 'a 10,000-character project id', request: get(`/api/v1/admin/projects/${'a'.repeat(10_000)}`), status: 400, error: 'invalid_parameter', field: 'projectId', says: /longer than/ },
    { name: 'a project id that is not percent-encoding', request: get('/api/v1/admin/projects/%zz'), status: 400, error: 'invalid_parameter', field: 'projectId', says: /percent-encoding/ },
    { name: 'GET of the event route', request: get('/analytics'), status: 404, error: 'not_found', field: 'url', says: /^no route GET \/analytics$/ },
  ]);
});
