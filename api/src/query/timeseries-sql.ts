// GET /timeseries as one query: the events and the visit measures of each bucket, a bucket being
// the index of its start in the list bucketStarts computed (width_bucket over that array, so
// PostgreSQL's zone data plays no part). Buckets without rows are filled with zeros by the caller.
import { isPageView } from '../../../db/definitions-sql.ts';
import { boundMicros } from './micros.ts';
import type { ReportQuery } from './report-query.ts';
import { countedEventRows, countedVisitsFrom, distinctVisitorsSql, numberOrNull, VISIT_MEASURES } from './measures-sql.ts';
import { firstVisitsSql, REPEAT_BUCKET_MAX_MS, repeatVisitsSql, rolledUpVisitMeasuresSql, visitRollupsCanAnswer } from './visit-rollups-sql.ts';
import type { SqlParams } from './sql-params.ts';

export interface TimeseriesPoint {
  /** The bucket's first instant, local time in tz with its offset. */
  bucket: string;
  visitors: number;
  visits: number;
  pageviews: number;
  events: number;
  bounce_rate: number | null;
  avg_visit_duration_ms: number | null;
}

/**
 * Rows (i: 1-based bucket index, events, pageviews, visits, visitors, bounce_rate,
 * avg_visit_duration_ms) for the buckets holding counted events or visits of q. `counters`: the
 * starts are all 15-minute counter boundaries, so each counter bucket lies in one time bucket;
 * then, without filters, `rollups` (default) reads the visits from the rollups too (false: the raw
 * path, which the tests compare).
 */
export function timeseriesSql(q: ReportQuery, p: SqlParams, starts: readonly Date[], counters: boolean, rollups = counters && visitRollupsCanAnswer(q)): string {
  const s = `${p.add(starts.map((d) => d.toISOString()))}::timestamptz[]`;
  const bucket = (at: string) => `width_bucket(${at}, ${s})`;
  // Without filters the visits come from the rollups (the starts are counter boundaries then).
  const vi = rollups
    ? rolledUpVisitMeasuresSql(q, p, q.range, bucket)
    : `SELECT ${bucket('v.visit_start')} AS i, ${VISIT_MEASURES} ${countedVisitsFrom(q, p, q.range)} GROUP BY 1`;
  // Days and hours without bots: visitors are the visits less the repeats (visit-rollups-sql.ts).
  const repeats = rollups && !q.includeBots && longestBucketUs(starts, q.range) <= REPEAT_BUCKET_MAX_MS * 1000;
  const vd = repeats
    ? repeatVisitsSql(q, p, q.range, s)
    : rollups
      ? firstVisitsSql(q, p, q.range, s)
      : distinctVisitorsSql(q, p, q.range, bucket('v.visit_start'));
  return `WITH ev AS (
      SELECT ${bucket('c.at')} AS i, sum(c.events)::bigint AS events, coalesce(sum(c.events) FILTER (WHERE ${isPageView('c.')}), 0)::bigint AS pageviews
        FROM (${countedEventRows(q, p, q.range, counters)}) c GROUP BY 1),
    vi AS (${vi}),
    vd AS (${vd})
    SELECT coalesce(ev.i, vi.i) AS i, ev.events, ev.pageviews, vi.visits, ${repeats ? 'vi.visits - vd.repeats' : 'vd.visitors'} AS visitors, vi.bounce_rate, vi.avg_visit_duration_ms
      FROM ev FULL JOIN vi ON vi.i = ev.i LEFT JOIN vd ON vd.g = vi.i`;
}

/** The longest part of a bucket inside the range, in microseconds (the last bucket ends at `to`). */
function longestBucketUs(starts: readonly Date[], range: ReportQuery['range']): number {
  const from = boundMicros(range.from, range.fromSql);
  const to = boundMicros(range.to, range.toSql);
  let longest = 0;
  for (const [k, start] of starts.entries()) {
    const next = starts[k + 1];
    const part = Math.min(next === undefined ? to : next.getTime() * 1000, to) - Math.max(start.getTime() * 1000, from);
    longest = Math.max(longest, part);
  }
  return longest;
}

interface Row {
  i: number;
  events: string | null;
  pageviews: string | null;
  visits: string | null;
  visitors: string | null;
  bounce_rate: number | null;
  avg_visit_duration_ms: number | null;
}

/** Every bucket in order, zero-filled, labelled by `label(start)`. */
export function toPoints(rows: readonly Row[], starts: readonly Date[], label: (start: Date) => string): TimeseriesPoint[] {
  const byIndex = new Map(rows.map((r) => [Number(r.i), r]));
  return starts.map((start, k) => {
    const r = byIndex.get(k + 1);
    return {
      bucket: label(start),
      visitors: numberOrNull(r?.visitors) ?? 0,
      visits: numberOrNull(r?.visits) ?? 0,
      pageviews: numberOrNull(r?.pageviews) ?? 0,
      events: numberOrNull(r?.events) ?? 0,
      bounce_rate: r?.bounce_rate ?? null,
      avg_visit_duration_ms: r?.avg_visit_duration_ms ?? null,
    };
  });
}
