// /docs/json is a valid OpenAPI document that documents every route with its security.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import SwaggerParser from '@apidevtools/swagger-parser';
import { buildApp } from '../../collector/src/app.ts';
import { createMemoryPublisher } from '../../collector/src/events/memory-publisher.ts';
import { silentLogger, testConfig } from './helpers.ts';
import { registeredRoutes } from '../support/routes.ts';

test('the generated OpenAPI document validates and covers every API route with its security', async () => {
  // No broker needed: the document does not depend on Kafka.
  const app = await buildApp({ config: testConfig(), publisher: createMemoryPublisher(), logger: silentLogger });
  try {
    const res = await app.inject({ method: 'GET', url: '/docs/json' });
    assert.equal(res.statusCode, 200);
    const spec = res.json();
    await SwaggerParser.validate(structuredClone(spec));
    const documented = new Set(Object.entries(spec.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)));
    const api = registeredRoutes(app).filter((r) => !r.url.startsWith('/docs') && r.method !== 'HEAD' && r.method !== 'OPTIONS');
    for (const r of api) assert.ok(documented.has(`${r.method} ${r.url}`), `${r.method} ${r.url} is not documented`);
    for (const path of ['/api/v1/events', '/webhook']) {
      const op = spec.paths[path].post;
      assert.deepEqual(op.security, [{ apiKey: [] }, { bearerKey: [] }], path);
      for (const status of ['200', '400', '401', '403', '404', '429']) assert.ok(op.responses[status], `${path} documents ${status}`);
    }
    const stream = spec.paths['/api/v1/events/stream'].post;
    assert.deepEqual(stream.security, [{ apiKey: [] }, { bearerKey: [] }]);
    assert.deepEqual(Object.keys(stream.requestBody.content), ['application/x-ndjson']);
    for (const status of ['200', '400', '401', '403', '404', '408', '413', '415', '429', '503']) assert.ok(stream.responses[status], `the stream route documents ${status}`);
    assert.deepEqual(stream.responses['200'].content['application/json'].schema.required, ['accepted', 'rejected', 'errors', 'last_acked_line']);
    assert.deepEqual(spec.paths['/analytics'].post.security, []);
    assert.equal(spec.components.securitySchemes.apiKey.name, 'X-API-Key');
    assert.ok(spec.components.schemas.ServerEvent.properties.ip);
  } finally {
    await app.close();
  }
});
