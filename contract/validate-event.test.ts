import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LIMITS, validateCollectedEvent, validateIncomingEvent, type FieldError } from './index.ts';

const design = {
  event_type: 'button_click',
  page_url: 'http://test.com/page',
  page_title: 'Test Page',
  button_id: 'test-button',
  session_id: 'test-session-123',
  user_agent: 'curl/7.0',
};

const fields = (errors: FieldError[]) => errors.map((e) => e.field);

test('the design example is valid', () => {
  assert.deepEqual(validateIncomingEvent(design), { ok: true, value: design });
});

const valid: [string, Record<string, unknown>][] = [
  ['custom event name', { event_type: 'signup.completed:v2-x_y', page_url: 'https://a.example/x' }],
  ['uuid event id', { event_type: 'page_view', page_url: 'http://a.b', event_id: '0b6c3f0e-5d2a-4f7e-9b1c-2a9d8e7f6a5b' }],
  ['timestamp with offset', { event_type: 'page_view', page_url: 'http://a.b', timestamp: '2026-01-31T12:00:00.123+01:00' }],
  ['nested metadata at the depth limit', { event_type: 'x', page_url: 'http://a.b', metadata: { a: { b: { c: { d: { e: 1 } } } } } }],
  ['emoji and unicode', { event_type: 'x', page_url: 'http://a.b/ü', page_title: 'Grüße 👋', metadata: { 'clé': '日本' } }],
  ['strings at their limits', { event_type: 'e'.repeat(LIMITS.eventType), page_url: `http://a.b/${'p'.repeat(LIMITS.pageUrl - 11)}`, page_title: 't'.repeat(LIMITS.pageTitle) }],
];

for (const [name, event] of valid) {
  test(`valid: ${name}`, () => {
    const result = validateIncomingEvent(event);
    assert.ok(result.ok, JSON.stringify(result));
  });
}

