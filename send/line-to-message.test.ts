// Lines -> Event messages: what the gRPC stream carries must be what the NDJSON route would read,
// field for field; what it could not carry as sent is refused by line with the contract's reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import protoLoader from '@grpc/proto-loader';
import { INGEST_PROTO } from '../collector/src/grpc/ingest-proto.ts';
import { lineToMessage, STRING_FIELDS, valueText } from './line-to-message.ts';

const line = (text: string, n = 2) => lineToMessage(Buffer.from(text, 'utf8'), n);

test('the string fields are the proto\'s Event fields but screen_width and metadata_json', () => {
  const definition = protoLoader.loadSync(INGEST_PROTO, { keepCase: true });
  const event = definition['analytics.v1.Event'] as { type: { field: { name: string }[] } };
  const names = event.type.field.map((f) => f.name).filter((n) => n !== 'screen_width' && n !== 'metadata_json');
  assert.deepEqual([...STRING_FIELDS].sort(), names.sort());
});

test('an event: present fields only, metadata as its own text on the line', () => {
  const text = '{"event_type":"order_paid","page_url":"https://shop.example/c","screen_width":390,"metadata":{ "amount" : 42.50, "tags":["a","}"], "q":"say \\"hi\\"" },"user_id":"u1"}';
  const out = line(text);
  assert.deepEqual(out, {
    kind: 'message',
    message: { event_type: 'order_paid', page_url: 'https://shop.example/c', screen_width: 390, metadata_json: '{ "amount" : 42.50, "tags":["a","}"], "q":"say \\"hi\\"" }', user_id: 'u1' },
  });
});

test('metadata text: found by its key at the top level only, escaped keys and nesting respected', () => {
  assert.equal(valueText('{"a":{"metadata":1},"metadata":[1,{"x":"]"}]}', 'metadata'), '[1,{"x":"]"}]');
  assert.equal(valueText('{"\\u006detadata":{"k":"v"}}', 'metadata'), '{"k":"v"}');
  assert.equal(valueText('{"metadata":"a\\\\"}', 'metadata'), '"a\\\\"');
  assert.equal(valueText('{"metadata_x":1}', 'metadata'), undefined);
});

test('refused by line as the JSON path refuses: not UTF-8, not JSON, inexact, duplicate key, not an object', () => {
  const cases: [Buffer | string, string, RegExp][] = [
    [Buffer.from([0x7b, 0xff, 0x7d]), '/', /UTF-8/],
    // Invalid bytes inside a string name that string's field, as the NDJSON route names it.
    [Buffer.concat([Buffer.from('{"event_type":"x","page_title":"caf'), Buffer.from([0xff]), Buffer.from('"}')]), '/page_title', /not valid UTF-8/],
    ['{"event_type":', '/', /not valid JSON/],
    ['{"event_type":"x","page_url":"https://a.example/","metadata":{"n":9007199254740993}}', '/metadata/n', /cannot be stored exactly/],
    ['{"event_type":"x","event_type":"y","page_url":"https://a.example/"}', '/event_type', /given twice/],
    ['[{"event_type":"x"}]', '/', /JSON object/],
    ['"text"', '/', /one JSON object \(one event\); got string/],
  ];
  for (const [input, field, message] of cases) {
    const out = lineToMessage(typeof input === 'string' ? Buffer.from(input) : input, 2);
    assert.equal(out.kind, 'refused', String(input));
    if (out.kind === 'refused') {
      assert.equal(out.errors[0]!.field, field, String(input));
      assert.match(out.errors[0]!.message, message);
    }
  }
});

test('a field the message cannot carry as sent: the contract names it (a number for a string, null, an unknown name)', () => {
  for (const [text, field] of [
    ['{"event_type":5,"page_url":"https://a.example/"}', '/event_type'],
    ['{"event_type":"x","page_url":"https://a.example/","page_title":null}', '/page_title'],
    ['{"event_type":"x","page_url":"https://a.example/","screen_width":1.5}', '/screen_width'],
    ['{"event_type":"x","page_url":"https://a.example/","colour":"red"}', '/colour'],
  ] as const) {
    const out = line(text);
    assert.equal(out.kind, 'refused', text);
    if (out.kind === 'refused') assert.ok(out.errors.some((e) => e.field === field), `${text}: ${JSON.stringify(out.errors)}`);
  }
});

test('blank lines are skipped; a byte order mark opens line 1 only', () => {
  assert.deepEqual(line(''), { kind: 'blank' });
  assert.deepEqual(line('  \t'), { kind: 'blank' });
  const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"event_type":"a","page_url":"https://a.example/"}')]);
  assert.equal(lineToMessage(bom, 1).kind, 'message');
  assert.equal(lineToMessage(bom, 2).kind, 'refused');
});
