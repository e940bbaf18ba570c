// The canonical writer and reader: fixed field order, values unchanged (numbers, unicode, escapes),
// and the reader accepting only what the contract's full validation accepts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CANONICAL_FIELDS, writeCanonicalRecord } from './canonical-record.ts';
import { readCanonicalRecord } from './canonical-read.ts';
import type { CollectedEvent } from './event-schema.ts';
import { validateCollectedEvent } from './validate-event.ts';
import { findInexact } from './exact-json.ts';

const base: CollectedEvent = {
  event_id: '7d3c8a10-1b2c-4d5e-8f90-a1b2c3d4e5f6',
  event_type: 'page_view',
  page_url: 'https://shop.example/p?q=1',
  timestamp: '2026-11-30T10:00:00.123456+05:45',
  received_at: '2026-11-30T04:15:00.124Z',
  project_id: '5b0c3c1e-7f2a-4d3b-9c4d-0123456789ab',
  visitor_id: 'h:0123456789abcdef0123456789abcdef',
  page_path: '/p',
  is_bot: false,
};

/** The same fields, received_at first: not the canonical order. */
const receivedFirst = ({ received_at, ...rest }: CollectedEvent) => ({ received_at, ...rest });
const read = (text: string) => readCanonicalRecord(text, JSON.parse(text) as unknown, Buffer.byteLength(text));

test('fields are written in the contract order whatever order the object has', () => {
  const shuffled = Object.fromEntries(Object.entries({ ...base, metadata: { b: 1, a: [2] }, screen_width: 390 }).reverse()) as unknown as CollectedEvent;
  const text = writeCanonicalRecord(shuffled);
  const keys = Object.keys(JSON.parse(text) as object);
  assert.deepEqual(keys, CANONICAL_FIELDS.filter((f) => keys.includes(f)));
  assert.deepEqual(keys.slice(0, 4), ['event_id', 'event_type', 'page_url', 'timestamp']);
  assert.equal(text, writeCanonicalRecord({ ...base, screen_width: 390, metadata: { b: 1, a: [2] } }));
  // Absent fields and properties outside the contract are not written.
  assert.doesNotMatch(writeCanonicalRecord({ ...base, page_title: undefined, ip: '10.0.0.1' } as CollectedEvent), /page_title|ip/);
});

test('values are kept exactly: numbers, unicode, escapes, metadata text', () => {
  const metadata = {
    price: 0.30000000000000004,
    big: 9007199254740991,
    tiny: 5e-324,
    exp: 1e21,
    neg: -0.5,
    text: 'tab\t nl\n cr\r back\\ quote" nul-free \u2028 \u00e9 😀 \\.',
    nested: { list: [1, 'two', null, true, { deep: [] }] },
    '': 'empty key',
    '2': 'integer-like key',
  };
  const event: CollectedEvent = { ...base, page_title: 'Résumé — “quotes” 😀', button_id: '\\.', metadata };
  const text = writeCanonicalRecord(event);
  assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(event)));
  assert.equal(findInexact(text, JSON.parse(text)), undefined);
  assert.deepEqual(read(text), JSON.parse(text));
});

