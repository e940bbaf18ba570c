// The breakdown cursor: it carries the exact range (microseconds included) and the position, is
// bound to every parameter but cursor and limit and to the project, is sealed so neither range nor
// position can be edited, and anything else is refused naming `cursor`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ParameterError } from '../http/problems.ts';
import { breakdownScope, cursorFingerprint, decodeBreakdownCursor, encodeBreakdownCursor } from './breakdown-cursor.ts';
import { CursorCodec } from './cursor.ts';

const range = {
  from: new Date('2026-11-01T00:00:00.000Z'),
  to: new Date('2026-11-30T10:00:00.123Z'),
  fromSql: '2026-11-01T00:00:00.000Z',
  toSql: '2026-11-30T10:00:00.123456Z',
};
const params = { dimension: 'referrer', include_bots: false, to: '2026-11-30T10:00:00.123456Z' };
const codec = new CursorCodec('test-secret-0123456789abcdef0123456789');
const scope = breakdownScope('11111111-1111-4111-8111-111111111111');

const refusedAsCursor = (e: unknown) => e instanceof ParameterError && e.parameter === 'cursor';

test('a cursor gives back its range and position for the same parameters, whatever the limit', () => {
  for (const value of ['google.com', null, '', 'é "quoted"', '/𝄞'.repeat(250)]) {
    const text = encodeBreakdownCursor({ range, after: { metric: 42, value } }, cursorFingerprint({ ...params, limit: 10 }), codec, scope);
    assert.match(text, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    const back = decodeBreakdownCursor(text, cursorFingerprint({ ...params, limit: 500, cursor: text }), codec, scope);
    assert.deepEqual(back, { range, after: { metric: 42, value } });
  }
});

test('the fingerprint changes with every parameter but cursor and limit, not with their order', () => {
  const base = cursorFingerprint(params);
  assert.equal(cursorFingerprint({ include_bots: false, to: params.to, dimension: 'referrer', limit: 3, cursor: 'x' }), base);
  assert.equal(cursorFingerprint({ ...params, page: undefined }), base);
  for (const other of [{ dimension: 'browser' }, { include_bots: true }, { tz: 'UTC' }, { page: '/' }, { to: '2026-11-30' }]) {
    assert.notEqual(cursorFingerprint({ ...params, ...other }), base, JSON.stringify(other));
  }
});

test('other parameters, another project, another key, garbage, edited ranges and positions are refused naming cursor', () => {
  const fingerprint = cursorFingerprint(params);
  const text = encodeBreakdownCursor({ range, after: { metric: 1, value: 'a' } }, fingerprint, codec, scope);
  assert.throws(() => decodeBreakdownCursor(text, cursorFingerprint({ ...params, dimension: 'os' }), codec, scope), refusedAsCursor);
  assert.throws(() => decodeBreakdownCursor(text, fingerprint, codec, breakdownScope('22222222-2222-4222-8222-222222222222')), refusedAsCursor);
  assert.throws(() => decodeBreakdownCursor(text, fingerprint, new CursorCodec('another-secret-0123456789abcdef012345'), scope), refusedAsCursor);
  const [body, mac] = text.split('.') as [string, string];
  const wire = JSON.parse(Buffer.from(body, 'base64url').toString());
  // A forged payload under the genuine mac, and the genuine payload's own forgeries.
  const forge = (change: object) => `${Buffer.from(JSON.stringify({ ...wire, ...change })).toString('base64url')}.${mac}`;
  for (const bad of [
    'not a cursor',
    '',
    `${text}x`,
    `${text}.${mac}`,
    body,
    `${body}.`,
    Buffer.from('[]').toString('base64url'),
    forge({ r: ['1970-01-01T00:00:00.000Z', '9999-12-31T00:00:00.000Z', '1970-01-01T00:00:00.000Z', '9999-12-31T00:00:00.000Z'] }),
    forge({ r: [range.toSql, range.fromSql, range.toSql, range.fromSql] }),
    forge({ m: 99 }),
    forge({ v: 'zz' }),
    codec.seal(scope, JSON.stringify({ ...wire, m: 1.5 })),
    codec.seal(scope, JSON.stringify({ ...wire, v: 7 })),
    codec.seal(scope, JSON.stringify({ ...wire, r: [range.fromSql, range.toSql, "2026-11-01'; DROP TABLE visits; --", range.toSql] })),
    codec.seal(scope, 'null'),
    codec.seal(scope, '{'),
  ]) {
    assert.throws(() => decodeBreakdownCursor(bad, fingerprint, codec, scope), refusedAsCursor, bad);
  }
});
