// The time buckets of a report (docs/metrics.md § Time buckets): local minutes, hours, days,
// Monday weeks and months of `tz`, as the list of their first instants. Computed here with luxon
// (Intl's zone data) so the SQL only assigns rows to these instants and PostgreSQL's own zone data
// never matters. Pure.
import { DateTime, IANAZone } from 'luxon';
import { COUNTER_BUCKET_MS } from '#contract';
import { ParameterError } from '../http/problems.ts';
import { startOfLocalDay, type TimeRange } from './time-range.ts';

export const INTERVALS = ['minute', 'hour', 'day', 'week', 'month'] as const;
export type Interval = (typeof INTERVALS)[number];

/** The most buckets one answer may hold. */
export const MAX_BUCKETS = 10_000;
/** Ranges up to this long default to hourly buckets, longer ones to daily. */
export const HOURLY_DEFAULT_MAX_MS = 2 * 24 * 3600 * 1000;

const MINUTE_MS = 60_000;

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
  const last = range.to.getTime() - (range.toSql === range.to.toISOString() ? 1 : 0);
  const starts: number[] = [];
  const push = (ms: number) => {
    if (starts.length === max)
      throw new ParameterError('interval', `${interval} buckets over this range would be more than ${max}; choose a longer interval or a shorter range`);
    starts.push(ms);
  };
  const from = range.from.getTime();
  if (interval === 'minute') {
    // Every UTC offset in use is a whole number of minutes: local minutes are UTC minutes.
    for (let t = Math.floor(from / MINUTE_MS) * MINUTE_MS; t <= last; t += MINUTE_MS) push(t);
  } else if (interval === 'hour') {
    hourStarts(from, last, tz, push);
  } else {
    calendarStarts(from, last, interval, tz, push);
  }
  return starts.map((ms) => new Date(ms));
}

/**
 * Local hours: offsets and their changes fall on UTC quarter hours, so a new local hour (or a new
 * offset, which makes the same hour a second bucket) can only begin at one.
 */
function hourStarts(from: number, last: number, tz: string, push: (ms: number) => void): void {
  const zone = IANAZone.create(tz);
  const offset = (ms: number) => zone.offset(ms);
  const isStart = (q: number) => {
    const off = offset(q);
    const localMinute = (((q / MINUTE_MS + off) % 60) + 60) % 60;
    return localMinute === 0 || off !== offset(q - COUNTER_BUCKET_MS);
  };
  let q = Math.floor(from / COUNTER_BUCKET_MS) * COUNTER_BUCKET_MS;
  while (!isStart(q)) q -= COUNTER_BUCKET_MS;
  for (; q <= last; q += COUNTER_BUCKET_MS) if (isStart(q)) push(q);
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
