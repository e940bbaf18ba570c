// Visit measures and distinct visitors of an unfiltered report from the loader's rollups
// (migration 018, docs/metrics.md § Which rows serve a report): visit_counts_15m for whole
// 15-minute buckets plus the raw visits at the range's two edges, and a filtered count over the
// visits' previous-visit links instead of a hash of visitor ids. The same numbers as the raw path
// of measures-sql.ts (the property tests compare both with the brute-force reference).
import { botFilter, bounceRateOf } from '../../../db/definitions-sql.ts';
import { boundMicros } from './micros.ts';
import { wholeBuckets } from './event-counts-sql.ts';
import type { ReportQuery } from './report-query.ts';
import { hasEventFilters, hasVisitFilters } from './report-sql.ts';
import type { SqlParams } from './sql-params.ts';

type Range = ReportQuery['range'];

/** True when the rollups answer q's visits exactly: no filter (a filtered visit set is not rolled up). */
export const visitRollupsCanAnswer = (q: ReportQuery): boolean => !hasVisitFilters(q) && !hasEventFilters(q);

/**
 * q's visits started in `range`, bots included, as rows (at, is_bot, visits, viewed_visits,
 * bounces, duration_ms, pageviews): one per counter row of a whole bucket (`at` its start), one
 * per visit at the edges (`at` its visit_start). Callers add the bot rule and sum.
 */
function visitCountsRelation(q: ReportQuery, p: SqlParams, range: Range): string {
  const project = p.add(q.projectId);
  const raw = (fromSql: string, toSql: string) =>
    `SELECT v.visit_start AS at, v.is_bot, 1::bigint AS visits, (v.pageviews > 0)::int::bigint AS viewed_visits, v.bounced::int::bigint AS bounces,
            v.duration_ms, v.pageviews::bigint AS pageviews
       FROM visits v WHERE v.project_id = ${project} AND v.visit_start >= ${p.add(fromSql)}::timestamptz AND v.visit_start < ${p.add(toSql)}::timestamptz`;
  const whole = wholeBuckets(range);
  if (whole === undefined) return raw(range.fromSql, range.toSql);
  const parts = [
    `SELECT bucket AS at, is_bot, visits, viewed_visits, bounces, duration_ms, pageviews FROM visit_counts_15m
      WHERE project_id = ${project} AND bucket >= ${p.add(whole.first.toISOString())}::timestamptz AND bucket < ${p.add(whole.end.toISOString())}::timestamptz`,
  ];
  if (boundMicros(range.from, range.fromSql) < whole.first.getTime() * 1000) parts.push(raw(range.fromSql, whole.first.toISOString()));
  if (boundMicros(range.to, range.toSql) > whole.end.getTime() * 1000) parts.push(raw(whole.end.toISOString(), range.toSql));
  return parts.join('\n UNION ALL\n');
}

/**
 * The visit measures (visits, bounce_rate, avg_visit_duration_ms, views_per_visit) of q's counted
 * visits in `range` from the rollups, per `group` (an expression over the relation's `c.at`, e.g.
 * a bucket index, as column i) when given. Sums are exact integers cast to float8 before dividing:
 * the same float8 as the raw path's count(*) FILTER (...)::float8 / count(*).
 */
export function rolledUpVisitMeasuresSql(q: ReportQuery, p: SqlParams, range: Range, group?: (at: string) => string): string {
  const measures = `coalesce(sum(c.visits), 0)::bigint AS visits,
    ${bounceRateOf('sum(c.bounces)', 'sum(c.viewed_visits)')} AS bounce_rate,
    sum(c.duration_ms)::float8 / nullif(sum(c.visits), 0)::float8 AS avg_visit_duration_ms,
    sum(c.pageviews)::float8 / nullif(sum(c.visits), 0)::float8 AS views_per_visit`;
  const where = `WHERE ${botFilter(q.includeBots ? 'true' : 'false', 'c.')}`;
  if (group === undefined) return `SELECT ${measures} FROM (${visitCountsRelation(q, p, range)}) c ${where}`;
  return `SELECT ${group('c.at')} AS i, ${measures} FROM (${visitCountsRelation(q, p, range)}) c ${where} GROUP BY 1 HAVING sum(c.visits) <> 0`;
}

