// The SQL of a funnel (docs/metrics.md § Funnels), on the counted events of report-sql.ts over
// [from, to + window), so bots and filters mean what they mean in every report.
//
// Why this shape: "the furthest step any attempt reaches" is computed without enumerating
// attempts. One sort of the unit's events by (timestamp, event_id), then one window pass per step:
// for an event matching step k, `start_k` is the LATEST step-1 time from which a chain of distinct,
// ordered events reaches step k at this event (the latest start leaves the most room in the
// window). It is the running maximum of the previous step's `start_{k−1}` over the strictly
// earlier events (ordered), or that of the event right before (strict), kept only while the event
// lies within the window of it. A unit reaches step k when some event has a `start_k`; its time to
// convert is the least `timestamp − start_k`, which is the shortest chain over all attempts.
//
// Parts: PostgreSQL runs a statement's sort, windows and grouping in one process, so a funnel is
// split by a hash of the unit into parts, each a statement on its own connection (routes/funnels.ts runFunnel).
// Every part reads the whole range (cheap: index-only) but sorts and windows only its units. The
// parts' counts add up, and their per-unit times are merged for exact medians (funnel-answer.ts).
import { DIMENSION_SPECS } from './breakdown-dimensions.ts';
import type { FunnelQuery, FunnelStep } from './funnel-query.ts';
import { stepReads } from './funnel-reads.ts';
import { boundMicros, microsSql } from './micros.ts';
import { countedEventsWhere } from './report-sql.ts';
import type { SqlParams } from './sql-params.ts';

// Units are compared bytewise: a collation's rules cost the sort and the partitioning dearly and mean nothing for ids.
const UNIT_COLUMN = { visit: 'e.visit_id', visitor: 'e.visitor_id COLLATE "C"', user: 'e.user_id COLLATE "C"' } as const;
// PostgreSQL's own hash functions of the unit's type (the ones its hash indexes use): a 32-bit value.
const UNIT_HASH = { visit: 'uuid_hash(e.visit_id)', visitor: 'hashtext(e.visitor_id)', user: 'hashtext(e.user_id)' } as const;

/** Which of `count` disjoint sets of units a statement computes: the units whose hash is `index` modulo `count`. */
export interface FunnelPart {
  index: number;
  count: number;
}
const WHOLE: FunnelPart = { index: 0, count: 1 };

/** The conditions of one step's definition on `analytics_events e`. */
function stepMatch(step: FunnelStep, p: SqlParams): string {
  let sql = `e.event_type = ${p.add(step.event_type)}`;
  if (step.page !== undefined) sql += ` AND coalesce(e.page_path, '/') = ${p.add(step.page)}`;
  if (step.button_id !== undefined) sql += ` AND e.button_id = ${p.add(step.button_id)}`;
  for (const [key, value] of Object.entries(step.metadata ?? {})) sql += ` AND e.metadata ->> ${p.add(key)} = ${p.add(value)}`;
  return `(${sql})`;
}

/** The end of the events a funnel reads: the range end plus the window, exact to the microsecond. */
export function funnelReadEnd(q: FunnelQuery): string {
  const { range } = q.report;
  return microsSql(boundMicros(range.to, range.toSql) + q.windowMs * 1000);
}

/**
 * One row per group: `grouped` is false for the row of all units (and true for each breakdown
 * value `value`); `counts` and `in_progress` are per step (index 0 = step 1); `times_us` is a JSON
 * array per step of each unit's time to convert in whole microseconds (null for step 1 and when
 * no unit reached the step), unordered. `now` decides which windows are still open. With `part`,
 * only that part's units are counted (parts are disjoint and together hold every unit).
 */
