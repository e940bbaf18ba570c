import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage } from './parse-message.ts';

test('parseMessage accepts JSON objects and names every other case', () => {
  const cases: [string, Buffer | null, string | null][] = [
    ['object', Buffer.from('{"event_type":"x"}'), null],
    ['null value (tombstone)', null, 'empty_value'],
    ['empty bytes', Buffer.alloc(0), 'empty_value'],
    ['broken JSON', Buffer.from('{"a":'), 'invalid_json'],
    ['invalid UTF-8 garbage', Buffer.from([0xff, 0xfe, 0x00]), 'invalid_utf8'],
    ['invalid UTF-8 inside a JSON string', Buffer.concat([Buffer.from('{"event_type":"x","page_title":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]), 'invalid_utf8'],
    ['UTF-8 byte order mark', Buffer.from('\uFEFF{"event_type":"x"}'), 'invalid_json'],
    ['array', Buffer.from('[{}]'), 'not_an_object'],
    ['JSON null', Buffer.from('null'), 'not_an_object'],
    ['number', Buffer.from('42'), 'not_an_object'],
    ['string', Buffer.from('"x"'), 'not_an_object'],
    ['integer beyond 2^53', Buffer.from('{"event_type":"x","metadata":{"n":9007199254740993}}'), 'inexact_value'],
    ['overflow inside an array', Buffer.from('{"event_type":"x","metadata":{"l":[1,1e400]}}'), 'inexact_value'],
    ['a key given twice', Buffer.from('{"event_type":"x","event_type":"y"}'), 'inexact_value'],
    ['exact numbers in any notation', Buffer.from('{"event_type":"x","metadata":{"a":1.50,"b":1e2,"c":9007199254740991,"d":"1e400"}}'), null],
    ['escaped quotes and colons inside strings', Buffer.from('{"event_type":"x","page_title":"a\\":b\\\\","metadata":{"k\\"":"v:"}}'), null],
  ];
  for (const [name, input, reason] of cases) {
    const out = parseMessage(input);
    if (reason === null) assert.ok(out.ok, `${name}: ${JSON.stringify(out)}`);
    else assert.deepEqual(out.ok ? null : out.reason, reason, name);
  }
  const dup = parseMessage(Buffer.from('{"event_type":"x","metadata":{"l":[{"a":1,"a":2}]}}'));
  assert.deepEqual(dup, { ok: false, reason: 'inexact_value', detail: '/metadata/l/0/a is given twice in one object; only one value could be stored' });
});
