// Cursors name a position only in the list that wrote them: round trip, and every kind of
// foreign or altered cursor refused as a ParameterError on `cursor`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ParameterError } from '../http/problems.ts';
import { CursorCodec } from './cursor.ts';

const codec = new CursorCodec('cursor-test-secret-0123456789');
const position = { at: '2026-11-30T10:00:00.123456Z', id: '0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b' };
const scope = 'events:11111111-1111-4111-8111-111111111111';

const refused = (fn: () => unknown) => assert.throws(fn, (e: unknown) => e instanceof ParameterError && e.parameter === 'cursor');

test('a cursor decodes to the exact position it was written for, in its own list', () => {
  const cursor = codec.encode(scope, position);
  assert.match(cursor, /^[A-Za-z0-9_-]+$/);
  assert.deepEqual(codec.decode(scope, cursor), position);
  assert.deepEqual(new CursorCodec('cursor-test-secret-0123456789').decode(scope, cursor), position, 'another instance with the same secret reads it');
});

test("another list's cursor is refused: other project, other route, other journey, other secret", () => {
  const cursor = codec.encode(scope, position);
  refused(() => codec.decode('events:22222222-2222-4222-8222-222222222222', cursor));
  refused(() => codec.decode('visits:11111111-1111-4111-8111-111111111111', cursor));
  refused(() => new CursorCodec('another-secret-0123456789').decode(scope, cursor));
  const session = codec.encode('session_id:p:a', position);
  refused(() => codec.decode('session_id:p:b', session));
});

test('every one-letter change of a cursor is refused', () => {
  const cursor = codec.encode(scope, position);
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  for (let i = 0; i < cursor.length; i++) {
    for (const letter of [letters[(letters.indexOf(cursor[i]!) + 1) % letters.length]!, letters[(letters.indexOf(cursor[i]!) + 32) % letters.length]!]) {
      refused(() => codec.decode(scope, cursor.slice(0, i) + letter + cursor.slice(i + 1)));
    }
  }
  refused(() => codec.decode(scope, cursor + 'A'));
  refused(() => codec.decode(scope, cursor.slice(0, -1)));
});

test('a re-signed position with another shape, and non-cursors, are refused', () => {
  const forged = Buffer.from(`2026-11-30T10:00:00Z|${position.id}|AAAAAAAAAAAAAAAAAAAAAA`).toString('base64url');
  refused(() => codec.decode(scope, forged));
  for (const junk of ['', 'not a cursor', '%%%', 'x'.repeat(500), Buffer.from('a|b|c|d').toString('base64url')]) refused(() => codec.decode(scope, junk));
});
