import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PROJECT_ID } from '#contract';
import { idFromForeignId, idFromPosition } from './deterministic-id.ts';
import { normalizeEvent, parseTimestamp, type EventRow, type RecordContext } from './normalize-event.ts';

const ctx: RecordContext = { topic: 't', partition: 1, offset: '42', timestamp: String(Date.UTC(2026, 0, 2, 3, 4, 5)), key: Buffer.from('key-session') };
const KAFKA_TIME = '2026-01-02T03:04:05.000Z';
const ID = '7d3c8a10-1b2c-4d5e-8f90-a1b2c3d4e5f6';
const PROJECT = '5b0c3c1e-7f2a-4d3b-9c4d-0123456789ab';
const full = {
  event_id: ID,
  event_type: 'page_view',
  page_url: 'https://x.example/',
  page_title: 'T',
  button_id: 'b',
  session_id: 's',
  user_agent: 'ua',
  site_id: 'site',
  timestamp: '2026-01-01T00:00:00.123Z',
  received_at: '2026-01-01T00:00:01Z',
  metadata: { a: 1 },
};

test('normalizeEvent maps contract events and fills defaults for other producers', () => {
  const cases: [string, Record<string, unknown>, Partial<EventRow>][] = [
    ['collector event kept as is', full, { event_id: ID, page_title: 'T', metadata: '{"a":1}', timestamp: '2026-01-01T00:00:00.123Z', received_at: '2026-01-01T00:00:01.000Z' }],
    ['uppercase uuid lowered', { ...full, event_id: ID.toUpperCase() }, { event_id: ID }],
    ['missing id derived from position', { event_type: 'x' }, { event_id: idFromPosition(ctx), page_url: '', session_id: 'key-session', metadata: '{}' }],
    ['foreign id derived from itself', { event_type: 'x', event_id: 'order-17' }, { event_id: idFromForeignId('order-17') }],
    ['missing times from Kafka record', { event_type: 'x' }, { timestamp: KAFKA_TIME, received_at: KAFKA_TIME }],
    ['timestamp defaults to received_at', { event_type: 'x', received_at: '2026-03-01T00:00:00Z' }, { timestamp: '2026-03-01T00:00:00.000Z' }],
    ['epoch seconds', { event_type: 'x', timestamp: 1767225600 }, { timestamp: '2026-01-01T00:00:00.000Z' }],
    ['epoch milliseconds', { event_type: 'x', timestamp: 1767225600123 }, { timestamp: '2026-01-01T00:00:00.123Z' }],
    ['offset time zone', { event_type: 'x', timestamp: '2026-01-01T02:00:00+02:00' }, { timestamp: '2026-01-01T00:00:00.000Z' }],
    ['strings cut to columns', { event_type: 'x', page_title: 'é'.repeat(300) }, { page_title: 'é'.repeat(200) }],
    ['NUL and lone surrogate repaired', { event_type: 'x', page_url: 'a\u0000b\uD800' }, { page_url: 'ab\uFFFD' }],
    ['numeric session id', { event_type: 'x', session_id: 12 }, { session_id: '12' }],
    ['non-object metadata wrapped', { event_type: 'x', metadata: [1, 2] }, { metadata: '{"value":[1,2]}' }],
    ['null metadata', { event_type: 'x', metadata: null }, { metadata: '{}' }],
    ['no project: the default project', { event_type: 'x' }, { project_id: DEFAULT_PROJECT_ID }],
    ['project kept, lower-cased', { event_type: 'x', project_id: PROJECT.toUpperCase() }, { project_id: PROJECT }],
    ['user and anonymous ids kept', { event_type: 'x', user_id: 'u-1', anonymous_id: 'a-1' }, { user_id: 'u-1', anonymous_id: 'a-1' }],
    ['user ids cut to their columns', { event_type: 'x', user_id: 'u'.repeat(250), anonymous_id: 12 }, { user_id: 'u'.repeat(200), anonymous_id: '12' }],
    ['no user ids', { event_type: 'x' }, { user_id: null, anonymous_id: null }],
    ['screen width read', { event_type: 'x', screen_width: 390 }, { screen_width: 390 }],
    ['screen width written as digits', { event_type: 'x', screen_width: '1280' }, { screen_width: 1280 }],
    ['a screen width the contract refuses is none', { event_type: 'x', screen_width: 100_001 }, { screen_width: null }],
    ['a negative screen width is none', { event_type: 'x', screen_width: -1 }, { screen_width: null }],
    ['a fractional screen width is none', { event_type: 'x', screen_width: 390.5 }, { screen_width: null }],
    ['a screen width of text is none', { event_type: 'x', screen_width: 'wide' }, { screen_width: null }],
    ['a screen width object is none', { event_type: 'x', screen_width: { w: 1 } }, { screen_width: null }],
  ];
  for (const [name, input, expected] of cases) {
    const out = normalizeEvent(input, ctx);
    assert.ok(out.ok, name);
    for (const [k, v] of Object.entries(expected)) assert.deepEqual(out.value[k as keyof EventRow], v, `${name}: ${k}`);
  }
});

