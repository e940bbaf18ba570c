// The query API's cost of reading a request body: Fastify's default JSON parser with ajv
// converting types (what the API did) against the exact reader (lib/http-body: charset, bytes,
// inexact numbers, repeated keys) plus the unstorable-text walk and validation as sent (what it
// does), on the POST /funnels schema, through app.inject with a handler that returns at once.
// Rounds alternate the two apps; the answer is CPU µs per request (process.cpuUsage), medians.
// Usage: node --import tsx bench/api-body.ts [rounds=7] [requests=20000]
import Fastify, { type FastifyInstance } from 'fastify';
import { registerJsonBody } from '../api/src/http/json-body.ts';
import { schemaController } from '../lib/schema-controller.ts';
import { FunnelBodySchema } from '../api/src/query/funnel-query.ts';

const rounds = Number(process.argv[2] ?? 7);
const requests = Number(process.argv[3] ?? 20_000);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The README's funnel, and a 10-step one with labels, pages and metadata conditions (about 1.6 KB). */
const BODIES = {
  readme: JSON.stringify({ steps: [{ event_type: 'page_view' }, { event_type: 'button_click' }], window: 'PT1H' }),
  ten_steps: JSON.stringify({
    steps: Array.from({ length: 10 }, (_, i) => ({ event_type: `step_${i}`, page: `/checkout/step-${i}`, label: `Étape ${i} — paiement`, metadata: { plan: 'pro', variant: `v${i}` } })),
    order: 'strict',
    unit: 'visit',
    window: 'P1D',
    from: '2026-11-01',
    to: '2026-11-30',
    tz: 'Europe/Berlin',
  }),
};

async function app(exact: boolean): Promise<FastifyInstance> {
  const a = exact ? Fastify({ schemaController: schemaController() }) : Fastify({ ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } } });
  if (exact) registerJsonBody(a);
  a.post('/funnels', { schema: { body: FunnelBodySchema } }, async () => ({ ok: true }));
  await a.ready();
  return a;
}

async function cpuMicrosPerRequest(a: FastifyInstance, body: string): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < requests; i++) {
    const res = await a.inject({ method: 'POST', url: '/funnels', headers: { 'content-type': 'application/json' }, payload: body });
    if (res.statusCode !== 200) throw new Error(`${res.statusCode} ${res.body}`);
  }
  const used = process.cpuUsage(start);
  return (used.user + used.system) / requests;
}

const apps = { before: await app(false), after: await app(true) };
for (const [name, body] of Object.entries(BODIES)) {
  const times: Record<'before' | 'after', number[]> = { before: [], after: [] };
  await cpuMicrosPerRequest(apps.before, body);
  await cpuMicrosPerRequest(apps.after, body);
  for (let r = 0; r < rounds; r++) {
    for (const which of (r % 2 === 0 ? ['before', 'after'] : ['after', 'before']) as ('before' | 'after')[]) times[which].push(await cpuMicrosPerRequest(apps[which], body));
  }
  const before = median(times.before);
  const after = median(times.after);
  const ratios = times.after.map((t, i) => t / times.before[i]!);
  console.log(`${name} (${Buffer.byteLength(body)} B): before ${before.toFixed(1)} µs, after ${after.toFixed(1)} µs CPU per request; after/before per round median ${median(ratios).toFixed(3)}`);
}
await Promise.all(Object.values(apps).map((a) => a.close()));