export function funnelSql(q: FunnelQuery, p: SqlParams, now: Date, part: FunnelPart = WHOLE): string {
  const n = q.steps.length;
  const { range } = q.report;
  const readEnd = funnelReadEnd(q);
  const windowSql = `(${p.add(q.windowMs)}::bigint * interval '1 millisecond')`;
  const where = countedEventsWhere(q.report, p, { fromSql: range.fromSql, toSql: readEnd });
  const unit = UNIT_COLUMN[q.unit];
  const matches = q.steps.map((s) => stepMatch(s, p));
  const inRange = `e."timestamp" >= ${p.add(range.fromSql)}::timestamptz AND e."timestamp" < ${p.add(range.toSql)}::timestamptz`;
  // Step 1 is `s1` itself (its time when the event starts an attempt); steps 2.. are flags m2...
  const cols = matches.slice(1).map((m, i) => `${m} AS m${i + 2}`);
  // The visit is needed only for a breakdown: without one, the sorted rows are narrower.
  const visit = q.breakdown === undefined ? 'NULL::uuid AS visit_id' : 'e.visit_id';
  const inPart = part.count === 1 ? '' : ` AND (${UNIT_HASH[q.unit]} & 2147483647) % ${p.add(part.count)}::int = ${p.add(part.index)}::int`;
  const read = (only: string) => `SELECT ${unit} AS unit, e."timestamp" AS ts, e.event_id, ${visit}, ${cols.join(', ')},
      CASE WHEN ${matches[0]} AND ${inRange} THEN e."timestamp" END AS s1
    FROM analytics_events e
   WHERE ${where} AND ${unit} IS NOT NULL${only}${inPart}`;
  // Ordered mode needs only events that match some step, read per type and page (funnel-reads.ts);
  // strict mode needs every event of the unit (any other event between two steps breaks the chain).
  let chain =
    q.order === 'ordered'
      ? stepReads(q.steps, p)
          .map((r) => read(` AND ${r} AND (${matches.join(' OR ')})`))
          .join('\n  UNION ALL ')
      : read('');
  const before =
    q.order === 'ordered'
      ? (k: number) => `max(s${k}) OVER (PARTITION BY unit ORDER BY ts, event_id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)`
      : (k: number) => `lag(s${k}) OVER (PARTITION BY unit ORDER BY ts, event_id)`;
  for (let k = 2; k <= n; k++) {
    // start_k: the previous step's latest start before this event, kept while within the window.
    // (Each pass adds its own p_k column: re-listing the columns to drop it costs a projection per row.)
    chain = `SELECT c.*, CASE WHEN c.m${k} AND c.p${k} >= c.ts - ${windowSql} THEN c.p${k} END AS s${k}
      FROM (SELECT c0.*, ${before(k - 1)} AS p${k} FROM (${chain}) c0) c`;
  }
  // Per event only comparisons (intervals compare exactly); the conversion to µs is per unit.
  const unitCols = [
    'max(s1) AS last_start',
    ...Array.from({ length: n - 1 }, (_, i) => `min(ts - s${i + 2}) AS d${i + 2}`),
    // The visit of the unit's first start, for a breakdown only: the ordered aggregate sorts each unit's rows again.
    q.breakdown === undefined ? 'NULL::uuid AS first_visit' : '(array_agg(visit_id ORDER BY ts, event_id) FILTER (WHERE s1 IS NOT NULL))[1] AS first_visit',
  ];
  const us = (k: number) => `(extract(epoch FROM d${k}) * 1000000)::bigint AS t${k}`;
  const units = `SELECT unit, first_visit, last_start IS NOT NULL AS r1,
      ${Array.from({ length: n - 1 }, (_, i) => `d${i + 2} IS NOT NULL AS r${i + 2}, ${us(i + 2)}`).join(', ')},
      -- A unit whose latest start's window is still open may convert yet: in progress, not dropped.
      last_start + ${windowSql} > ${p.add(now.toISOString())}::timestamptz AS open
    FROM (SELECT unit, ${unitCols.join(', ')} FROM (${chain}) f GROUP BY unit) a`;
  const dimension = q.breakdown === undefined ? 'NULL::text' : `(SELECT ${DIMENSION_SPECS[q.breakdown].column} FROM visits v WHERE v.project_id = ${p.add(q.report.projectId)} AND v.visit_id = u.first_visit)`;
  const arr = (f: (k: number) => string) => `ARRAY[${Array.from({ length: n }, (_, i) => f(i + 1)).join(', ')}]`;
  const grouped = q.breakdown === undefined ? 'false AS grouped, NULL::text AS value' : 'GROUPING(value) = 0 AS grouped, value';
  const groups = q.breakdown === undefined ? '' : 'GROUP BY GROUPING SETS ((), (value))';
  return `SELECT ${grouped},
      ${arr((k) => `count(*) FILTER (WHERE r${k})`)}::bigint[] AS counts,
      ${arr((k) => (k === 1 ? '0' : `count(*) FILTER (WHERE r${k - 1} AND NOT r${k} AND open)`))}::bigint[] AS in_progress,
      json_build_array(${Array.from({ length: n }, (_, i) => (i === 0 ? 'NULL' : `array_agg(t${i + 1}) FILTER (WHERE r${i + 1})`)).join(', ')}) AS times_us
    FROM (SELECT u.*, ${dimension} AS value FROM (${units}) u WHERE u.r1) g
    ${groups}`;
}
