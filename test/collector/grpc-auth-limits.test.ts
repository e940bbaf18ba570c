// gRPC ingestion's keys and limits against the real Kafka and the real tenancy directory: each
// refusal has its status code (and nothing of it reaches Kafka), another project's key, site key
// or project id never moves an event into it, and the stream limits (streams per key, messages per
// stream, idle timeout, message size) answer with what was stored before them. Back-pressure: with
// Kafka's acks held, a client writing as fast as flow control lets it is stopped after a bounded
// number of messages.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import type { Client } from '@grpc/grpc-js';
import type { EventPublisher } from '../../collector/src/events/publisher.ts';
import { GRPC_MAX_MESSAGE_BYTES } from '../../collector/src/grpc/grpc-server.ts';
import { RETRY_PUSHBACK_TRAILER } from '../../collector/src/grpc/ingest-status.ts';
import { createTopic, deleteTopics, testKafka } from '../support/kafka.ts';
import { waitFor } from '../support/service-kit.ts';
import { consumeRecords } from './helpers.ts';
import { eventMessage, grpcBed, keyMetadata, openStream, streamEvents, type EventMessage, type GrpcBed } from './grpc-helpers.ts';
import { seedTenants, type Tenants } from './tenants.ts';

const kafka = await testKafka('grpc-auth-limits-test');
let topic: string;
let tenants: Tenants;
let bed: GrpcBed;
let client: Client;
const MAX_EVENTS = 50;

before(async () => {
  topic = await createTopic(kafka, 'test-grpc-auth-limits');
  tenants = await seedTenants();
  bed = await grpcBed({ kafkaTopic: topic, streamMaxPerKey: 2, streamMaxEvents: MAX_EVENTS, streamIdleTimeoutMs: 400, streamMaxLineBytes: 2048, streamLingerMs: 5 }, tenants.directory);
  client = bed.client();
});

after(async () => {
  await bed.close();
  await tenants.close();
  await deleteTopics(kafka, [topic]);
});

/** Event ids sent in accepted streams, with the project each must land in. */
const expected = new Map<string, string>();
const shopPage = (i: number, overrides: EventMessage = {}) => eventMessage(i, { page_url: `https://shop.example/p/${i}`, ...overrides });

test('keys: none, unknown, revoked, a site key → UNAUTHENTICATED; no ingest scope → PERMISSION_DENIED; another project → NOT_FOUND', async () => {
  const { shop, blog } = tenants;
  const cases: [string, ReturnType<typeof keyMetadata>, status][] = [
    ['no key', keyMetadata(undefined), status.UNAUTHENTICATED],
    ['unknown key', keyMetadata(`sk_${'0'.repeat(40)}`), status.UNAUTHENTICATED],
    ["another project's site key as the key", keyMetadata(blog.project.siteKey), status.UNAUTHENTICATED],
    ['read-only key', keyMetadata(shop.readKey), status.PERMISSION_DENIED],
    ["own key, x-project of another organization's project", keyMetadata(shop.ingestKey, blog.project.id), status.NOT_FOUND],
    ["organization key, x-project of another organization's project", keyMetadata(shop.orgKey, blog.project.id), status.NOT_FOUND],
    ['organization key without x-project', keyMetadata(shop.orgKey), status.INVALID_ARGUMENT],
  ];
  for (const [what, metadata, code] of cases) {
    const answer = await streamEvents(client, metadata, [shopPage(1), shopPage(2)]);
    assert.equal(status[answer.code], status[code], `${what}: ${answer.details}`);
    assert.ok(!answer.details.includes(blog.project.name) && !answer.details.includes(blog.project.orgId), `${what} names the other tenant: ${answer.details}`);
  }
  const missing = await streamEvents(client, keyMetadata(undefined), [shopPage(1)]);
  assert.match(missing.details, /metadata x-api-key/, 'the answer says where a gRPC client puts the key');
  await tenants.revoke(shop.spareKey);
  const revoked = await streamEvents(client, keyMetadata(shop.spareKey), [shopPage(3)]);
  assert.equal(status[revoked.code], 'UNAUTHENTICATED', revoked.details);
});

