import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNdjsonLine } from './ndjson-line.ts';

/** A line as the source hands it over: its bytes, one latin1 character each. */
const raw = (bytes: string | Buffer) => (typeof bytes === 'string' ? Buffer.from(bytes) : bytes).toString('latin1');

test('a line is parsed exactly: multi-byte text kept, CR dropped, BOM ignored on line 1 only', () => {
  assert.deepEqual(parseNdjsonLine(raw('{"t":"Grüße 🎉","n":1.5}'), 7), { line: 7, value: { t: 'Grüße 🎉', n: 1.5 } });
  assert.deepEqual(parseNdjsonLine(raw('{"a":1}\r'), 2), { line: 2, value: { a: 1 } });
  assert.deepEqual(parseNdjsonLine(raw('\ufeff{"a":1}'), 1), { line: 1, value: { a: 1 } });
  const bomLater = parseNdjsonLine(raw('\ufeff{"a":1}'), 2);
  assert.ok(bomLater !== undefined && 'error' in bomLater && /byte order mark \(U\+FEFF\), which only the first line/.test(bomLater.error.message), JSON.stringify(bomLater));
});

test('blank lines carry no event', () => {
  for (const blank of ['', '\r', '  \t ', ' \r']) assert.equal(parseNdjsonLine(raw(blank), 3), undefined, JSON.stringify(blank));
});

test('invalid UTF-8 is refused naming the byte and the string, never replaced', () => {
  for (const [bytes, byte] of [
    [[0xff], '0xff'],
    [[0xc0, 0xaf], '0xc0'], // overlong "/"
    [[0xed, 0xa0, 0x80], '0xed'], // a UTF-16 surrogate
    [[0xe2, 0x82], '0xe2'], // truncated
  ] as const) {
    const line = Buffer.concat([Buffer.from('{"page_url":"https://x.example/'), Buffer.from(bytes), Buffer.from('"}')]);
    const item = parseNdjsonLine(raw(line), 4);
    assert.deepEqual(item, { line: 4, error: { field: '/page_url', message: `line is not valid UTF-8 (byte 31: ${byte})` } }, byte);
  }
});

test('numbers a double cannot hold and keys given twice are refused by field, as in a JSON body', () => {
  assert.deepEqual(parseNdjsonLine(raw('{"metadata":{"n":9007199254740993}}'), 1), {
    line: 1,
    error: { field: '/metadata/n', message: 'number 9007199254740993 cannot be stored exactly (a JSON number is kept as a 64-bit double); send it as a string' },
  });
  const dup = parseNdjsonLine(raw('{"a":1,"a":2}'), 1);
  assert.ok(dup !== undefined && 'error' in dup && dup.error.field === '/a', JSON.stringify(dup));
});

test('a line that is not one JSON object is refused saying what it is', () => {
  for (const [text, got] of [['[{"a":1}]', 'an array'], ['null', 'null'], ['42', 'number'], ['"x"', 'string']]) {
    assert.deepEqual(parseNdjsonLine(raw(text!), 5), { line: 5, error: { field: '/', message: `a line must hold one JSON object (one event); got ${got}` } });
  }
  const broken = parseNdjsonLine(raw('{"a":'), 6);
  assert.ok(broken !== undefined && 'error' in broken && /^line is not valid JSON/.test(broken.error.message));
});
