import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanColumn, cleanJson, cleanText, cutToLength, UncleanableJson } from './clean-text.ts';

const NUL = String.fromCharCode(0);

test('cleanText removes NUL and repairs lone surrogates, keeps everything else', () => {
  const cases: [string, string, string][] = [
    ['plain', 'hello', 'hello'],
    ['NUL removed', `a${NUL}b${NUL}`, 'ab'],
    ['lone high surrogate', 'a\uD800b', 'a\uFFFDb'],
    ['lone low surrogate', '\uDC00x', '\uFFFDx'],
    ['high at end', 'x\uD83D', 'x\uFFFD'],
    ['valid pair kept', 'ok 😀', 'ok 😀'],
    ['control characters kept', 'tab\tnl\n\\.', 'tab\tnl\n\\.'],
  ];
  for (const [name, input, expected] of cases) assert.equal(cleanText(input), expected, name);
});

test('cutToLength counts code points and never splits a surrogate pair', () => {
  const cases: [string, number, string][] = [
    ['abc', 5, 'abc'],
    ['abcdef', 3, 'abc'],
    ['😀😀😀', 2, '😀😀'],
    ['a😀b', 2, 'a😀'],
  ];
  for (const [input, max, expected] of cases) assert.equal(cutToLength(input, max), expected, `${input}/${max}`);
});

test('cleanColumn turns scalars into cut text and drops structures', () => {
  const cases: [unknown, string | null][] = [
    [undefined, null],
    [null, null],
    ['abcdef', 'abcd'],
    [12345, '1234'],
    [true, 'true'],
    [{ a: 1 }, null],
    [['x'], null],
  ];
  for (const [input, expected] of cases) assert.equal(cleanColumn(input, 4), expected, JSON.stringify(input));
});

test('cleanJson cleans keys and nested strings', () => {
  assert.deepEqual(cleanJson({ [`k${NUL}`]: [`v${NUL}`, { x: '\uD800' }], n: 1, b: null }), { k: ['v', { x: '\uFFFD' }], n: 1, b: null });
});

test('every column limit cuts on whole characters: emoji at each limit are kept whole, as varchar counts them', async () => {
  const { LIMITS } = await import('#contract');
  const { normalizeEvent } = await import('./normalize-event.ts');
  const ctx = { topic: 't', partition: 0, offset: '1', timestamp: '1767225600000', key: null };
  const columns = { page_title: LIMITS.pageTitle, button_id: LIMITS.buttonId, session_id: LIMITS.sessionId, user_agent: LIMITS.userAgent, site_id: LIMITS.siteId, event_type: LIMITS.eventType } as const;
  for (const [field, max] of Object.entries(columns)) {
    const cases: [string, string][] = [
      [`${'a'.repeat(max - 1)}😀`, `${'a'.repeat(max - 1)}😀`],
      [`${'a'.repeat(max)}😀`, 'a'.repeat(max)],
      ['😀'.repeat(max + 3), '😀'.repeat(max)],
      [`${'a'.repeat(max - 1)}😀\uD83D`, `${'a'.repeat(max - 1)}😀`],
    ];
    for (const [input, expected] of cases) {
      const out = normalizeEvent({ event_type: 'x', page_url: 'http://a.example/', [field]: input }, ctx);
      assert.ok(out.ok, field);
      assert.equal(out.value[field as keyof typeof columns], expected, `${field} ${input.length}`);
    }
  }
  const url = normalizeEvent({ event_type: 'x', page_url: `http://a.example/${'😀'.repeat(LIMITS.pageUrl)}` }, ctx);
  assert.ok(url.ok);
  assert.equal([...url.value.page_url].length, LIMITS.pageUrl);
  assert.ok(!/\p{Cs}/u.test(url.value.page_url));
});

test('cleanJson keeps a __proto__ key as data, and refuses keys that clean to one', () => {
  const parsed = JSON.parse('{"__proto__":{"x":1},"a":1,"n":{"__proto__":{"y":2}}}') as unknown;
  assert.equal(JSON.stringify(cleanJson(parsed)), '{"__proto__":{"x":1},"a":1,"n":{"__proto__":{"y":2}}}');
  assert.throws(() => cleanJson({ a: 1, [`a${NUL}`]: 2 }), UncleanableJson);
  assert.throws(() => cleanJson({ x: [{ '\uD800': 1, '\uDBFF': 2 }] }), UncleanableJson);
});