test('normalizeEvent dead-letters what it cannot repair', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['no event_type', { page_url: 'x' }, 'missing_event_type'],
    ['blank event_type', { event_type: '  ' }, 'missing_event_type'],
    ['object event_type', { event_type: { a: 1 } }, 'missing_event_type'],
    ['garbage timestamp', { event_type: 'x', timestamp: 'soon' }, 'invalid_timestamp'],
    ['boolean timestamp', { event_type: 'x', timestamp: true }, 'invalid_timestamp'],
    ['year 10000', { event_type: 'x', timestamp: '+010000-01-01T00:00:00Z' }, 'timestamp_out_of_range'],
    ['before 1970', { event_type: 'x', received_at: '1969-12-31T23:59:59Z' }, 'timestamp_out_of_range'],
    ['huge metadata', { event_type: 'x', metadata: { big: 'x'.repeat(40_000) } }, 'metadata_too_large'],
    // 100,000 levels once overflowed the stack in cleanJson and stalled the partition.
    ['metadata nested 100,000 deep', { event_type: 'x', metadata: nested(100_000) }, 'metadata_too_deep'],
    ['metadata nested 20 deep is kept', { event_type: 'x', metadata: nested(20) }, 'ok'],
    ['project_id not a UUID', { event_type: 'x', project_id: 'acme' }, 'invalid_project_id'],
    ['project_id a number', { event_type: 'x', project_id: 1 }, 'invalid_project_id'],
    // Cleaning NUL from a key would merge it with its twin and lose a value.
    ['metadata keys that clean to one', { event_type: 'x', metadata: { a: 1, 'a\u0000': 2 } }, 'inexact_value'],
  ];
  for (const [name, input, reason] of cases) {
    const out = normalizeEvent(input, ctx);
    assert.equal(out.ok ? 'ok' : out.reason, reason, name);
  }
  // Kafka timestamps a producer may set: -1 is Kafka's "none"; one past Date's range once threw
  // in toISOString, outside every guard, and crashed the pipeline on every restart.
  const kafkaCases: [string, string, Record<string, unknown>, string][] = [
    ['Kafka "no timestamp" and no received_at', '-1', { event_type: 'x' }, 'timestamp_out_of_range'],
    ['Kafka time before 1970 and no received_at', '-5', { event_type: 'x' }, 'timestamp_out_of_range'],
    ['Kafka time past Date range and no received_at', '-8640000000000001', { event_type: 'x', timestamp: '2026-11-30T10:00:00Z' }, 'timestamp_out_of_range'],
    ['Kafka time past Date range, the record has received_at', '-8640000000000001', { event_type: 'x', received_at: '2026-11-30T10:00:00Z' }, 'ok'],
    ['Kafka time far ahead, the record has received_at', '8640000000000001', { event_type: 'x', received_at: '2026-11-30T10:00:00Z' }, 'ok'],
  ];
  for (const [name, kafkaTime, input, reason] of kafkaCases) {
    const out = normalizeEvent(input, { ...ctx, timestamp: kafkaTime });
    assert.equal(out.ok ? 'ok' : out.reason, reason, name);
  }
});

test('parseTimestamp accepts numeric strings as epochs', () => {
  assert.deepEqual(parseTimestamp('1767225600', 'ts'), { ok: true, value: '2026-01-01T00:00:00.000Z' });
});

function nested(levels: number): Record<string, unknown> {
  let node: Record<string, unknown> = { leaf: 1 };
  for (let i = 1; i < levels; i++) node = { n: node };
  return node;
}