test('the reader proves canonical collector records and leaves everything else to the full path', () => {
  const text = writeCanonicalRecord({ ...base, metadata: { a: 1 } });
  assert.notEqual(read(text), undefined);
  const refused: [string, string][] = [
    ['plain JSON.stringify order', JSON.stringify(receivedFirst(base))],
    ['whitespace', text.replace(',', ', ')],
    ['an unknown field', `${text.slice(0, -1)},"extra":1}`],
    ['a repeated field', text.replace('{', `{"event_type":"x",`)],
    ['a repeated metadata key', text.replace('{"a":1}', '{"a":1,"a":2}')],
    ['a number no double holds', text.replace('{"a":1}', '{"a":9007199254740993}')],
    ['1e400', text.replace('{"a":1}', '{"a":1e400}')],
    ['negative zero', text.replace('{"a":1}', '{"a":-0}')],
    ['1.0 for 1', text.replace('{"a":1}', '{"a":1.0}')],
    ['NUL', text.replace('page_view', 'page\\u0000view')],
    ['a lone surrogate', text.replace('{"a":1}', '{"a":"\\ud800"}')],
    ['a missing required field', text.replace(`"event_type":"page_view",`, '')],
    ['a wrong type', text.replace('"is_bot":false', '"is_bot":"false"')],
    ['a bad uuid', text.replace('7d3c8a10', '7d3c8a1x')],
    ['the nil uuid', text.replace(base.event_id, '00000000-0000-0000-0000-000000000000')],
    ['a bad date-time', text.replace('2026-11-30T04:15:00.124Z', '2026-11-31T04:15:00.124Z')],
    ['a relative url', text.replace('https://shop.example/p?q=1', '/p')],
    ['an event_type outside the pattern', text.replace('page_view', 'page view')],
    ['a field too long', text.replace('"page_path":"/p"', `"page_path":"/${'x'.repeat(500)}"`)],
    ['metadata too deep', text.replace('{"a":1}', '{"a":{"b":{"c":{"d":{"e":{}}}}}}')],
    ['metadata not an object', text.replace('{"a":1}', '[1]')],
    ['a prototype key', text.replace('{"a":1}', '{"__proto__":1}')],
    ['too many keys', text.replace('{"a":1}', JSON.stringify(Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, i]))))],
    ['metadata too large', text.replace('{"a":1}', JSON.stringify({ a: 'x'.repeat(33 * 1024) }))],
    ['not an object', '[1]'],
  ];
  for (const [name, forged] of refused) assert.equal(read(forged), undefined, name);
  // Conservative: a backslash before "u0000" in a valid string looks like an escaped NUL, so
  // that record merely takes the full path.
  assert.equal(read(writeCanonicalRecord({ ...base, page_title: 'a \\u0000 b' })), undefined);
  // Each refused text, but the merely non-canonical ones (order, whitespace, 1.0), is one the full
  // validation refuses or JSON.parse does not keep exactly.
  const nonCanonical = new Set(['plain JSON.stringify order', 'whitespace', '1.0 for 1']);
  for (const [name, forged] of refused.filter(([n]) => !nonCanonical.has(n))) {
    const parsed = JSON.parse(forged) as unknown;
    assert.ok(!validateCollectedEvent(parsed).ok || findInexact(forged, parsed) !== undefined || forged === '[1]', name);
  }
});

// Arbitrary contract events: whatever the fields, the writer's text reads back as the same event.
const event = fc.record(
  {
    event_id: fc.uuid().filter((u) => !/^0{8}-|^f{8}-/i.test(u)),
    event_type: fc.stringMatching(/^[A-Za-z0-9_.:-]{1,20}$/),
    page_url: fc.webUrl({ validSchemes: ['http', 'https'] }).filter((u) => u.length <= 500),
    timestamp: fc.date({ min: new Date('1970-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
    received_at: fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
    page_title: fc.string({ maxLength: 60, unit: 'grapheme' }),
    session_id: fc.string({ minLength: 1, maxLength: 40, unit: 'binary' }).filter((s) => !s.includes('\u0000')),
    metadata: fc.dictionary(fc.string({ maxLength: 8 }).filter((k) => !['__proto__', 'constructor', 'prototype'].includes(k)), fc.oneof(fc.string({ unit: 'grapheme' }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)), fc.boolean(), fc.constant(null)), { maxKeys: 6 }),
    screen_width: fc.integer({ min: 0, max: 100_000 }),
    is_bot: fc.boolean(),
  },
  { requiredKeys: ['event_id', 'event_type', 'page_url', 'timestamp', 'received_at'] },
);

test('property: every contract event round-trips through writer and reader unchanged', () => {
  fc.assert(
    fc.property(event, (e) => {
      const ev = e as CollectedEvent;
      if (!validateCollectedEvent(ev).ok) return; // the generator's rare out-of-contract value
      const text = writeCanonicalRecord(ev);
      assert.deepEqual(read(text), JSON.parse(JSON.stringify(ev)));
    }),
    { numRuns: 300 },
  );
});

test('property: whatever the text, what the reader accepts the full validation accepts, exactly as parsed', () => {
  // Canonical texts damaged at a random place: a character inserted, removed or replaced.
  const damaged = fc.tuple(event, fc.nat(), fc.constantFrom('insert', 'delete', 'replace'), fc.constantFrom('"', '\\', ',', ':', '{', '}', '0', '-', 'e', '\t', ' ', 'a', '\u0000', '\ud800', '1')).map(([e, at, how, ch]) => {
    const text = writeCanonicalRecord(e as CollectedEvent);
    const i = at % (text.length + 1);
    return how === 'insert' ? text.slice(0, i) + ch + text.slice(i) : how === 'delete' ? text.slice(0, i) + text.slice(i + 1) : text.slice(0, i) + ch + text.slice(i + 1);
  });
  fc.assert(
    fc.property(damaged, (text) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return;
      }
      const read = readCanonicalRecord(text, parsed, Buffer.byteLength(text));
      if (read === undefined) return;
      assert.ok(validateCollectedEvent(parsed).ok, text);
      assert.equal(findInexact(text, parsed), undefined, text);
    }),
    { numRuns: 2000 },
  );
});
