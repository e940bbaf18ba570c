// Merging a funnel's parts: counts added by group, times gathered for exact medians and means.
// The answers against the brute-force reference are the property test's (test/api/funnels.property.test.ts).
import assert from 'node:assert/strict';
import test from 'node:test';
import { funnelAnswer, mean, median, type FunnelRow } from './funnel-answer.ts';

const steps = [{ event_type: 'a' }, { event_type: 'b' }];
const row = (grouped: boolean, value: string | null, counts: number[], times: number[] | null, inProgress = [0, 0]): FunnelRow => ({ grouped, value, counts, in_progress: inProgress, times_us: [null, times] });

test('the median is the middle time, or the mean of the two middle ones (percentile_cont(0.5)), over all parts', () => {
  assert.equal(median([]), null);
  assert.equal(median([7_000]), 7_000);
  assert.equal(median([9_000, 1_000, 4_000]), 4_000);
  assert.equal(median([9_000, 1_000, 4_000, 2_000]), 3_000);
  // Two parts' times: 1, 9 and 2, 4 ms; the median of all four is 3 ms, not a median of medians (3.5 ms).
  const answer = funnelAnswer(steps, [row(false, null, [2, 2], [1_000, 9_000]), row(false, null, [3, 2], [2_000, 4_000])], false);
  assert.equal(answer.steps[1]!.median_time_to_convert_ms, 3);
  assert.equal(answer.steps[1]!.avg_time_to_convert_ms, 4);
});

test('a mean of whole microseconds is exact where a double would round the sum', () => {
  // 2^53 + 1 + 1: a double sum stays at 2^53 (ties to even), the exact sum is 2^53 + 2.
  assert.equal(mean([2 ** 53, 1, 1]), (2 ** 53 + 2) / 3);
  assert.equal(mean([1, 2]), 1.5);
  assert.equal(mean([]), null);
});

test("parts' counts and in-progress units add up per group; a null value and the text \"null\" stay apart", () => {
  const rows = [
    row(false, null, [5, 2], [1_000, 2_000], [0, 1]),
    row(true, null, [3, 1], [1_000], [0, 1]),
    row(true, 'null', [2, 1], [2_000]),
    row(false, null, [4, 1], [3_000], [0, 2]),
    row(true, null, [4, 1], [3_000], [0, 2]),
  ];
  const answer = funnelAnswer(steps, rows, true);
  assert.deepEqual(
    answer.steps.map((s) => [s.count, s.in_progress, s.drop_off]),
    [
      [9, 0, 0],
      [3, 3, 3],
    ],
  );
  assert.deepEqual(
    answer.breakdown!.map((g) => [g.value, g.steps[0]!.count, g.steps[1]!.count, g.steps[1]!.in_progress, g.steps[1]!.median_time_to_convert_ms]),
    [
      [null, 7, 2, 3, 2],
      ['null', 2, 1, 0, 2],
    ],
  );
});
