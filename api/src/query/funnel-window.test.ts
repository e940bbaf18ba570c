// A funnel's window as exact milliseconds (docs/metrics.md § Funnels): weeks and days of fixed
// length, fractions of seconds kept to the millisecond, anything finer refused rather than cut.
import assert from 'node:assert/strict';
import test from 'node:test';
import { ParameterError } from '../http/problems.ts';
import { parseWindow } from './funnel-query.ts';

test('a window is its exact length in milliseconds', () => {
  assert.equal(parseWindow('PT30M'), 1_800_000);
  assert.equal(parseWindow('P2W'), 14 * 86_400_000);
  assert.equal(parseWindow('P1DT1H'), 90_000_000);
  assert.equal(parseWindow('PT2.376S'), 2_376);
  assert.equal(parseWindow('PT2.376000S'), 2_376);
  assert.equal(parseWindow('PT1,5S'), 1_500);
  assert.equal(parseWindow('PT0.5H'), 1_800_000);
  assert.equal(parseWindow('P90D'), 90 * 86_400_000);
});

test('a window finer than a millisecond, empty, zero, of months or over P90D is refused, never rounded', () => {
  for (const value of ['PT2.376545S', 'PT0.0005S', 'PT2160H0.000001S', 'PT0.000001S', 'P', 'PT', 'PT0S', 'P1M', 'P1Y', 'P90DT1S', 'PT0.0000001H']) {
    assert.throws(() => parseWindow(value), (e: unknown) => e instanceof ParameterError && e.parameter === 'window', value);
  }
});
