// Property test: arbitrary and hostile bodies never crash the collector or get a 5xx; every
// refusal names a field; and what reaches Kafka is what was accepted, exactly as sent. The records
// are checked against the bodies sent, with properties of their own, never with the contract's
// validator (the code under test).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PROJECT_ID, DEVICE_TYPES } from '#contract';
import fc from 'fast-check';
import { collectorBed, consumeRecords } from './helpers.ts';
import { ENRICHMENT_TEXT_LIMITS } from '../support/enrichment-limits.ts';

const bed = await collectorBed('collector-hostile', { rateLimitMax: 0 });
const { app, kafka, topic } = bed;
after(() => bed.close());

const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('\u0000', '\uD800', 'a\uDC00b', '__proto__', 'http://', 'https://x.test/\u0000', 'x'.repeat(600)),
);
const hostileKey = fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'prototype', '\u0000', '\uD800'));
const hostileValue = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, hostileString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), tie('object'), tie('array')),
  object: fc.dictionary(hostileKey, tie('value'), { maxKeys: 4 }),
  array: fc.array(tie('value'), { maxLength: 4 }),
})).value;

const validEvent = fc.record(
  {
    event_type: fc.constantFrom('page_view', 'button_click', 'navigation_click', 'page_unload', 'custom.event:v1'),
    page_url: fc.webUrl({ validSchemes: ['http', 'https'] }).filter((u) => u.length <= 500),
    // eslint-disable-next-line no-control-regex -- NUL is exactly what the filter removes
    session_id: fc.string({ minLength: 1, maxLength: 100 }).filter((s) => !/[\u0000\uD800-\uDFFF]/.test(s)),
    timestamp: fc.date({ min: new Date('1990-01-01'), max: new Date('2090-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
  },
  { requiredKeys: ['event_type', 'page_url'] },
);
// A valid event with one field replaced or added by something hostile.
const mutatedEvent = fc.tuple(validEvent, fc.oneof(hostileKey, fc.constantFrom('page_url', 'event_type', 'metadata', 'event_id')), hostileValue).map(
  ([event, key, value]) => Object.defineProperty({ ...event }, key, { value, enumerable: true, configurable: true, writable: true }),
);
const body = fc.oneof(
  hostileValue.map((v) => JSON.stringify(v) ?? 'null'),
  mutatedEvent.map((v) => JSON.stringify(v)),
  validEvent.map((v) => JSON.stringify(v)),
  fc.array(fc.oneof(validEvent, mutatedEvent), { minLength: 1, maxLength: 5 }).map((v) => JSON.stringify(v)),
  fc.string(), // usually not JSON at all
);

// Derived by the collector (docs/metrics.md § Per event): checked below for what a column holds.
const DERIVED_TEXT = ENRICHMENT_TEXT_LIMITS;
const SERVER_FIELDS = new Set(['event_id', 'timestamp', 'received_at', 'user_agent', 'client_timestamp', 'timestamp_adjustment', 'project_id', 'device_type', 'is_bot', 'engaged_ms', ...Object.keys(DERIVED_TEXT)]);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Every string (and key) in a value, wherever it nests. */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      strings(v, out);
    }
  }
  return out;
}

