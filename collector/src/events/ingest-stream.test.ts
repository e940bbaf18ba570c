// The streaming core over the real collect use case and an in-memory publisher: line numbers of
// refusals, the acknowledged prefix, back-pressure, limits and outages (test/collector/ streams
// through real Kafka and PostgreSQL).
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import assert from 'node:assert/strict';
import { DEFAULT_PROJECT_ID, LIMITS, validateServerEvent, type CollectedEvent, type ServerEvent } from '#contract';
import { createCollect, type CollectFn } from './collect-events.ts';
import { ingestStream, type StreamItem, type StreamOptions } from './ingest-stream.ts';
import { createMemoryPublisher } from './memory-publisher.ts';
import { createMemorySalts } from '../visitors/memory-salts.ts';

const event = (n: number) => ({ event_type: 'page_view', page_url: `http://test.com/p/${n}`, session_id: `s-${n % 7}` });

function setup(overrides: Partial<StreamOptions<ServerEvent>> = {}) {
  const publisher = createMemoryPublisher();
  const collect = createCollect({ publisher, salts: createMemorySalts(), maxFutureSkewMs: 300_000, maxPastAgeMs: 86_400_000, now: () => new Date(), newId: () => crypto.randomUUID() });
  const options: StreamOptions<ServerEvent> = {
    collect,
    rules: { validate: validateServerEvent, maxBatch: LIMITS.serverBatchSize },
    assign: () => ({ ok: true, projectId: DEFAULT_PROJECT_ID }),
    chunkSize: 100,
    lingerMs: 50,
    maxInFlight: 4,
    maxEvents: 100_000,
    maxErrors: 100,
    ...overrides,
  };
  return { publisher, options };
}

async function* items(values: readonly (unknown | Error)[], pulled?: { n: number }): AsyncGenerator<StreamItem> {
  let line = 0;
  for (const value of values) {
    line += 1;
    if (pulled) pulled.n += 1;
    yield value instanceof Error ? { line, error: { field: '/', message: value.message } } : { line, value };
  }
}

const pageOf = (e: CollectedEvent) => Number(e.page_url.split('/').pop());

test('every valid line is published once, in order; refusals name their line and the field within the event', async () => {
  const { publisher, options } = setup();
  const values: unknown[] = Array.from({ length: 250 }, (_, i) => event(i + 1));
  values[9] = { event_type: 'page_view' }; // line 10: no page_url
  values[119] = new Error('not JSON'); // line 120
  values[249] = { ...event(250), page_url: 'nope', event_type: '' }; // line 250: two fields, one item
  const told = { accepted: 0, rejected: 0 };
  const outcome = await ingestStream(items(values), { ...options, onAnswered: (a, r) => ((told.accepted += a), (told.rejected += r)) });
  assert.equal(outcome.status, 'complete');
  assert.deepEqual(told, { accepted: 247, rejected: 3 }, 'onAnswered counts each item once, refused before collect or by it');
  assert.equal(outcome.summary.accepted, 247);
  assert.equal(outcome.summary.rejected, 3);
  assert.equal(outcome.summary.last_acked_line, 250);
  assert.deepEqual([...new Set(outcome.summary.errors.map((e) => `${e.line} ${e.field}`))], ['10 /page_url', '120 /', '250 /event_type', '250 /page_url']);
  const expected = Array.from({ length: 250 }, (_, i) => i + 1).filter((n) => ![10, 120, 250].includes(n));
  assert.deepEqual(publisher.published.map(pageOf), expected);
});

test('only the first maxErrors refusals are listed; all are counted', async () => {
  const { options } = setup({ maxErrors: 5 });
  const outcome = await ingestStream(items(Array.from({ length: 30 }, () => ({ event_type: 'x' }))), options);
  assert.equal(outcome.summary.rejected, 30);
  assert.deepEqual(outcome.summary.errors.map((e) => e.line), [1, 2, 3, 4, 5]);
  assert.equal(outcome.summary.last_acked_line, 30);
});