test("an organization key with x-project streams into that project; another project's site key in site_id is refused by message", async () => {
  const { shop, blog } = tenants;
  const messages = [shopPage(10), eventMessage(11, { site_id: blog.project.siteKey }), shopPage(12)];
  const answer = await streamEvents(client, keyMetadata(shop.orgKey, shop.project.id), messages);
  assert.equal(status[answer.code], 'OK', answer.details);
  assert.deepEqual({ ...answer.summary, errors: undefined }, { accepted: 2, rejected: 1, last_acked_line: 3, errors: undefined });
  assert.deepEqual(answer.summary!.errors, [{ line: 2, field: '/site_id', message: "is not the site key of the API key's project" }]);
  expected.set(String(messages[0]!.event_id), shop.project.id);
  expected.set(String(messages[2]!.event_id), shop.project.id);
});

test('every message refused → INVALID_ARGUMENT with the summary in the x-ingest-summary trailer', async () => {
  const answer = await streamEvents(client, keyMetadata(tenants.blog.ingestKey), [eventMessage(1, { event_type: undefined }), eventMessage(2, { page_url: 'not a url' })]);
  assert.equal(status[answer.code], 'INVALID_ARGUMENT', answer.details);
  assert.equal(answer.summary?.accepted, 0);
  assert.equal(answer.summary?.rejected, 2);
  assert.deepEqual(answer.summary?.errors.map((e) => [e.line, e.field]), [[1, '/event_type'], [2, '/page_url']]);
});

test('refusals naming keys with non-ASCII text or a lone surrogate are answered readably: the trailer as ASCII JSON, the message as well-formed text', async () => {
  // Every message refused: the summary travels in a trailer, and gRPC metadata values are printable ASCII.
  const refused = await streamEvents(client, keyMetadata(tenants.blog.ingestKey), [eventMessage(1, { metadata_json: '{"kéy":"a\\u0000b"}' })]);
  assert.equal(status[refused.code], 'INVALID_ARGUMENT', refused.details);
  assert.deepEqual(refused.summary?.errors.map((e) => [e.line, e.field]), [[1, '/metadata/kéy']]);
  // Accepted beside a refusal: the summary is the response message, whose strings must be UTF-8.
  const messages = [shopPage(30), eventMessage(31, { metadata_json: '{"\\ud800":1}' })];
  const answer = await streamEvents(client, keyMetadata(tenants.shop.ingestKey), messages);
  assert.equal(status[answer.code], 'OK', answer.details);
  assert.deepEqual(answer.summary?.errors.map((e) => [e.line, e.field]), [[2, '/metadata/\\ud800']], 'the lone surrogate written as its escape');
  assert.ok(answer.summary!.errors.every((e) => !/[\uD800-\uDFFF]/.test(e.field + e.message)), 'no surrogate code unit reaches the message');
  expected.set(String(messages[0]!.event_id), tenants.shop.project.id);
});

