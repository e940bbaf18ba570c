// The time buckets of a report (docs/metrics.md § Time buckets): local minutes, hours, days,
// Monday weeks and months of `tz`, as the list of their first instants. Computed here with luxon
// (Intl's zone data) so the SQL only assigns rows to these instants and PostgreSQL's own zone data
// never matters. Pure.
import { DateTime, IANAZone } from 'luxon';
import { COUNTER_BUCKET_MS } from '#contract';
import { ParameterError } from '../http/problems.ts';
import { beyondMillisecond } from './micros.ts';
import { startOfLocalDay, type TimeRange } from './time-range.ts';

export const INTERVALS = ['minute', 'hour', 'day', 'week', 'month'] as const;
export type Interval = (typeof INTERVALS)[number];

/** The most buckets one answer may hold. */
export const MAX_BUCKETS = 10_000;
/** Ranges up to this long default to hourly buckets, longer ones to daily. */
export const HOURLY_DEFAULT_MAX_MS = 2 * 24 * 3600 * 1000;

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const STABLE_MS = 6 * HOUR_MS;

/** The interval when the request names none: hour for ranges of at most 2 days, else day. */
export function defaultInterval(range: Pick<TimeRange, 'from' | 'to'>): Interval {
  return range.to.getTime() - range.from.getTime() <= HOURLY_DEFAULT_MAX_MS ? 'hour' : 'day';
}

/**
 * The first instants of the buckets that hold an instant of the range, ascending. The first
 * bucket is the one containing `from` (it may start before it). A bucket is the run of instants
 * sharing their local (date, hour, UTC offset) for `hour`, so the repeated hour when clocks go
 * back is two buckets and a skipped hour none; days, weeks and months start at their first local
 * instant. Throws a ParameterError naming `interval` past `max` buckets.
 */
export function bucketStarts(range: TimeRange, interval: Interval, tz: string, max = MAX_BUCKETS): Date[] {
  // The last instant (ms) a bucket may start at: `to` is exclusive, unless its microseconds lie
  // beyond its millisecond (then instants of that millisecond are in the range).
  const last = range.to.getTime() - (beyondMillisecond(range.to, range.toSql) ? 0 : 1);
  const starts: number[] = [];
  const push = (ms: number) => {
    if (starts.length === max)
      throw new ParameterError('interval', `${interval} buckets over this range would be more than ${max}; choose a longer interval or a shorter range`);
    starts.push(ms);
  };
  const from = range.from.getTime();
  if (interval === 'minute' || interval === 'hour') clockStarts(from, last, interval === 'minute' ? MINUTE_MS : HOUR_MS, tz, push);
  else calendarStarts(from, last, interval, tz, push);
  return starts.map((ms) => new Date(ms));
}

/**
 * Local minutes or hours (`unit` ms): a bucket starts where the local clock shows a whole unit and
 * where the UTC offset changes (so the repeated hour is a second bucket, and after Lord Howe's
 * 30-minute change a bucket starts at 02:30). Offsets are read from the zone, never assumed to be
 * whole minutes (historic local mean times were not).
 */
function clockStarts(from: number, last: number, unit: number, tz: string, push: (ms: number) => void): void {
  const zone = IANAZone.create(tz);
  // Reading an offset costs an Intl call; no zone changes its offset twice within 6 hours, so one
  // read at the end of a 6-hour window vouches for every instant in it.
  let known = { from: 0, to: -1, offset: 0 };
  const offset = (ms: number) => {
    if (ms >= known.from && ms <= known.to) return known.offset;
    const off = zone.offset(ms) * MINUTE_MS;
    const ahead = ms + STABLE_MS;
    known = zone.offset(ahead) * MINUTE_MS === off ? { from: ms, to: ahead, offset: off } : { from: ms, to: ms, offset: off };
    return off;
  };
  const intoUnit = (t: number, off: number) => (((t + off) % unit) + unit) % unit;
  // The first instant in (lo, hi] whose offset differs from lo's (`hi`'s offset does).
  const change = (lo: number, hi: number) => {
    const before = offset(lo);
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (offset(mid) === before) lo = mid;
      else hi = mid;
    }
    return hi;
  };
  // The bucket holding `from`: its unit's local start, or the offset change after that start.
  const off = offset(from);
  let t = from - intoUnit(from, off);
  if (offset(t) !== off) t = change(t, from);
  while (t <= last) {
    push(t);
    const o = offset(t);
    const next = t + unit - intoUnit(t, o);
    t = offset(next) === o ? next : change(t, next);
  }
}

/** Days, Monday weeks and months: calendar steps on the local date, each started at its first instant. */
function calendarStarts(from: number, last: number, interval: 'day' | 'week' | 'month', tz: string, push: (ms: number) => void): void {
  const local = DateTime.fromMillis(from, { zone: tz });
  // Calendar arithmetic on a zone-free date (UTC), so no DST change can move a step.
  let date = DateTime.utc(local.year, local.month, local.day).startOf(interval === 'week' ? 'week' : interval === 'month' ? 'month' : 'day');
  const step = interval === 'week' ? { weeks: 1 } : interval === 'month' ? { months: 1 } : { days: 1 };
  for (;;) {
    const start = startOfLocalDay(date.year, date.month, date.day, tz).toMillis();
    if (start > last) return;
    push(start);
    date = date.plus(step);
  }
}

/** True when every start is a 15-minute counter boundary, so counter buckets fall inside one bucket each. */
export function countersAligned(starts: readonly Date[]): boolean {
  return starts.every((s) => s.getTime() % COUNTER_BUCKET_MS === 0);
}
