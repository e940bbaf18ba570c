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
  ];
  for (const [name, input, reason] of cases) {
    const out = parseMessage(input);
    if (reason === null) assert.ok(out.ok, name);
    else assert.deepEqual(out.ok ? null : out.reason, reason, name);
  }
});
