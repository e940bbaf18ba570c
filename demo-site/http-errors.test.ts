// The demo site answers what its routes never see (bytes the HTTP parser refuses, unknown routes,
// another method, a URL that is not percent-encoding) in the services' problem shape, naming the
// part of the request at fault, without repeating long input.
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../lib/logger.ts';
import { checkEdgeCases, frameworkCases, parserCases } from '../test/support/http-edge-cases.ts';
import { buildDemoApp } from './app.ts';
import { loadDemoConfig } from './config.ts';

let app: FastifyInstance;
let port: number;

before(async () => {
  app = await buildDemoApp({ config: loadDemoConfig({}), logger: createLogger('demo-site-test', 'silent'), trackerCode: '' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as AddressInfo).port;
});
after(() => app?.close());

test('requests the HTTP parser refuses get the reason and the part at fault', async () => {
  await checkEdgeCases(port, parserCases('/page2.html'));
});

test('framework errors: unknown route, another method (404, its body unread), a URL that is not percent-encoding', async () => {
  await checkEdgeCases(port, [
    ...frameworkCases(),
    { name: 'POST to a page', request: 'POST /page2.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n', status: 404, error: 'not_found', field: 'url', says: /^no route POST \/page2.html$/ },
    { name: 'POST with a JSON body that is not JSON', request: 'POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\n{"a":', status: 404, error: 'not_found', field: 'url' },
    { name: 'POST of another content type', request: `POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: foo/${'b'.repeat(3000)}\r\nContent-Length: 1\r\n\r\nx`, status: 404, error: 'not_found', field: 'url' },
    { name: 'a bad percent-encoding', request: 'GET /page2.html%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', status: 400, error: 'invalid_parameter', field: 'url', says: /percent-encoding/ },
  ]);
});
