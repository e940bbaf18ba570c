// /docs/json is a valid OpenAPI document; every route is documented with its security and error
// answers; and every documented example runs: each project route is called with its parameters'
// examples (path ids from seeded data) and its answer must validate against the documented 200
// schema. A route whose example fails or whose answer drifts from its document fails here.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { registeredRoutes } from '../support/routes.ts';
import { apiBed, enrichedRow, type ApiBed } from './api-bed.ts';

let bed: ApiBed;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- an OpenAPI document, walked by path
let spec: any;
const SESSION = 'docs-session';
const USER = 'docs-user';
let visitId = '';
let funnelId = '';

before(async () => {
  bed = await apiBed();
  const at = Date.now() - 120_000;
  const rows = ['page_view', 'button_click', 'page_unload'].map((type, i) =>
    enrichedRow({
      project_id: bed.shop.project.id,
      timestamp: new Date(at + i * 1000).toISOString(),
      event_type: type,
      button_id: type === 'button_click' ? 'signup' : null,
      page_url: 'https://shop.example/pricing?utm_source=newsletter',
      referrer: 'https://www.google.com/',
      session_id: SESSION,
      user_id: USER,
      visitor_id: `u:${USER}`,
      metadata: type === 'page_unload' ? '{"time_on_page":4000}' : '{}',
    }),
  );
  await bed.store(rows);
  visitId = (await bed.db.pool.query('SELECT visit_id FROM visits WHERE project_id = $1', [bed.shop.project.id])).rows[0].visit_id;
  funnelId = (await bed.db.pool.query(`INSERT INTO saved_funnels (project_id, name, definition) VALUES ($1, 'docs', '{"steps":[{"event_type":"page_view"},{"event_type":"button_click"}]}') RETURNING funnel_id::text`, [bed.shop.project.id])).rows[0].funnel_id;
  const res = await bed.app.inject({ method: 'GET', url: '/docs/json' });
  assert.equal(res.statusCode, 200);
  spec = res.json();
});

after(() => bed?.close());

const SECURITY = [{ apiKey: [] }, { bearerKey: [] }, { accessToken: [] }];

test('the document validates and covers every route; project routes carry their security and error answers', async () => {
  await SwaggerParser.validate(structuredClone(spec));
  const documented = new Set(Object.entries(spec.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)));
  const routes = registeredRoutes(bed.app).filter((r) => !r.url.startsWith('/docs') && r.method !== 'HEAD' && r.method !== 'OPTIONS');
  for (const r of routes) assert.ok(documented.has(`${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`), `${r.method} ${r.url} is not documented`);
  const projectPaths = Object.keys(spec.paths).filter((p) => p.startsWith('/api/v1/projects/'));
  assert.ok(projectPaths.length >= 9, `only ${projectPaths.length} project routes documented`);
  for (const p of projectPaths) {
    for (const op of Object.values(spec.paths[p]) as { security: unknown; summary?: string; description?: string; responses: Record<string, unknown> }[]) {
      assert.deepEqual(op.security, SECURITY, p);
      assert.ok(op.summary && op.description, `${p} has a summary and a description`);
      for (const status of [op.responses['201'] ? '201' : '200', '400', '401', '403', '404']) assert.ok(op.responses[status], `${p} documents ${status}`);
    }
  }
});

test("the documented error codes are the ones the routes answer: a missing scope is insufficient_scope (RFC 6750 § 3.1), as on every service", () => {
  const codes = JSON.stringify(spec.components.schemas.Problem.properties.error.description);
  assert.match(codes, /\binsufficient_scope\b/);
  assert.doesNotMatch(codes, /missing_scope/);
});

test("every project route's documented example answers 200 with a body its schema accepts", async () => {
  const dereferenced = await SwaggerParser.dereference(structuredClone(spec));
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  let executed = 0;
  for (const [p, ops] of Object.entries(dereferenced.paths as Record<string, Record<string, { requestBody?: { content: Record<string, { example?: unknown }> }; parameters?: { in: string; name: string; example?: unknown; examples?: Record<string, { value: unknown }>; schema?: { example?: unknown; examples?: unknown[] } }[]; responses: Record<string, { content?: Record<string, { schema: object }> }> }>>)) {
    if (!p.startsWith('/api/v1/projects/')) continue;
    // Live routes need the live scope.
    const key = p.includes('/live/') ? bed.shop.liveKey : bed.shop.readKey;
    for (const [method, op] of Object.entries(ops).map(([m, o]) => [m.toUpperCase() as 'GET' | 'POST', o] as const)) {
      const query = new URLSearchParams();
      let url = p;
      for (const param of op.parameters ?? []) {
        const example = param.example ?? Object.values(param.examples ?? {})[0]?.value ?? param.schema?.example ?? param.schema?.examples?.[0];
        if (param.in === 'path') {
          const value = { project: bed.shop.project.id, visit_id: visitId, session_id: SESSION, user_id: USER, funnel_id: funnelId }[param.name];
          assert.ok(value !== undefined, `${p}: no seeded value for path parameter ${param.name}`);
          url = url.replace(`{${param.name}}`, encodeURIComponent(value));
        } else if (param.in === 'query' && example !== undefined && param.name !== 'from' && param.name !== 'to' && param.name !== 'cursor') {
          query.set(param.name, String(example));
        }
      }
      // The seeded events are from the last minutes; the examples' fixed dates would find nothing.
      if (op.responses['200']?.content?.['text/event-stream'] !== undefined) {
        // A stream never ends: its first message is its documented `ready`.
        const stream = await bed.getStream(url, key, Object.fromEntries(query));
        assert.equal(stream.status, 200, `${p}?${query}: ${JSON.stringify(stream.body)}`);
        assert.match(stream.body, /^retry: 1000\n\nevent: ready\ndata: \{/, p);
        executed++;
        continue;
      }
      // A POST route runs its request body's example (POST …/live/token takes none).
      const payload = op.requestBody?.content['application/json']?.example;
      const res = await bed.app.inject({ method, url: `${url}?${query}`, headers: { 'x-api-key': key }, ...(payload !== undefined ? { payload: payload as object } : {}) });
      // A route that creates answers 201.
      const status = op.responses['201'] !== undefined ? '201' : '200';
      assert.equal(res.statusCode, Number(status), `${method} ${p}?${query}: ${res.body}`);
      const schema = op.responses[status]?.content?.['application/json']?.schema;
      assert.ok(schema, `${p} documents its ${status} body`);
      const validate = ajv.compile(schema);
      assert.ok(validate(res.json()), `${p}: ${JSON.stringify(validate.errors?.slice(0, 3))}\n${res.body.slice(0, 500)}`);
      executed++;
    }
  }
  assert.ok(executed >= 9, `${executed} examples executed`);
});