test('a key holding streamMaxPerKey streams → RESOURCE_EXHAUSTED for a third; other keys unaffected; a slot frees when a stream ends', async () => {
  const { shop, blog } = tenants;
  const open = [openStream(client, keyMetadata(shop.ingestKey)), openStream(client, keyMetadata(shop.ingestKey))];
  const first = [shopPage(20), shopPage(21)];
  open[0]!.call.write(first[0]!);
  open[1]!.call.write(first[1]!);
  const keyId = tenants.directory.verifyKey(shop.ingestKey)!.keyId;
  await waitFor('both streams open', () => bed.app.ingestion.streamSlots.held(keyId) === 2);
  const third = await streamEvents(client, keyMetadata(shop.ingestKey), [shopPage(22)]);
  assert.equal(status[third.code], 'RESOURCE_EXHAUSTED', third.details);
  assert.match(third.details, /2 open streams/);
  const blogEvent = eventMessage(23, { page_url: 'https://blog.example/a' });
  const other = await streamEvents(client, keyMetadata(blog.ingestKey), [blogEvent]);
  assert.equal(status[other.code], 'OK', other.details);
  expected.set(String(blogEvent.event_id), blog.project.id);
  open[0]!.call.end();
  assert.equal(status[(await open[0]!.answer).code], 'OK');
  const later = shopPage(24);
  const again = await streamEvents(client, keyMetadata(shop.ingestKey), [later]);
  assert.equal(status[again.code], 'OK', again.details);
  expected.set(String(later.event_id), shop.project.id);
  open[1]!.call.end();
  assert.equal(status[(await open[1]!.answer).code], 'OK');
  for (const m of first) expected.set(String(m.event_id), shop.project.id);
});

test('no message for streamIdleTimeoutMs → DEADLINE_EXCEEDED with the summary of what was stored', async () => {
  const { call, answer } = openStream(client, keyMetadata(tenants.shop.ingestKey));
  const sent = [shopPage(30), shopPage(31), shopPage(32)];
  for (const m of sent) call.write(m);
  const result = await answer; // the client never half-closes
  assert.equal(status[result.code], 'DEADLINE_EXCEEDED', result.details);
  assert.deepEqual(result.summary, { accepted: 3, rejected: 0, errors: [], last_acked_line: 3 });
  for (const m of sent) expected.set(String(m.event_id), tenants.shop.project.id);
  // Operators see gRPC streams' outcomes beside NDJSON's.
  const metrics = (await bed.app.inject({ method: 'GET', url: '/metrics' })).body;
  assert.match(metrics, /^collector_streams_total\{transport="grpc",outcome="idle"\} [1-9]/m);
  assert.match(metrics, /^collector_streams_total\{transport="grpc",outcome="too_many_streams"\} [1-9]/m);
});

test('more than streamMaxEvents messages → RESOURCE_EXHAUSTED; the first streamMaxEvents are stored', async () => {
  const sent = Array.from({ length: MAX_EVENTS + 10 }, (_, i) => shopPage(100 + i));
  const answer = await streamEvents(client, keyMetadata(tenants.shop.ingestKey), sent);
  assert.equal(status[answer.code], 'RESOURCE_EXHAUSTED', answer.details);
  assert.deepEqual(answer.summary, { accepted: MAX_EVENTS, rejected: 0, errors: [], last_acked_line: MAX_EVENTS });
  assert.equal(answer.trailers.get(RETRY_PUSHBACK_TRAILER).length, 0, 'not a retryable status');
  for (const m of sent.slice(0, MAX_EVENTS)) expected.set(String(m.event_id), tenants.shop.project.id);
});

test('a message over streamMaxLineBytes is refused by its number and the stream goes on; one over grpc-js\'s 4 MiB ends the call (RESOURCE_EXHAUSTED)', async () => {
  const kept = [shopPage(200), shopPage(201), shopPage(203)];
  const long = shopPage(202, { page_title: 'x'.repeat(4096) });
  const result = await streamEvents(client, keyMetadata(tenants.shop.ingestKey), [kept[0]!, kept[1]!, long, kept[2]!]);
  assert.equal(status[result.code], 'OK', `${result.details} ${JSON.stringify(result.summary)}`);
  assert.deepEqual([result.summary?.accepted, result.summary?.rejected, result.summary?.last_acked_line], [3, 1, 4]);
  assert.equal(result.summary?.errors[0]?.line, 3);
  assert.match(result.summary?.errors[0]?.message ?? '', /^the message is \d+ bytes, longer than 2048 bytes \(STREAM_MAX_LINE_BYTES\)$/);
  for (const m of kept) expected.set(String(m.event_id), tenants.shop.project.id);

  const { call, answer } = openStream(client, keyMetadata(tenants.shop.ingestKey));
  call.write(shopPage(204, { page_title: 'x'.repeat(GRPC_MAX_MESSAGE_BYTES) }));
  call.end();
  const huge = await answer;
  assert.equal(status[huge.code], 'RESOURCE_EXHAUSTED', `${huge.details} ${JSON.stringify(huge.summary)}`);
  assert.match(huge.details, /larger than/);
});

