// The fast path for records marked canonical: a genuine record gives the row the full path gives,
// and a forged or damaged mark changes nothing: every hostile record is stored, repaired or
// dead-lettered exactly as the same bytes without the mark, and no COPY line is ever broken.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CONTRACT_VERSION, CONTRACT_VERSION_HEADER, writeCanonicalRecord, type CollectedEvent } from '#contract';
import { toRecord } from '../../../collector/src/kafka/to-record.ts';
import { canonicalRow, markedCanonical } from './canonical-row.ts';
import { processMessage } from './process-message.ts';
import { COPY_COLUMNS, toCopyRow } from './to-copy-row.ts';

const ctx = { topic: 't', partition: 0, offset: '7', timestamp: '1767225600000', key: Buffer.from('k') };
const MARK = { [CONTRACT_VERSION_HEADER]: Buffer.from(CONTRACT_VERSION) };
const event: CollectedEvent = {
  event_id: '7d3c8a10-1b2c-4d5e-8f90-a1b2c3d4e5f6',
  event_type: 'page_view',
  page_url: 'https://shop.example/p',
  page_title: 'tab\there\nnew\\line \\. \r end 😀',
  timestamp: '2026-11-30T10:00:00Z',
  received_at: '2026-11-30T10:00:00.5Z',
  project_id: '5B0C3C1E-7F2A-4D3B-9C4D-0123456789AB',
  metadata: { price: 0.30000000000000004, text: 'a\tb\\c' },
  visitor_id: 'h:0123456789abcdef0123456789abcdef',
  page_path: '/p',
  is_bot: false,
};
const canonical = writeCanonicalRecord(event);

/** The same bytes with and without the mark: the same outcome, and the fast path only when proven. */
function sameAsUnmarked(value: Buffer | null, name: string): ReturnType<typeof processMessage> {
  const marked = processMessage(value, ctx, MARK);
  const { canonical: _fast, ...rest } = marked;
  assert.deepEqual(rest, processMessage(value, ctx), name);
  if (marked.outcome.ok) {
    const line = toCopyRow(marked.outcome.value);
    // One line, one field per column, whatever the values held.
    assert.equal(line.indexOf('\n'), line.length - 1, name);
    assert.equal(line.split('\t').length, COPY_COLUMNS.length, name);
  }
  return marked;
}

test('the mark: this contract version only, as a Buffer or a string', () => {
  assert.ok(markedCanonical(MARK));
  assert.ok(markedCanonical({ [CONTRACT_VERSION_HEADER]: CONTRACT_VERSION }));
  for (const headers of [undefined, {}, { [CONTRACT_VERSION_HEADER]: Buffer.from('0') }, { [CONTRACT_VERSION_HEADER]: Buffer.from(`${CONTRACT_VERSION} `) }, { [CONTRACT_VERSION_HEADER]: [Buffer.from(CONTRACT_VERSION)] }, { other: Buffer.from(CONTRACT_VERSION) }]) {
    assert.ok(!markedCanonical(headers), JSON.stringify(headers));
  }
});

test('the collector writes canonical, marked records, and the fast path gives the full path row', () => {
  const record = toRecord(event);
  assert.equal(record.value, canonical);
  assert.deepEqual(record.headers, { [CONTRACT_VERSION_HEADER]: CONTRACT_VERSION });
  const marked = sameAsUnmarked(Buffer.from(canonical), 'genuine');
  assert.equal(marked.canonical, true);
  assert.ok(marked.outcome.ok);
  assert.equal(marked.outcome.value.project_id, '5b0c3c1e-7f2a-4d3b-9c4d-0123456789ab');
  assert.equal(marked.outcome.value.metadata, '{"price":0.30000000000000004,"text":"a\\tb\\\\c"}');
  assert.match(toCopyRow(marked.outcome.value), /\ttab\\there\\nnew\\\\line \\\\. \\r end 😀\t/);
  // Valid text that spells COPY's end-of-data and escapes: fast, and still one escaped field.
  const nasty = sameAsUnmarked(Buffer.from(canonical.replace('"page_path":"/p"', '"page_path":"\\\\.\\n\\\\.\\t\\r"')), 'end-of-data marker');
  assert.equal(nasty.canonical, true);
  assert.ok(nasty.outcome.ok && toCopyRow(nasty.outcome.value).includes('\t\\\\.\\n\\\\.\\t\\r\t'));
});

