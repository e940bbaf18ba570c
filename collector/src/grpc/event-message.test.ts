import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadIngestPackage } from './ingest-proto.ts';
import { messageToItem, withSizeLimit, withUtf8Check } from './event-message.ts';
import type { EventMessage } from './ingest-proto.ts';

// Through the real serializer and loader options, as grpc-js hands messages to the handler.
const method = loadIngestPackage().Ingest.service.StreamEvents!;
const decode = (message: Record<string, unknown>) => method.requestDeserialize(method.requestSerialize(message)) as Record<string, unknown>;

test('only the fields the sender set become the event: no "" or 0 for absent ones, no oneof markers', () => {
  const item = messageToItem(decode({ event_type: 'page_view', page_url: 'https://a.example/' }), 1);
  assert.deepEqual(item, { line: 1, value: { event_type: 'page_view', page_url: 'https://a.example/' } });
});

test('set to an empty string or 0 stays set (judged by the validator, not dropped)', () => {
  const item = messageToItem(decode({ event_type: '', page_url: 'https://a.example/', screen_width: 0 }), 2);
  assert.deepEqual(item, { line: 2, value: { event_type: '', page_url: 'https://a.example/', screen_width: 0 } });
});

test('metadata_json becomes metadata, parsed exactly', () => {
  const item = messageToItem(decode({ event_type: 'x', page_url: 'https://a.example/', metadata_json: '{"a":[1,2.5,"ü"],"b":{"c":null}}' }), 3);
  assert.deepEqual(item, { line: 3, value: { event_type: 'x', page_url: 'https://a.example/', metadata: { a: [1, 2.5, 'ü'], b: { c: null } } } });
});

test('metadata_json that is not JSON, holds an inexact number or a key twice is refused naming the field', () => {
  const refused = (metadata_json: string) => messageToItem(decode({ event_type: 'x', page_url: 'https://a.example/', metadata_json }), 4);
  const notJson = refused('{"a":');
  assert.ok('error' in notJson && notJson.error.field === '/metadata' && /metadata_json is not valid JSON/.test(notJson.error.message), JSON.stringify(notJson));
  assert.deepEqual((refused('{"n":{"price":9007199254740993}}') as { error: { field: string } }).error.field, '/metadata/n/price');
  assert.deepEqual((refused('{"a":1,"a":2}') as { error: { field: string } }).error.field, '/metadata/a');
});

test('screen_width: int64 within the exact range becomes a number; beyond it is refused by name', () => {
  assert.deepEqual(messageToItem(decode({ screen_width: 1280 }), 5), { line: 5, value: { screen_width: 1280 } });
  assert.deepEqual(messageToItem(decode({ screen_width: '-3' }), 5), { line: 5, value: { screen_width: -3 } });
  const big = messageToItem(decode({ screen_width: '9007199254740993' }), 6);
  assert.ok('error' in big && big.error.field === '/screen_width' && big.error.message.includes('9007199254740993'), JSON.stringify(big));
});

test('a string field holding bytes that are not UTF-8 is refused by name, never stored with U+FFFD in their place', () => {
  const checked = withUtf8Check(method.requestDeserialize as (raw: Buffer) => EventMessage);
  const raw = method.requestSerialize({ event_type: 'x', page_url: 'https://a.example/', page_title: 'AB' }) as Buffer;
  const at = raw.indexOf('AB');
  raw[at] = 0xff; // a byte no UTF-8 text holds
  assert.deepEqual(messageToItem(checked(raw), 7), { line: 7, error: { field: '/page_title', message: 'is not valid UTF-8' } });
  const bad = method.requestSerialize({ event_type: 'x', page_url: 'https://a.example/', metadata_json: '{"a":"AB"}' }) as Buffer;
  bad[bad.indexOf('AB')] = 0xc3; // a lead byte without its continuation
  assert.deepEqual(messageToItem(checked(bad), 8), { line: 8, error: { field: '/metadata', message: 'is not valid UTF-8' } });
  // A real U+FFFD the sender wrote is text like any other.
  const real = method.requestSerialize({ event_type: 'x', page_url: 'https://a.example/', page_title: 'A\uFFFDB' }) as Buffer;
  assert.deepEqual(messageToItem(checked(real), 9), { line: 9, value: { event_type: 'x', page_url: 'https://a.example/', page_title: 'A\uFFFDB' } });
});

test('bytes that are no protobuf message (an invalid tag, a field cut off before its length) are refused by number instead of ending the call', () => {
  const checked = withUtf8Check(method.requestDeserialize as (raw: Buffer) => EventMessage);
  for (const raw of [Buffer.from([0xff, 0xff, 0xff]), Buffer.from([0x0a])]) {
    const item = messageToItem(checked(raw), 4);
    assert.equal(item.line, 4);
    assert.ok('error' in item && item.error.field === '/' && /is not an analytics\.v1\.Event message/.test(item.error.message), JSON.stringify(item));
  }
});


test('a message over the size limit is refused undecoded, naming its size and the limit; one at the limit is read', () => {
  const raw = method.requestSerialize({ event_type: 'x', page_url: 'https://a.example/', page_title: 'y'.repeat(100) });
  const decodeRaw = withUtf8Check(method.requestDeserialize as (raw: Buffer) => EventMessage);
  const atLimit = messageToItem(withSizeLimit(raw.length, decodeRaw)(raw), 5);
  assert.ok('value' in atLimit, JSON.stringify(atLimit));
  const over = messageToItem(withSizeLimit(raw.length - 1, decodeRaw)(raw), 6);
  assert.deepEqual(over, { line: 6, error: { field: '/', message: `the message is ${raw.length} bytes, longer than ${raw.length - 1} bytes (STREAM_MAX_LINE_BYTES)` } });
});