/** The real publisher behind a gate: publish() waits until open() (Kafka "slow"), counting what it was handed. */
function gated(publisher: EventPublisher) {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  let handed = 0;
  const wrapped: EventPublisher = {
    isReady: () => publisher.isReady(),
    onFlush: (listener) => publisher.onFlush(listener),
    onReadyChange: (listener) => publisher.onReadyChange(listener),
    close: () => publisher.close(),
    async publish(events) {
      handed += events.length;
      await opened;
      return publisher.publish(events);
    },
  };
  return { wrapped, open: () => open(), handed: () => handed };
}

test('back-pressure: while Kafka holds its acks, a client writing 30,000 messages as fast as it may is stopped after a bounded number; all are stored once the acks come', async () => {
  let gate!: ReturnType<typeof gated>;
  const slow = await grpcBed({ kafkaTopic: topic, streamChunkSize: 100, streamMaxInFlight: 2, streamLingerMs: 20 }, tenants.directory, { wrap: (p) => (gate = gated(p)).wrapped });
  try {
    const { call, answer } = openStream(slow.client(), keyMetadata(tenants.blog.ingestKey));
    const total = 30_000;
    const sent: string[] = [];
    const writer = (async () => {
      for (let i = 0; i < total; i++) {
        const m = eventMessage(i, { page_url: `https://blog.example/bp/${i}` });
        sent.push(String(m.event_id));
        if (!call.write(m)) await new Promise((r) => call.once('drain', r));
      }
      call.end();
    })();
    // Quiescence: the count the client got written stops moving (flow control holds it).
    let last = -1;
    await waitFor('the client is held', () => {
      const now = sent.length;
      const still = now === last;
      last = now;
      return still;
    }, { intervalMs: 1000, timeoutMs: 30_000 });
    const held = sent.length;
    // The collector took at most maxInFlight chunks into the publisher; the rest of what the client
    // wrote sits in one partial chunk, grpc-js's 16-message read buffer and the HTTP/2 windows and
    // the client's own write buffers: about 1.6 MB, 7,216 of these messages whether 20,000 or
    // 60,000 were offered. Without back-pressure the collector would read all 30,000.
    assert.ok(gate.handed() <= 2 * 100, `handed to Kafka while held: ${gate.handed()}`);
    assert.ok(held < 10_000, `the client wrote ${held} of ${total} messages while Kafka held every ack`);
    gate.open();
    await writer;
    const result = await answer;
    assert.equal(status[result.code], 'OK', result.details);
    assert.deepEqual(result.summary, { accepted: total, rejected: 0, errors: [], last_acked_line: total });
    for (const id of sent) expected.set(id, tenants.blog.project.id);
  } finally {
    await slow.close();
  }
});

test("Kafka holds exactly the accepted streams' events, each in its project (nothing refused, nothing twice)", async () => {
  const records = await consumeRecords(kafka, topic, expected.size + 1, 5000).catch(() => undefined);
  const extra = records?.filter((r) => !expected.has(String(r.value.event_id))).map((r) => r.value);
  assert.equal(records, undefined, `more records than accepted events: ${JSON.stringify(extra)}`);
  const all = await consumeRecords(kafka, topic, expected.size);
  assert.equal(all.length, expected.size);
  for (const r of all) assert.equal(r.value.project_id, expected.get(String(r.value.event_id)), JSON.stringify(r.value));
});