test('hostile records carrying the mark go the full path or the dead-letter topic exactly as without it', () => {
  const swap = (from: string, to: string) => Buffer.from(canonical.replace(from, to));
  const hostile: [string, Buffer | null][] = [
    ['no value', null],
    ['empty', Buffer.alloc(0)],
    ['invalid UTF-8', Buffer.concat([Buffer.from(canonical.slice(0, 40)), Buffer.from([0xc3, 0x28]), Buffer.from(canonical.slice(40))])],
    ['a BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(canonical)])],
    ['not JSON', Buffer.from(canonical.slice(0, -1))],
    ['an array', Buffer.from(`[${canonical}]`)],
    ['a raw tab in a string (not JSON)', swap('page_view', 'page\tview')],
    ['a raw newline in a string (not JSON)', swap('tab\\there', 'tab\nthere')],
    ['NUL escaped', swap('"page_path":"/p"', '"page_path":"/p\\u0000"')],
    ['NUL in metadata key', swap('"price"', '"pr\\u0000ice"')],
    ['a lone surrogate', swap('end 😀', 'end \\ud83d')],
    ['a huge title', swap('"page_title":"', `"page_title":"${'x'.repeat(200_000)}`)],
    ['huge metadata', swap('"text":', `"big":"${'y'.repeat(40_000)}","text":`)],
    ['metadata nested 10000 deep', swap('{"price"', `{"d":${'['.repeat(10_000)}${']'.repeat(10_000)},"price"`)],
    ['a wrong type: is_bot', swap('"is_bot":false', '"is_bot":"no"')],
    ['a wrong type: event_type', swap('"event_type":"page_view"', '"event_type":42')],
    ['a wrong type: metadata', swap('{"price":0.30000000000000004,"text":"a\\tb\\\\c"}', '"text"')],
    ['a wrong type: screen_width', swap('"metadata"', '"screen_width":1.5,"metadata"')],
    ['missing event_type', swap('"event_type":"page_view",', '')],
    ['missing event_id', swap(`"event_id":"${event.event_id}",`, '')],
    ['missing received_at', swap(`"received_at":"${event.received_at}",`, '')],
    ['event_id not a UUID', swap(event.event_id, 'order-17')],
    ['the nil event_id', swap(event.event_id, '00000000-0000-0000-0000-000000000000')],
    ['project_id not a UUID', swap(event.project_id!, 'acme')],
    ['timestamp not a date-time', swap('"timestamp":"2026-11-30T10:00:00Z"', '"timestamp":"now"')],
    ['timestamp as epoch seconds', swap('"timestamp":"2026-11-30T10:00:00Z"', '"timestamp":1767225600')],
    ['timestamp out of range', swap('"timestamp":"2026-11-30T10:00:00Z"', '"timestamp":"99999-01-01T00:00:00Z"')],
    ['a page_url that is no URL', swap('https://shop.example/p', 'javascript:alert(1)')],
    ['an unknown field', Buffer.from(`${canonical.slice(0, -1)},"ip":"10.0.0.1"}`)],
    ['a repeated field', Buffer.from(canonical.replace('{', '{"event_type":"other",'))],
    ['a repeated metadata key', swap('"text":', '"price":1,"text":')],
    ['1e400', swap('0.30000000000000004', '1e400')],
    ['9007199254740993', swap('0.30000000000000004', '9007199254740993')],
    ['negative zero', swap('0.30000000000000004', '-0')],
    ['fields out of order', Buffer.from(JSON.stringify((({ received_at, ...rest }) => ({ received_at, ...rest }))(event)))],
    ['whitespace', Buffer.from(JSON.stringify(event, null, 1))],
    ['a prototype key', swap('"text":', '"__proto__":{"x":1},"text":')],
    ['device_type outside the list', swap('"is_bot"', '"device_type":"toaster","is_bot"')],
  ];
  for (const [name, value] of hostile) {
    const marked = sameAsUnmarked(value, name);
    assert.notEqual(marked.canonical, true, `${name}: took the fast path`);
  }
});

test('an older or unknown contract version takes the full path', () => {
  for (const version of ['0', '2', 'v1', '']) {
    const out = processMessage(Buffer.from(canonical), ctx, { [CONTRACT_VERSION_HEADER]: Buffer.from(version) });
    assert.equal(out.canonical, undefined, version);
    assert.deepEqual(out, processMessage(Buffer.from(canonical), ctx), version);
  }
});

test('property: any damage to a marked record ends as the same bytes would without the mark', () => {
  const damaged = fc.tuple(fc.nat(), fc.constantFrom('insert', 'delete', 'replace'), fc.string({ minLength: 1, maxLength: 3, unit: 'binary' })).map(([at, how, chars]) => {
    const i = at % (canonical.length + 1);
    if (how === 'insert') return canonical.slice(0, i) + chars + canonical.slice(i);
    if (how === 'delete') return canonical.slice(0, i) + canonical.slice(i + chars.length);
    return canonical.slice(0, i) + chars + canonical.slice(i + chars.length);
  });
  let fast = 0;
  fc.assert(
    fc.property(damaged, fc.boolean(), (text, rawBytes) => {
      // Some as raw bytes cut mid-character, so invalid UTF-8 is covered too.
      const bytes = Buffer.from(text);
      const value = rawBytes ? bytes.subarray(0, Math.max(1, bytes.length - 1)) : bytes;
      if (sameAsUnmarked(value, text).canonical === true) fast++;
    }),
    { numRuns: 3000 },
  );
  // Damage inside a string value often leaves a valid record: those do take the fast path.
  assert.ok(fast > 0);
});

test('canonicalRow never throws, whatever the bytes', () => {
  for (const value of [Buffer.from([0xff, 0xfe]), Buffer.from('null'), Buffer.from('"x"'), Buffer.from('{"__proto__":{}}'), Buffer.from('1'.repeat(1000))]) {
    assert.equal(canonicalRow(value), undefined);
  }
});