test('errors lists the first refusals by line, even when a later chunk is answered before an earlier one', async () => {
  const { options } = setup({ chunkSize: 10, maxInFlight: 4, maxErrors: 5 });
  const inner = options.collect;
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let calls = 0;
  // The first chunk waits for Kafka; the all-invalid chunks after it are answered at once.
  const heldFirst: CollectFn = async (request) => {
    calls += 1;
    if (calls === 1) await released;
    return inner(request);
  };
  // Lines 1-4 valid, 5-40 refused: the first chunk (1-10) holds both and waits for Kafka.
  const values: unknown[] = [...Array.from({ length: 4 }, (_, i) => event(i + 1)), ...Array.from({ length: 36 }, () => ({ event_type: 'page_view' }))];
  const done = ingestStream(items(values), { ...options, collect: heldFirst });
  await new Promise((r) => setTimeout(r, 50));
  release();
  const outcome = await done;
  assert.deepEqual([outcome.summary.accepted, outcome.summary.rejected], [4, 36]);
  assert.deepEqual(outcome.summary.errors.map((e) => e.line), [5, 6, 7, 8, 9]);
});

test('back-pressure: while maxInFlight chunks wait for Kafka, no further item is read', async () => {
  const { options } = setup({ chunkSize: 10, maxInFlight: 2 });
  const gates: (() => void)[] = [];
  const inner = options.collect;
  const held: CollectFn = (request) => new Promise((resolve) => gates.push(() => resolve(inner(request))));
  const pulled = { n: 0 };
  const done = ingestStream(items(Array.from({ length: 100 }, (_, i) => event(i)), pulled), { ...options, collect: held });
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(gates.length, 2);
  assert.ok(pulled.n <= 21, `read ${pulled.n} items with two chunks of 10 unacknowledged`);
  const release = setInterval(() => gates.splice(0).forEach((g) => g()), 5);
  const outcome = await done;
  clearInterval(release);
  assert.equal(outcome.summary.accepted, 100);
});

test('a long stream holds only its unanswered chunks: the events of acknowledged chunks can be collected while it goes on', async () => {
  // A full garbage collection on demand (V8's gc(), exposed for this test only).
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const { options } = setup({ chunkSize: 10, maxInFlight: 2 });
  // Collect that keeps nothing: whatever still holds an event after its answer is the core.
  const forgetful: CollectFn = async ({ body }) => ({ status: 'accepted', kind: 'batch', eventIds: (body as unknown[]).map((_, i) => `id-${i}`), errors: [], size: (body as unknown[]).length });
  const refs: WeakRef<object>[] = [];
  let resume!: () => void;
  const paused = new Promise<void>((r) => (resume = r));
  let reachedPause!: () => void;
  const atPause = new Promise<void>((r) => (reachedPause = r));
  async function* source(): AsyncGenerator<StreamItem> {
    for (let line = 1; line <= 100; line++) {
      const value = event(line);
      refs.push(new WeakRef(value));
      yield { line, value };
    }
    reachedPause();
    await paused; // the stream stays open, its first 100 events answered
    for (let line = 101; line <= 110; line++) yield { line, value: event(line) };
  }
  const told = { accepted: 0, rejected: 0 };
  const onAnswered = (accepted: number, rejected: number) => {
    told.accepted += accepted;
    told.rejected += rejected;
  };
  const done = ingestStream(source(), { ...options, collect: forgetful, onAnswered });
  await atPause;
  await new Promise((r) => setTimeout(r, 20));
  // Metrics hear of answered chunks while the stream is still open, not only at its end.
  assert.deepEqual(told, { accepted: 100, rejected: 0 });
  gc();
  // The last item read may still sit in a local of the reader's frame: one item, not a growing list.
  const alive = refs.slice(0, -1).filter((r) => r.deref() !== undefined).length;
  assert.equal(alive, 0, `${alive} of 99 acknowledged events are still held by the open stream`);
  resume();
  const outcome = await done;
  assert.deepEqual({ accepted: outcome.summary.accepted, last: outcome.summary.last_acked_line }, { accepted: 110, last: 110 });
  assert.deepEqual(told, { accepted: 110, rejected: 0 });
});

