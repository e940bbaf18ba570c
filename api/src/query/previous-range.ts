// The period a `compare=previous` report sets beside its range: as long, right before it. Pure.
import { DateTime } from 'luxon';
import { beyondMillisecond, boundMicros, microsSql } from './micros.ts';
import { startOfLocalDay, type TimeRange } from './time-range.ts';

/** The local date at which a whole-day bound starts, or undefined when the bound is not a local day's first instant. */
function wholeDay(at: Date, sql: string, tz: string): DateTime | undefined {
  if (beyondMillisecond(at, sql)) return undefined;
  const local = DateTime.fromJSDate(at, { zone: tz });
  return startOfLocalDay(local.year, local.month, local.day, tz).toMillis() === at.getTime() ? DateTime.utc(local.year, local.month, local.day) : undefined;
}

/**
 * The previous period of `range` in `tz`: when both bounds are first instants of local days, the
 * same number of local days before `from` (so a week across a DST change compares with a whole
 * week, not 167 or 169 hours); otherwise `from` minus the range's exact length. It ends at `from`.
 */
export function previousRange(range: TimeRange, tz: string): TimeRange {
  const fromDay = wholeDay(range.from, range.fromSql, tz);
  const toDay = wholeDay(range.to, range.toSql, tz);
  if (fromDay !== undefined && toDay !== undefined) {
    const first = fromDay.minus({ days: Math.round(toDay.diff(fromDay, 'days').days) });
    const from = startOfLocalDay(first.year, first.month, first.day, tz).toJSDate();
    return { from, to: range.from, fromSql: from.toISOString(), toSql: range.fromSql };
  }
  const fromUs = boundMicros(range.from, range.fromSql);
  const startUs = 2 * fromUs - boundMicros(range.to, range.toSql);
  const fromSql = microsSql(startUs);
  return { from: new Date(Math.floor(startUs / 1000)), to: range.from, fromSql, toSql: range.fromSql };
}
