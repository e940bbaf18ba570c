// Event counts read from the 15-minute counters (event_counts_15m, summed over shards) where the
// range covers whole buckets, and from the events themselves for the partial buckets at its two
// edges: the same numbers as counting analytics_events, at a fraction of the rows. Possible only
// when every filter is a column of the counters (event_type, page); otherwise reports count
// events directly.
import { COUNTER_BUCKET_MS } from '#contract';
import { beyondMillisecond, boundMicros } from './micros.ts';
import type { ReportQuery } from './report-query.ts';
import { hasVisitFilters } from './report-sql.ts';
import type { SqlParams } from './sql-params.ts';

/** True when the counters can answer q's event counts exactly. */
export function countersCanAnswer(q: ReportQuery): boolean {
  return !hasVisitFilters(q) && Object.keys(q.eventFilters).every((name) => name === 'event_type' || name === 'page');
}

/** The whole 15-minute buckets inside [from, to): [first, end), or undefined when there is none. */
export function wholeBuckets(range: { from: Date; to: Date; fromSql: string; toSql: string }): { first: Date; end: Date } | undefined {
  // A bound with microseconds beyond its Date lies after the Date's millisecond.
  const fromMs = range.from.getTime() + (beyondMillisecond(range.from, range.fromSql) ? 1 : 0);
  const first = Math.ceil(fromMs / COUNTER_BUCKET_MS) * COUNTER_BUCKET_MS;
  const end = Math.floor(range.to.getTime() / COUNTER_BUCKET_MS) * COUNTER_BUCKET_MS;
  return first < end ? { first: new Date(first), end: new Date(end) } : undefined;
}

/**
 * A relation of q's events in `range` matching q's event filters, bots included, as rows
 * (at timestamptz, event_type, page_path, is_bot, events bigint): `at` is a counter bucket's start
 * for whole buckets and the event's own timestamp at the edges. Callers add the bot rule and
 * sum. Requires countersCanAnswer(q).
 *
 * Counter rows are read one per shard, not summed over shards first (db/definitions-sql.ts
 * countersOverShards): every caller sums them again, and a sum of per-shard sums is the same
 * number, while grouping 2M counter rows per key first cost a second on 30 days of 10M events
 * (bench/HISTORY.md § 12). A caller that shows one row per key must group over the shards.
 *
 * Without a page filter, and unless the caller needs `pages`, whole buckets are read from the
 * narrow counters without the page dimension (event_type_counts_15m, migration 018: ~100x fewer
 * rows); page_path is then NULL on their rows.
 */
export function eventCountsRelation(q: ReportQuery, p: SqlParams, range: { from: Date; to: Date; fromSql: string; toSql: string } = q.range, pages = false): string {
  const project = p.add(q.projectId);
  const type = q.eventFilters.event_type !== undefined ? p.add(q.eventFilters.event_type) : undefined;
  const page = q.eventFilters.page !== undefined ? p.add(q.eventFilters.page) : undefined;
  const counterFilters = `${type ? ` AND event_type = ${type}` : ''}${page ? ` AND page_path = ${page}` : ''}`;
  const rawFilters = `${type ? ` AND e.event_type = ${type}` : ''}${page ? ` AND coalesce(e.page_path, '/') = ${page}` : ''}`;
  const raw = (fromSql: string, toSql: string) =>
    `SELECT e."timestamp" AS at, e.event_type, coalesce(e.page_path, '/') AS page_path, e.is_bot, 1::bigint AS events
       FROM analytics_events e
      WHERE e.project_id = ${project} AND e."timestamp" >= ${p.add(fromSql)}::timestamptz AND e."timestamp" < ${p.add(toSql)}::timestamptz${rawFilters}`;
  const whole = wholeBuckets(range);
  if (whole === undefined) return raw(range.fromSql, range.toSql);
  const counters = pages || page !== undefined ? 'event_counts_15m' : `(SELECT *, NULL::text AS page_path FROM event_type_counts_15m) n`;
  const parts = [
    `SELECT bucket AS at, event_type, page_path, is_bot, events FROM ${counters}
      WHERE project_id = ${project} AND bucket >= ${p.add(whole.first.toISOString())}::timestamptz AND bucket < ${p.add(whole.end.toISOString())}::timestamptz${counterFilters}`,
  ];
  if (boundMicros(range.from, range.fromSql) < whole.first.getTime() * 1000) parts.push(raw(range.fromSql, whole.first.toISOString()));
  if (boundMicros(range.to, range.toSql) > whole.end.getTime() * 1000) parts.push(raw(whole.end.toISOString(), range.toSql));
  return parts.join('\n UNION ALL\n');
}
