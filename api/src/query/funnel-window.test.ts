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

test('a comma is a decimal sign as ISO 8601 allows, in any unit, as a point is', () => {
  for (const [comma, point] of [['PT1,5H', 'PT1.5H'], ['P1,5D', 'P1.5D'], ['PT0,5M', 'PT0.5M'], ['P1,5W', 'P1.5W'], ['P1DT1,25H', 'P1DT1.25H'], ['PT2,376S', 'PT2.376S']] as const) {
    assert.equal(parseWindow(comma), parseWindow(point), comma);
  }
  assert.equal(parseWindow('PT1,5H'), 5_400_000);
  // One decimal sign, and a digit before it.
  for (const value of ['PT1,5,5H', 'PT,5H', 'PT2,376545S']) {
    assert.throws(() => parseWindow(value), (e: unknown) => e instanceof ParameterError && e.parameter === 'window', value);
  }
});

test('a refused window is not repeated when long', () => {
  const long = `P${'9'.repeat(5000)}X`;
  assert.throws(() => parseWindow(long), (e: unknown) => e instanceof ParameterError && e.message.length < 200);
});

test('a window finer than a millisecond, empty, zero, of months or over P90D is refused, never rounded', () => {
  for (const value of ['PT2.376545S', 'PT0.0005S', 'PT2160H0.000001S', 'PT0.000001S', 'P', 'PT', 'PT0S', 'P1M', 'P1Y', 'P90DT1S', 'PT0.0000001H']) {
    assert.throws(() => parseWindow(value), (e: unknown) => e instanceof ParameterError && e.parameter === 'window', value);
  }
});