test('hostile bodies: 200 or 4xx naming fields, never 5xx; what reaches Kafka is what was accepted, as sent', async () => {
  let accepted = 0;
  // event id -> the item the client sent, for every item the collector answered as accepted.
  const sent = new Map<string, Record<string, unknown>>();
  const started = Date.now();
  await fc.assert(
    fc.asyncProperty(body, fc.constantFrom('application/json', 'text/plain;charset=UTF-8'), async (payload, contentType) => {
      const res = await app.inject({ method: 'POST', url: '/analytics', headers: { 'content-type': contentType }, payload });
      assert.ok(res.statusCode === 200 || res.statusCode === 400, `status ${res.statusCode} for ${payload}: ${res.body}`);
      const json = res.json();
      if (res.statusCode === 400) {
        assert.equal(json.success, false);
        assert.ok(json.errors.length > 0);
        for (const e of json.errors) assert.match(e.field, /^\//);
      } else {
        const body = JSON.parse(payload) as unknown;
        const items = (Array.isArray(body) ? body : [body]) as Record<string, unknown>[];
        const refused = new Set<number>((json.errors ?? []).map((e: { index: number }) => e.index));
        const acceptedItems = items.filter((_, i) => !refused.has(i));
        const ids: string[] = json.eventId !== undefined ? [json.eventId] : json.eventIds;
        assert.equal(ids.length, acceptedItems.length, `${payload} -> ${res.body}`);
        ids.forEach((id, i) => sent.set(id, acceptedItems[i]!));
        accepted += ids.length;
      }
    }),
    { numRuns: 300, seed: 20261122 },
  );
  assert.ok(accepted > 0, 'some generated events were valid');
  const health = await app.inject({ method: 'GET', url: '/health' });
  assert.equal(health.statusCode, 200, 'still serving');

  const records = await consumeRecords(kafka, topic, accepted);
  assert.equal(records.length, accepted);
  const finished = Date.now();
  const seen = new Set<string>();
  for (const r of records) {
    const record = r.value;
    const id = String(record.event_id);
    const what = JSON.stringify(record).slice(0, 300);
    assert.ok(!seen.has(id), `record twice: ${what}`);
    seen.add(id);
    const item = sent.get(id);
    assert.ok(item, `a record nobody was told was accepted: ${what}`);
    // Every field the client sent is in the record, exactly (timestamps are judged below).
    for (const [key, value] of Object.entries(item)) {
      if (key === 'timestamp') continue;
      assert.deepEqual(record[key], value, `${key} of ${what}`);
    }
    // Nothing else but what the server adds.
    for (const key of Object.keys(record)) assert.ok(key in item || SERVER_FIELDS.has(key), `unexpected ${key} in ${what}`);
    // Derived fields (a client cannot send them): storable in their columns whatever the client sent.
    for (const [key, max] of Object.entries(DERIVED_TEXT)) {
      const value = record[key];
      if (value !== undefined) assert.ok(typeof value === 'string' && value !== '' && [...value].length <= max, `${key} of ${what}`);
    }
    assert.match(String(record.page_path), /^\//, `page_path of ${what}`);
    assert.ok((DEVICE_TYPES as readonly unknown[]).includes(record.device_type), `device_type of ${what}`);
    assert.equal(typeof record.is_bot, 'boolean', `is_bot of ${what}`);
    assert.match(id, UUID);
    if (item.event_id !== undefined) assert.equal(id, item.event_id);
    const receivedAt = Date.parse(String(record.received_at));
    assert.ok(receivedAt >= started - 1000 && receivedAt <= finished + 1000, `received_at ${String(record.received_at)}`);
    // The event time is the client's instant, or receipt time with the client's value kept beside it.
    if (typeof item.timestamp === 'string') {
      if (record.timestamp_adjustment === undefined) assert.equal(Date.parse(String(record.timestamp)), Date.parse(item.timestamp), what);
      else {
        assert.equal(record.client_timestamp, item.timestamp, what);
        assert.equal(record.timestamp, record.received_at, what);
      }
    } else assert.equal(record.timestamp, record.received_at, what);
    // Text a database can store: valid Unicode, no NUL, so nothing is altered on the way.
    for (const text of strings(record)) {
      assert.ok(!text.includes('\u0000'), `NUL in ${what}`);
      assert.ok(!/\p{Cs}/u.test(text), `lone surrogate in ${what}`);
    }
    // The record's own bytes: the Kafka timestamp is receipt time, the key the project and the visitor.
    assert.equal(Number(r.timestamp), receivedAt);
    assert.match(String(record.visitor_id), /^h:[0-9a-f]{32}$/, what);
    assert.equal(r.key, `${DEFAULT_PROJECT_ID}:${String(record.visitor_id)}`);
  }
});