test('an outage stops reading and answers the acknowledged prefix; nothing after it is sent', async () => {
  const { publisher, options } = setup({ chunkSize: 10, maxInFlight: 1 });
  let calls = 0;
  const inner = options.collect;
  const failing: CollectFn = (request) => {
    calls += 1;
    if (calls === 4) publisher.failWith('send_failed');
    return inner(request);
  };
  const pulled = { n: 0 };
  const outcome = await ingestStream(items(Array.from({ length: 100 }, (_, i) => event(i + 1)), pulled), { ...options, collect: failing });
  assert.equal(outcome.status, 'unavailable');
  assert.equal(outcome.summary.last_acked_line, 30);
  assert.equal(outcome.summary.accepted, 30);
  assert.deepEqual(publisher.published.map(pageOf), Array.from({ length: 30 }, (_, i) => i + 1));
  assert.ok(pulled.n <= 41, `read ${pulled.n} items`);
});

test('more items than maxEvents: refused from the first one over, what came before is answered', async () => {
  const { publisher, options } = setup({ maxEvents: 15, chunkSize: 10 });
  const outcome = await ingestStream(items(Array.from({ length: 40 }, (_, i) => event(i + 1))), options);
  assert.equal(outcome.status, 'too_many_events');
  assert.equal(outcome.summary.accepted, 15);
  assert.equal(outcome.summary.last_acked_line, 15);
  assert.equal(publisher.published.length, 15);
});

test('a slow stream: a partial chunk reaches Kafka after lingerMs, before the stream ends', async () => {
  const { publisher, options } = setup({ chunkSize: 100, lingerMs: 20 });
  let seenMidway = -1;
  async function* slow(): AsyncGenerator<StreamItem> {
    yield { line: 1, value: event(1) };
    yield { line: 2, value: event(2) };
    await new Promise((r) => setTimeout(r, 150));
    seenMidway = publisher.published.length;
    yield { line: 3, value: event(3) };
  }
  const outcome = await ingestStream(slow(), options);
  assert.equal(seenMidway, 2);
  assert.equal(outcome.summary.accepted, 3);
});

test('a failing source: reading stops, the items read before are still answered', async () => {
  const { publisher, options } = setup();
  async function* broken(): AsyncGenerator<StreamItem> {
    yield { line: 1, value: event(1) };
    yield { line: 2, value: event(2) };
    throw new Error('line 3 is longer than the limit');
  }
  const outcome = await ingestStream(broken(), options);
  assert.equal(outcome.status, 'source_failed');
  assert.equal(outcome.summary.last_acked_line, 2);
  assert.equal(publisher.published.length, 2);
});

test('chunks awaiting Kafka hold their line numbers, not their events', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const refs: WeakRef<object>[] = [];
  const acks: (() => void)[] = [];
  // Records made at once (as the Kafka adapter does), answered only when the test says so.
  const holding = {
    publish: () => new Promise<{ ok: true; value: undefined }>((resolve) => acks.push(() => resolve({ ok: true, value: undefined }))),
  };
  const collect = createCollect({ publisher: holding, salts: createMemorySalts(), maxFutureSkewMs: 300_000, maxPastAgeMs: 86_400_000, now: () => new Date(), newId: () => crypto.randomUUID() });
  const { options } = setup({ collect, chunkSize: 50, maxInFlight: 4 });
  async function* source(): AsyncGenerator<StreamItem> {
    for (let line = 1; line <= 200; line++) {
      const value = event(line);
      refs.push(new WeakRef(value));
      yield { line, value };
    }
  }
  const done = ingestStream(source(), options);
  await waitUntil(() => acks.length === 4);
  gc();
  // The last item read may still sit in a local of the reader's frame: one item, not the chunks.
  const alive = refs.slice(0, -1).filter((r) => r.deref() !== undefined).length;
  assert.equal(alive, 0, `${alive} of 199 events of chunks awaiting Kafka are still held`);
  for (const ack of acks) ack();
  const outcome = await done;
  assert.deepEqual({ accepted: outcome.summary.accepted, last: outcome.summary.last_acked_line }, { accepted: 200, last: 200 });
});

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(condition(), 'condition reached');
}