const invalid: [string, unknown, string][] = [
  ['missing event_type', { page_url: 'http://a.b' }, '/event_type'],
  ['missing page_url', { event_type: 'x' }, '/page_url'],
  ['page_url not http', { event_type: 'x', page_url: 'javascript:alert(1)' }, '/page_url'],
  ['page_url relative', { event_type: 'x', page_url: '/relative' }, '/page_url'],
  ['page_url too long', { event_type: 'x', page_url: `http://a.b/${'p'.repeat(LIMITS.pageUrl)}` }, '/page_url'],
  ['event_type with spaces', { event_type: 'drop table', page_url: 'http://a.b' }, '/event_type'],
  ['event_type too long', { event_type: 'e'.repeat(LIMITS.eventType + 1), page_url: 'http://a.b' }, '/event_type'],
  ['event_type wrong type', { event_type: 42, page_url: 'http://a.b' }, '/event_type'],
  ['event_id not a uuid', { event_type: 'x', page_url: 'http://a.b', event_id: '123' }, '/event_id'],
  ['timestamp not ISO', { event_type: 'x', page_url: 'http://a.b', timestamp: 'yesterday' }, '/timestamp'],
  ['timestamp without zone', { event_type: 'x', page_url: 'http://a.b', timestamp: '2026-01-31T12:00:00' }, '/timestamp'],
  ['unknown field', { event_type: 'x', page_url: 'http://a.b', price: 3 }, '/price'],
  ['metadata an array', { event_type: 'x', page_url: 'http://a.b', metadata: [1] }, '/metadata'],
  ['metadata too deep', { event_type: 'x', page_url: 'http://a.b', metadata: { a: { b: { c: { d: { e: { f: 1 } } } } } } }, '/metadata/a/b/c/d/e'],
  ['metadata too big', { event_type: 'x', page_url: 'http://a.b', metadata: { s: 'x'.repeat(LIMITS.metadataBytes) } }, '/metadata'],
  ['metadata with too many keys', { event_type: 'x', page_url: 'http://a.b', metadata: Object.fromEntries(Array.from({ length: LIMITS.metadataKeys + 1 }, (_, i) => [`k${i}`, i])) }, '/metadata'],
  ['__proto__ key', JSON.parse('{"event_type":"x","page_url":"http://a.b","metadata":{"__proto__":{"admin":true}}}'), '/metadata/__proto__'],
  ['constructor key', { event_type: 'x', page_url: 'http://a.b', metadata: { constructor: { prototype: 1 } } }, '/metadata/constructor'],
  ['NUL byte', { event_type: 'x', page_url: 'http://a.b', page_title: 'a\u0000b' }, '/page_title'],
  ['lone surrogate', { event_type: 'x', page_url: 'http://a.b', button_id: 'a\uD800b' }, '/button_id'],
  ['NUL in a metadata key', { event_type: 'x', page_url: 'http://a.b', metadata: { 'k\u0000': 1 } }, '/metadata/k\u0000'],
  ['lone surrogate in a nested key', { event_type: 'x', page_url: 'http://a.b', metadata: { a: [{ '\uD83D': 1 }] } }, '/metadata/a/0/\uD83D'],
  ['nil UUID as event_id', { event_id: '00000000-0000-0000-0000-000000000000', event_type: 'x', page_url: 'http://a.b' }, '/event_id'],
  ['max UUID as event_id', { event_id: 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF', event_type: 'x', page_url: 'http://a.b' }, '/event_id'],
  ['empty session id', { event_type: 'x', page_url: 'http://a.b', session_id: '' }, '/session_id'],
  ['not an object', 'hello', '/'],
  ['null', null, '/'],
];

for (const [name, event, field] of invalid) {
  test(`invalid: ${name} names ${field}`, () => {
    const result = validateIncomingEvent(event);
    assert.equal(result.ok, false);
    if (!result.ok) assert.ok(fields(result.errors).includes(field), `expected ${field} in ${JSON.stringify(result.errors)}`);
  });
}

test('an absent required field is reported once, as required', () => {
  const result = validateIncomingEvent({});
  assert.deepEqual(result, {
    ok: false,
    errors: [
      { field: '/event_type', message: 'is required' },
      { field: '/page_url', message: 'is required' },
    ],
  });
});

test('a path prefix locates errors inside a batch', () => {
  const result = validateIncomingEvent({ event_type: 'x' }, '/7');
  assert.equal(result.ok, false);
  if (!result.ok) assert.deepEqual(fields(result.errors), ['/7/page_url']);
});

test('collected events need the server-assigned fields', () => {
  const result = validateCollectedEvent(design);
  assert.equal(result.ok, false);
  if (!result.ok) assert.deepEqual(fields(result.errors).sort(), ['/event_id', '/received_at', '/timestamp']);
  const complete = {
    ...design,
    event_id: '0b6c3f0e-5d2a-4f7e-9b1c-2a9d8e7f6a5b',
    timestamp: '2026-01-31T12:00:00Z',
    received_at: '2026-01-31T12:00:01Z',
  };
  assert.ok(validateCollectedEvent(complete).ok);
});

test('timestamps are strict RFC 3339: a real calendar date, an offset, at most microseconds', () => {
  const at = (timestamp: string) => validateIncomingEvent({ event_type: 'x', page_url: 'http://a.b', timestamp });
  const accepted = [
    '2026-11-30T10:00:00Z',
    '2024-02-29T23:59:59.999999+05:45',
    '2000-02-29T00:00:00-12:00',
    '2026-01-31t12:00:00z',
    '2026-12-31T23:59:59.5+14:00',
  ];
  const refused = [
    '2026-11-31T10:00:00Z', // November has 30 days: Date.parse reads it as Dec 1
    '2025-02-29T10:00:00Z', // not a leap year
    '1900-02-29T10:00:00Z', // divisible by 100, not by 400
    '2026-04-31T00:00:00Z',
    '2026-00-10T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-01-00T00:00:00Z',
    '2026-01-01T24:00:00Z',
    '2026-01-01T10:60:00Z',
    '2016-12-31T23:59:60Z', // a leap second has no timestamptz value
    '2026-01-01T10:00:00', // no offset
    '2026-01-01T10:00:00+2400',
    '2026-01-01T10:00:00+24:00',
    '2026-01-01T10:00:00+05:60',
    '2026-01-01 10:00:00Z',
    '2026-01-01T10:00:00.1234567Z', // nanoseconds would be rounded by the database
    '2026-01-01',
  ];
  for (const t of accepted) assert.ok(at(t).ok, t);
  for (const t of refused) {
    const result = at(t);
    assert.equal(result.ok, false, t);
    if (!result.ok) assert.deepEqual(fields(result.errors), ['/timestamp'], t);
  }
  // The same rule holds for every date-time of the Kafka record.
  const collected = { event_type: 'x', page_url: 'http://a.b', event_id: '0b6c3f0e-5d2a-4f7e-9b1c-2a9d8e7f6a5b', timestamp: '2026-01-31T12:00:00Z', received_at: '2026-01-31T12:00:01Z' };
  assert.ok(validateCollectedEvent(collected).ok);
  for (const key of ['timestamp', 'received_at', 'client_timestamp']) {
    const result = validateCollectedEvent({ ...collected, [key]: '2026-11-31T10:00:00Z' });
    assert.equal(result.ok, false, key);
    if (!result.ok) assert.deepEqual(fields(result.errors), [`/${key}`]);
  }
});

test('lengths count characters (code points) as JSON Schema and varchar do; too long says so', () => {
  const limits = { event_type: LIMITS.eventType, page_title: LIMITS.pageTitle, button_id: LIMITS.buttonId, session_id: LIMITS.sessionId, user_agent: LIMITS.userAgent, site_id: LIMITS.siteId };
  for (const [field, max] of Object.entries(limits)) {
    if (field === 'event_type') continue; // a pattern of ASCII characters
    const full = validateIncomingEvent({ event_type: 'x', page_url: 'http://a.b', [field]: '😀'.repeat(max) });
    assert.ok(full.ok, `${field}: ${max} emoji are ${max} characters`);
    const over = validateIncomingEvent({ event_type: 'x', page_url: 'http://a.b', [field]: '😀'.repeat(max + 1) });
    assert.deepEqual(over, { ok: false, errors: [{ field: `/${field}`, message: `is too long: at most ${max} characters (got ${max + 1})` }] });
  }
  const url = validateIncomingEvent({ event_type: 'x', page_url: `http://a.b/${'p'.repeat(LIMITS.pageUrl)}` });
  assert.deepEqual(url, { ok: false, errors: [{ field: '/page_url', message: `is too long: at most ${LIMITS.pageUrl} characters (got ${LIMITS.pageUrl + 11})` }] });
  const emojiUrl = validateIncomingEvent({ event_type: 'x', page_url: `http://a.b/${'😀'.repeat(LIMITS.pageUrl - 11)}` });
  assert.ok(emojiUrl.ok, JSON.stringify(emojiUrl));
  const notUrl = validateIncomingEvent({ event_type: 'x', page_url: 'ftp://a.b/' });
  assert.deepEqual(notUrl, { ok: false, errors: [{ field: '/page_url', message: 'must be an absolute http(s) URL' }] });
});

test('a bad metadata key is named by its own pointer, with its own fault', () => {
  const nul = validateIncomingEvent({ event_type: 'x', page_url: 'http://a.b', metadata: { 'k\u0000': 1 } });
  const lone = validateIncomingEvent({ event_type: 'x', page_url: 'http://a.b', metadata: { '\uD83D': 1 } });
  assert.deepEqual(nul.ok ? [] : nul.errors, [{ field: '/metadata/k\u0000', message: 'a key contains a NUL character (U+0000), which no stored value can hold' }]);
  assert.deepEqual(lone.ok ? [] : lone.errors, [{ field: '/metadata/\uD83D', message: 'a key contains a lone UTF-16 surrogate, which is not Unicode text and cannot be stored' }]);
});

test('event_id: the nil and max UUIDs are refused for what they are; any other UUID in either case passes', () => {
  const nil = validateIncomingEvent({ event_id: '00000000-0000-0000-0000-000000000000', event_type: 'x', page_url: 'http://a.b' });
  assert.match(nil.ok ? '' : nil.errors.find((e) => e.field === '/event_id')!.message, /nil UUID: it is not unique/);
  for (const id of ['00000000-0000-0000-0000-000000000001', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11']) {
    assert.equal(validateIncomingEvent({ event_id: id, event_type: 'x', page_url: 'http://a.b' }).ok, true, id);
  }
});