/**
 * Distinct visitors of q's counted visits in `range` without a hash: a visitor is counted in the
 * visit whose previous visit (of those the report counts: non-bot ones unless include_bots)
 * started before the range, or, per bucket when `starts` (an SQL timestamptz[] of bucket starts,
 * as for width_bucket) is given, before the bucket's part of the range: rows (g: the 1-based
 * bucket index, visitors), else one row (visitors). Reads only the index
 * visits_project_start_previous_idx; one index range per bucket with a constant bound is ~40 %
 * faster than one pass that computes each visit's bucket (bench/HISTORY.md § 15).
 */
export function firstVisitsSql(q: ReportQuery, p: SqlParams, range: Range, starts?: string): string {
  const previous = q.includeBots ? 'v.previous_visit_start' : 'v.previous_human_visit_start';
  const count = (lo: string, hi: string, since: string) =>
    `SELECT count(*)::bigint FROM visits v WHERE v.project_id = ${p.add(q.projectId)} AND v.visit_start >= ${lo} AND v.visit_start < ${hi}
        AND ${botFilter(q.includeBots ? 'true' : 'false', 'v.')} AND (${previous} IS NULL OR ${previous} < ${since})`;
  const from = `${p.add(range.fromSql)}::timestamptz`;
  const to = `${p.add(range.toSql)}::timestamptz`;
  // One range counted a day at a time: over most of the table the planner prefers a sequential
  // scan of visits to this index-only scan, which is slower (bench/HISTORY.md § 15).
  if (starts === undefined)
    return `SELECT coalesce(sum((${count('greatest(d.lo, ' + from + ')', `least(d.lo + interval '24 hours', ${to})`, from)})), 0)::bigint AS visitors
      FROM generate_series(${from}, ${to}, interval '24 hours') AS d(lo)`;
  return `SELECT b.i AS g, (${count('b.lo', 'b.hi', 'b.lo')}) AS visitors
    FROM (SELECT u.i, greatest(u.s, ${from}) AS lo, least(coalesce(lead(u.s) OVER (ORDER BY u.i), ${to}), ${to}) AS hi
            FROM unnest(${starts}) WITH ORDINALITY AS u(s, i)) b`;
}

/** Longest bucket repeatVisitsSql serves: the longest local day (a DST change back). */
export const REPEAT_BUCKET_MAX_MS = 25 * 3_600_000;

/**
 * Per bucket (rows g: the 1-based index into `starts`, repeats), the counted non-bot visits that
 * are NOT their visitor's first of the bucket's part of the range: those whose previous non-bot
 * visit started in it. The bucket's distinct visitors are then its visits minus these. Valid when
 * bots are left out and no bucket part is longer than REPEAT_BUCKET_MAX_MS: a visit whose previous
 * visit is more than 25 hours older (or absent) is then always a first, so only the visits of the
 * partial index visits_near_repeat_idx (migration 023, about a quarter) are read.
 */
export function repeatVisitsSql(q: ReportQuery, p: SqlParams, range: Range, starts: string): string {
  const from = `${p.add(range.fromSql)}::timestamptz`;
  const to = `${p.add(range.toSql)}::timestamptz`;
  return `SELECT b.i AS g, (SELECT count(*)::bigint FROM visits v
        WHERE v.project_id = ${p.add(q.projectId)} AND v.visit_start >= b.lo AND v.visit_start < b.hi
          AND NOT v.is_bot AND v.visit_start - v.previous_human_visit_start <= interval '25 hours'
          AND v.previous_human_visit_start >= b.lo) AS repeats
    FROM (SELECT u.i, greatest(u.s, ${from}) AS lo, least(coalesce(lead(u.s) OVER (ORDER BY u.i), ${to}), ${to}) AS hi
            FROM unnest(${starts}) WITH ORDINALITY AS u(s, i)) b`;
}
