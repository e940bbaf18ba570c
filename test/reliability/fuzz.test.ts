// Collector fuzz: 10,000 generated hostile requests (test/reliability/hostile-requests.ts) against
// the real app with a real Kafka producer on a private topic. Every answer must be a 4xx JSON
// error naming the field (or the body / content type), never 2xx or 5xx; the collector stays
// healthy; and the topic stays empty. test/collector/hostile-input.test.ts is the collector's
// own smaller property test of mixed valid and invalid bodies; this one is all-hostile and large.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { hostileRequest, KINDS, type HostileRequest } from './hostile-requests.ts';
import { topicMessageCount } from './support.ts';
import { collectorBed } from '../collector/helpers.ts';

const RUNS = 10_000;
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_122);

const bed = await collectorBed('fuzz-events', { rateLimitMax: 0 });
const { app, kafka, topic } = bed;
after(() => bed.close());

const names = (errors: { field: string }[], wanted: string[]) =>
  errors.some((e) => wanted.some((w) => e.field === w || e.field.startsWith(`${w}/`)));

async function send(r: HostileRequest) {
  return app.inject({
    method: 'POST',
    url: '/analytics',
    headers: { ...(r.contentType === undefined ? {} : { 'content-type': r.contentType }), ...r.headers },
    payload: r.payload,
  });
}

test(`${RUNS} hostile requests: each a 4xx naming what is wrong, never 5xx; nothing reaches Kafka`, async (t) => {
  const kinds = new Map<string, number>();
  const statuses = new Map<number, number>();
  let tried = 0;
  await fc.assert(
    fc.asyncProperty(hostileRequest, async (r) => {
      const res = await send(r);
      tried++;
      kinds.set(r.kind, (kinds.get(r.kind) ?? 0) + 1);
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      const what = `${r.kind} (${r.contentType ?? 'no content type'}) ${r.payload.slice(0, 200).toString()}`;
      assert.equal(res.statusCode, r.status, `${what} -> ${res.statusCode} ${res.body.slice(0, 300)}`);
      assert.match(String(res.headers['content-type']), /^application\/json/, what);
      const body = res.json() as { success: boolean; error: string; message: string; errors?: { field: string; message: string }[] };
      assert.equal(body.success, false, what);
      assert.ok(body.message.length > 0, what);
      if (r.status === 413) assert.equal(body.error, 'payload_too_large', what);
      if (r.status === 415) {
        assert.ok(['unsupported_media_type', 'unsupported_charset', 'unsupported_content_encoding'].includes(body.error), what);
        assert.match(body.message, r.message ?? /content type/, what);
      }
      if (r.status === 403) {
        assert.equal(body.error, 'origin_not_allowed', what);
        if (r.message) assert.match(body.message, r.message, what);
      }
      if (r.status === 400) {
        assert.ok(body.errors !== undefined && body.errors.length > 0, `${what}: no errors[]`);
        assert.ok(names(body.errors, r.fields), `${what}: expected one of ${r.fields.join(' ')}, got ${JSON.stringify(body.errors).slice(0, 300)}`);
        // The named field's message says the actual reason.
        if (r.message) {
          const named = body.errors.filter((e) => r.fields.some((w) => e.field === w || e.field.startsWith(`${w}/`)));
          assert.ok(named.some((e) => r.message!.test(e.message)), `${what}: expected ${String(r.message)}, got ${JSON.stringify(named).slice(0, 300)}`);
        }
      }
      // The collector stays healthy throughout, not only at the end.
      if (tried % 1000 === 0) assert.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200, `health after ${tried}`);
    }),
    { numRuns: RUNS, seed: SEED, endOnFailure: true },
  );
  t.diagnostic(`tried ${tried}, statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
  t.diagnostic(`kinds ${JSON.stringify(Object.fromEntries([...kinds].sort()))}`);
  assert.equal(tried, RUNS);
  assert.equal(statuses.get(500) ?? 0, 0);
  // Every kind ran, and (above) each was answered as specified.
  assert.deepEqual([...kinds.keys()].sort(), KINDS);

  const health = await app.inject({ method: 'GET', url: '/health' });
  assert.equal(health.statusCode, 200);
  assert.equal(await topicMessageCount(kafka, topic), 0, 'no hostile request reached the topic');

  // The same check sees an accepted event, so an empty topic above means something.
  // (A client retries a 503, e.g. a produce slower than its timeout on a busy machine.)
  const post = () => app.inject({ method: 'POST', url: '/analytics', headers: { 'content-type': 'application/json' }, payload: { event_type: 'page_view', page_url: 'https://site.example/', event_id: '0b6c3f0e-5d2a-4f7e-9b1c-2a9d8e7f6a5b' } });
  let ok = await post();
  for (let attempt = 1; ok.statusCode === 503 && attempt < 20; attempt++) ok = await post();
  assert.equal(ok.statusCode, 200, ok.body);
  assert.ok((await topicMessageCount(kafka, topic)) >= 1);
});
