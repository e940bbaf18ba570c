// findInexact: the places JSON.parse would not keep as written, and its shortcut (clearing a
// text by counting keys and looking for long or exponent numbers) agreeing with the full scan.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { exactNumber, findInexact } from './exact-json.ts';

test('exactNumber: what a double holds exactly', () => {
  for (const t of ['0', '0.0', '-0.5', '-0.05', '1', '1.5', '1.50', '15e-1', '0.1', '1e21', '1e300', '5e-324', '9007199254740991', '-123.456', '0.30000000000000004']) assert.ok(exactNumber(t), t);
  for (const t of ['9007199254740993', '1e400', '-1e309', '1e-400', '0.10000000000000000000001', '123456789012345678901234567890']) assert.ok(!exactNumber(t), t);
  // PostgreSQL's jsonb/numeric has no negative zero: -0 would be stored as 0.
  for (const t of ['-0', '-0.0', '-0e5', '-0.000E-3', '-1e-400']) assert.ok(!exactNumber(t), t);
});

test('findInexact names the place, in objects and arrays, keys escaped as JSON Pointer', () => {
  const cases: [string, string | undefined][] = [
    ['{"a":1,"b":[1,2,{"c":3}]}', undefined],
    ['{"a":1,"a":1}', '/a'],
    ['{"a":{"x/y":[0,{"b":1,"b":2}]}}', '/a/x~1y/1/b'],
    ['{"m":{"l":[1,2,9007199254740993]}}', '/m/l/2'],
    ['{"k\\u0061":1,"ka":2}', '/ka'],
    ['[{"a":1},{"a":1e999}]', '/1/a'],
    ['{"m":{"n":-0}}', '/m/n'],
    ['{"m":[1, -0.0]}', '/m/1'],
    ['{"m":[-0.05,-0.5,0,-10]}', undefined],
    ['{"s":"1e400 and 9007199254740993 in a string","t":"\\"a\\":1"}', undefined],
  ];
  for (const [text, field] of cases) {
    const parsed = JSON.parse(text) as unknown;
    assert.equal(findInexact(text, parsed)?.field, field, text);
    assert.equal(findInexact(text)?.field, field, `${text} (full scan)`);
  }
});

test('advice to send text only where text is accepted: inside metadata, not for a typed field', () => {
  assert.match(findInexact('{"metadata":{"order":9007199254740993}}')!.message, /send it as a string$/);
  assert.match(findInexact('[{"x":1},{"metadata":{"v":[1e400]}}]')!.message, /send it as a string$/);
  const typed = findInexact('{"event_type":"x","screen_width":1e400}')!;
  assert.equal(typed.field, '/screen_width');
  assert.doesNotMatch(typed.message, /string/);
  assert.doesNotMatch(findInexact('[{"screen_width":9007199254740993}]')!.message, /string/);
});

test('the shortcut agrees with the full scan on arbitrary JSON, with and without a repeated key', () => {
  fc.assert(
    fc.property(fc.json({ maxDepth: 4 }), (text) => {
      const parsed = JSON.parse(text) as unknown;
      assert.equal(findInexact(text, parsed), undefined, text);
      // Repeat the first key of the first object, if any: now both must find it.
      const m = /\{\s*("(?:[^"\\]|\\.)*")\s*:/.exec(text);
      if (m) {
        const dup = `${text.slice(0, m.index + m[0].length)}null,${m[1]}:${text.slice(m.index + m[0].length)}`;
        const dupParsed = JSON.parse(dup) as unknown;
        const fast = findInexact(dup, dupParsed);
        assert.ok(fast !== undefined, dup);
        assert.deepEqual(fast, findInexact(dup), dup);
      }
    }),
    { numRuns: 2000, seed: 20261130 },
  );
});
