// Reads a report's `from`/`to` in its time zone (docs/metrics.md § Reports over a range). Pure;
// calendar arithmetic by luxon (MIT, Intl's time zone data), which resolves DST gaps and overlaps.
import { DateTime } from 'luxon';
import { ParameterError } from '../http/problems.ts';
import { boundMicros } from './micros.ts';

/**
 * A report's instants: from ≤ t < to. `fromSql`/`toSql` are the exact bounds as PostgreSQL
 * timestamptz literals: a date-time sent with an offset keeps its microseconds there (a JS Date
 * holds milliseconds only), so an event's own timestamp can be a bound.
 */
export interface TimeRange {
  from: Date;
  to: Date;
  fromSql: string;
  toSql: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
// RFC 3339 date-time, offset optional (then local time in tz), at most microseconds.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)?$/i;

/** Default length of a report without `from`: 7 days, today included. */
export const DEFAULT_RANGE_DAYS = 7;
/** The longest range a report may ask for. */
export const MAX_RANGE_DAYS = 3660;

/** The first instant of a local calendar day (midnight, or the first instant after a DST gap there). */
export function startOfLocalDay(year: number, month: number, day: number, tz: string): DateTime {
  // Midnight may not exist (e.g. America/Santiago's spring change at 24:00): luxon moves a
  // non-existent local time forward by the gap, which is the first instant of that day.
  return DateTime.fromObject({ year, month, day }, { zone: tz });
}

interface Bound {
  at: DateTime;
  /** The exact instant for SQL when it has more than milliseconds; else from `at`. */
  exact?: string;
}

function parseBound(value: string, tz: string, parameter: 'from' | 'to'): Bound {
  if (DATE.test(value)) {
    const d = DateTime.fromISO(value, { zone: tz });
    if (!d.isValid) throw new ParameterError(parameter, `${JSON.stringify(value)} is not a calendar date`);
    if (parameter === 'from') return { at: startOfLocalDay(d.year, d.month, d.day, tz) };
    // A date as `to` includes that whole day: the range ends where the next day starts.
    const next = d.plus({ days: 1 });
    return { at: startOfLocalDay(next.year, next.month, next.day, tz) };
  }
  const match = DATE_TIME.exec(value);
  if (match === null) throw new ParameterError(parameter, `${JSON.stringify(value)} is neither a date (2026-11-30) nor an RFC 3339 date-time (2026-11-30T10:00:00Z)`);
  const d = DateTime.fromISO(value, { zone: tz });
  // The shape matched, so a field is out of range; said in our words, not the date library's.
  if (!d.isValid) throw new ParameterError(parameter, `${JSON.stringify(value)} is not a valid date-time: a field is out of range (month 01-12, day within its month, hour 00-23, minute and second 00-59)`);
  const fraction = /\.(\d+)/.exec(value)?.[1] ?? '';
  const hasOffset = /(?:Z|[+-]\d{2}:\d{2})$/i.test(value);
  if (fraction.length > 3 && !hasOffset) throw new ParameterError(parameter, 'a local date-time (no offset) may have at most milliseconds; add the offset (Z or ±hh:mm) for microseconds');
  return { at: d, ...(fraction.length > 3 ? { exact: value } : {}) };
}

/**
 * The range of `from`/`to` (either may be absent) in `tz`, at `now`. Errors name the parameter:
 * an unparsable value, `from` not before `to`, a range over `maxDays` (MAX_RANGE_DAYS unless a
 * route reads one journey, whose events are few whatever the range).
 */
export function resolveRange(input: { from?: string; to?: string }, tz: string, now: Date, maxDays = MAX_RANGE_DAYS): TimeRange {
  const toBound = input.to !== undefined ? parseBound(input.to, tz, 'to') : { at: DateTime.fromJSDate(now, { zone: tz }) };
  const to = toBound.at;
  let fromBound: Bound;
  if (input.from !== undefined) fromBound = parseBound(input.from, tz, 'from');
  else if (input.to !== undefined) fromBound = { at: to.minus({ days: DEFAULT_RANGE_DAYS }) };
  else {
    const first = to.minus({ days: DEFAULT_RANGE_DAYS - 1 });
    fromBound = { at: startOfLocalDay(first.year, first.month, first.day, tz) };
  }
  const from = fromBound.at;
  const fromSql = fromBound.exact ?? from.toJSDate().toISOString();
  const toSql = toBound.exact ?? to.toJSDate().toISOString();
  if (boundMicros(from.toJSDate(), fromSql) >= boundMicros(to.toJSDate(), toSql)) {
    // Said in the caller's own words: a date `to` is a whole day, whose exclusive end would only confuse.
    const said = (value: string | undefined, at: DateTime, absent: string) => (value !== undefined ? JSON.stringify(value) : `${at.toISO() ?? ''} (${absent})`);
    throw new ParameterError('from', `must be before to: from ${said(input.from, from, `${DEFAULT_RANGE_DAYS} days before to`)} is not before to ${said(input.to, to, 'now')}`);
  }
  if (to.diff(from, 'days').days > maxDays) throw new ParameterError('from', `the range may span at most ${maxDays} days`);
  return { from: from.toJSDate(), to: to.toJSDate(), fromSql, toSql };
}

/** An instant written in local time of `tz` with its UTC offset (2026-03-29T00:00:00.000+01:00). */
export function localIso(at: Date, tz: string): string {
  return DateTime.fromJSDate(at, { zone: tz }).toISO({ includeOffset: true, suppressMilliseconds: false }) ?? at.toISOString();
}

/** A range's bound as localIso writes it, to the microsecond when its SQL text has more than milliseconds. */
export function boundIso(at: Date, sql: string, tz: string): string {
  const extra = boundMicros(at, sql) - at.getTime() * 1000;
  const iso = localIso(at, tz);
  return extra === 0 ? iso : iso.replace(/\.(\d{3})/, `.$1${String(extra).padStart(3, '0')}`);
}
