import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePayload } from './parse-payload.ts';

const ok = { event_type: 'button_click', page_url: 'http://test.com/page' };

test('single bodies: valid, or invalid with the offending fields named', () => {
  const cases: [string, unknown, string[]][] = [
    ['design curl body', { ...ok, page_title: 'Test Page', button_id: 'test-button', session_id: 'test-session-123', user_agent: 'curl/7.0' }, []],
    ['custom event type', { ...ok, event_type: 'signup.completed:v2' }, []],
    ['missing event_type', { page_url: ok.page_url }, ['/event_type']],
    ['missing page_url', { event_type: 'page_view' }, ['/page_url']],
    ['page_url not http', { ...ok, page_url: 'javascript:alert(1)' }, ['/page_url']],
    ['page_url too long', { ...ok, page_url: `http://a.com/${'x'.repeat(500)}` }, ['/page_url']],
    ['event_type with spaces', { ...ok, event_type: 'bad type' }, ['/event_type']],
    ['event_type wrong type', { ...ok, event_type: 42 }, ['/event_type']],
    ['page_title too long', { ...ok, page_title: 't'.repeat(201) }, ['/page_title']],
    ['button_id too long', { ...ok, button_id: 'b'.repeat(101) }, ['/button_id']],
    ['session_id too long', { ...ok, session_id: 's'.repeat(101) }, ['/session_id']],
    ['bad event_id', { ...ok, event_id: 'not-a-uuid' }, ['/event_id']],
    ['timestamp without zone', { ...ok, timestamp: '2026-01-01 10:00' }, ['/timestamp']],
    ['unknown field', { ...ok, extra: 1 }, ['/extra']],
    ['metadata not an object', { ...ok, metadata: 'x' }, ['/metadata']],
    ['metadata __proto__ key', { ...ok, metadata: JSON.parse('{"__proto__":{"polluted":true}}') }, ['/metadata/__proto__']],
    ['metadata constructor key', { ...ok, metadata: { constructor: { prototype: 1 } } }, ['/metadata/constructor']],
    ['metadata too deep', { ...ok, metadata: { a: { b: { c: { d: { e: { f: 1 } } } } } } }, ['/metadata/a/b/c/d/e']],
    ['metadata too large', { ...ok, metadata: { big: 'x'.repeat(40_000) } }, ['/metadata']],
    ['NUL byte', { ...ok, page_title: 'a\u0000b' }, ['/page_title']],
    ['lone surrogate', { ...ok, button_id: 'a\uD800b' }, ['/button_id']],
    ['null body', null, ['/']],
    ['string body', 'hello', ['/']],
    ['number body', 3, ['/']],
  ];
  for (const [name, body, fields] of cases) {
    const result = parsePayload(body);
    if (fields.length === 0) {
      assert.equal(result.kind, 'single', name);
      continue;
    }
    assert.equal(result.kind, 'invalid', name);
    if (result.kind !== 'invalid') continue;
    const named = result.errors.map((e) => e.field);
    for (const f of fields) assert.ok(named.includes(f), `${name}: expected ${f} in ${JSON.stringify(result.errors)}`);
  }
});

test('batches: valid siblings kept, errors indexed and prefixed', () => {
  const result = parsePayload([ok, { ...ok, page_url: 'nope' }, ok, { event_type: '' }]);
  assert.equal(result.kind, 'batch');
  if (result.kind !== 'batch') return;
  assert.deepEqual(result.events.map((e) => e.index), [0, 2]);
  assert.equal(result.size, 4);
  assert.ok(result.errors.some((e) => e.index === 1 && e.field === '/1/page_url'));
  assert.ok(result.errors.some((e) => e.index === 3 && e.field === '/3/event_type'));
  assert.ok(result.errors.some((e) => e.index === 3 && e.field === '/3/page_url'));
});

test('batches: all invalid, empty or oversized are invalid as a whole', () => {
  const allBad = parsePayload([{ page_url: 'http://a.com' }, 7]);
  assert.equal(allBad.kind, 'invalid');
  if (allBad.kind === 'invalid') {
    assert.deepEqual([...new Set(allBad.errors.map((e) => e.index))], [0, 1]);
    assert.ok(allBad.errors.some((e) => e.field === '/0/event_type'));
    assert.ok(allBad.errors.some((e) => e.field === '/1'));
  }
  const empty = parsePayload([]);
  assert.equal(empty.kind, 'invalid');
  const huge = parsePayload(Array.from({ length: 501 }, () => ok));
  assert.equal(huge.kind, 'invalid');
  if (huge.kind === 'invalid') assert.match(huge.errors[0]!.message, /at most 500/);
  assert.equal(parsePayload(Array.from({ length: 500 }, () => ok)).kind, 'batch');
});

test('a missing field is reported once as "is required", a malformed one by its rule', () => {
  const cases: [string, unknown, { field: string; message: string }[]][] = [
    ['missing page_url', { event_type: 'page_view' }, [{ field: '/page_url', message: 'is required' }]],
    ['malformed page_url', { ...ok, page_url: 'x' }, [{ field: '/page_url', message: 'must be an absolute http(s) URL' }]],
    ['both missing', {}, [{ field: '/event_type', message: 'is required' }, { field: '/page_url', message: 'is required' }]],
  ];
  for (const [name, body, expected] of cases) {
    const result = parsePayload(body);
    assert.equal(result.kind, 'invalid', name);
    if (result.kind === 'invalid') assert.deepEqual([...result.errors].sort((a, b) => a.field.localeCompare(b.field)), expected, name);
  }
  const batch = parsePayload([ok, { event_type: 'x' }]);
  assert.equal(batch.kind, 'batch');
  if (batch.kind === 'batch') assert.deepEqual(batch.errors, [{ index: 1, field: '/1/page_url', message: 'is required' }]);
});

test('problems with the body object itself are located at "/"', () => {
  const result = parsePayload(JSON.parse('{"\\ud800":0,"event_type":"x","page_url":"http://a.com"}'));
  assert.equal(result.kind, 'invalid');
  if (result.kind === 'invalid') for (const e of result.errors) assert.match(e.field, /^\//);
});
