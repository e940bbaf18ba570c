// The collector's numbering back to file lines, and the client's own refusals joined in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { joinSummary, LineMap, MAX_LISTED_ERRORS, readSummary, shiftSummary } from './summary.ts';

test('HTTP from line N: the collector\'s line L is file line L + N - 1', () => {
  const s = shiftSummary({ accepted: 3, rejected: 1, errors: [{ line: 2, field: '/page_url', message: 'm' }], last_acked_line: 4 }, 11);
  assert.deepEqual(s, { accepted: 3, rejected: 1, errors: [{ line: 12, field: '/page_url', message: 'm' }], last_acked_line: 14 });
  assert.equal(shiftSummary({ accepted: 0, rejected: 0, errors: [], last_acked_line: 0 }, 11).last_acked_line, 10);
});

test('gRPC positions: lines not sent shift the numbering; acked-through stops before the next unacked message', () => {
  // File from line 5: 5 sent, 6 blank, 7 sent, 8 refused here, 9 sent, 10 sent.
  const map = new LineMap(5);
  assert.equal(map.sentLine(5), 1);
  map.passedLine(6);
  assert.equal(map.sentLine(7), 2);
  map.passedLine(8);
  assert.equal(map.sentLine(9), 3);
  assert.equal(map.sentLine(10), 4);
  assert.deepEqual([1, 2, 3, 4].map((p) => map.fileLine(p)), [5, 7, 9, 10]);
  assert.equal(map.ackedThrough(0), 4, 'nothing acked: resume at line 5');
  assert.equal(map.ackedThrough(1), 6, 'the blank line after an acked message is answered too');
  assert.equal(map.ackedThrough(2), 8, 'and the line refused here');
  assert.equal(map.ackedThrough(4), 10);
});

test('joined: file lines, file order, the client\'s refusals counted; a cut server list keeps the list a true prefix', () => {
  const map = new LineMap(1);
  for (let line = 1; line <= 300; line++) {
    if (line === 50) map.passedLine(line);
    else map.sentLine(line);
  }
  const server = { accepted: 10, rejected: 2, errors: [{ line: 60, field: '/a', message: 'x' }, { line: 1, field: '/b', message: 'y' }], last_acked_line: 299 };
  const joined = joinSummary(server, map, [{ line: 50, field: '/', message: 'not JSON' }], 1);
  assert.deepEqual(joined.errors.map((e) => e.line), [1, 50, 61]);
  assert.equal(joined.rejected, 3);
  assert.equal(joined.last_acked_line, 300);

  const many = Array.from({ length: MAX_LISTED_ERRORS }, (_, i) => ({ line: i + 1, field: '/x', message: 'm' }));
  const cut = joinSummary({ accepted: 0, rejected: 150, errors: many, last_acked_line: 299 }, map, [{ line: 250, field: '/', message: 'late' }], 1);
  assert.equal(cut.errors.length, MAX_LISTED_ERRORS);
  assert.ok(cut.errors.every((e) => e.line <= 101), 'a refusal past the collector\'s last listed one is not listed before the ones it left out');
});

test('summary in an answer: top level or under summary; none without last_acked_line', () => {
  assert.equal(readSummary({ accepted: 1, rejected: 0, errors: [], last_acked_line: 1 })?.accepted, 1);
  assert.equal(readSummary({ error: 'kafka_unavailable', summary: { accepted: 2, rejected: 0, errors: [], last_acked_line: '7' } })?.last_acked_line, 7);
  assert.equal(readSummary({ error: 'unauthorized', message: 'no key' }), undefined);
  assert.equal(readSummary('x'), undefined);
});
