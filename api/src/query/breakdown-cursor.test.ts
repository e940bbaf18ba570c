// The breakdown cursor: it carries the exact range (microseconds included) and the position, is
// bound to every parameter but cursor and limit, and anything else is refused naming `cursor`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ParameterError } from '../http/problems.ts';
import { cursorFingerprint, decodeBreakdownCursor, encodeBreakdownCursor } from './breakdown-cursor.ts';

const range = {
  from: new Date('2026-11-01T00:00:00.000Z'),
  to: new Date('2026-11-30T10:00:00.123Z'),
  fromSql: '2026-11-01T00:00:00.000Z',
  toSql: '2026-11-30T10:00:00.123456Z',
};
const params = { dimension: 'referrer', include_bots: false, to: '2026-11-30T10:00:00.123456Z' };

const refusedAsCursor = (e: unknown) => e instanceof ParameterError && e.parameter === 'cursor';

test('a cursor gives back its range and position for the same parameters, whatever the limit', () => {
  for (const value of ['google.com', null, '', 'é "quoted"']) {
    const text = encodeBreakdownCursor({ range, after: { metric: 42, value } }, cursorFingerprint({ ...params, limit: 10 }));
    assert.match(text, /^[A-Za-z0-9_-]+$/);
    const back = decodeBreakdownCursor(text, cursorFingerprint({ ...params, limit: 500, cursor: text }));
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

test('other parameters, garbage and tampered ranges are refused naming cursor', () => {
  const fingerprint = cursorFingerprint(params);
  const text = encodeBreakdownCursor({ range, after: { metric: 1, value: 'a' } }, fingerprint);
  assert.throws(() => decodeBreakdownCursor(text, cursorFingerprint({ ...params, dimension: 'os' })), refusedAsCursor);
  const wire = JSON.parse(Buffer.from(text, 'base64url').toString());
  const forge = (change: object) => Buffer.from(JSON.stringify({ ...wire, ...change })).toString('base64url');
  for (const bad of [
    'not a cursor',
    Buffer.from('[]').toString('base64url'),
    Buffer.from('null').toString('base64url'),
    forge({ r: [range.fromSql, range.toSql, "2026-11-01'; DROP TABLE visits; --", range.toSql] }),
    forge({ r: [range.fromSql, range.toSql, range.fromSql] }),
    forge({ m: 1.5 }),
    forge({ m: '1' }),
    forge({ v: 7 }),
  ]) {
    assert.throws(() => decodeBreakdownCursor(bad, fingerprint), refusedAsCursor, bad);
  }
});
