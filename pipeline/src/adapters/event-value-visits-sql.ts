// Keeps event_value_visits_15m (migration 023) in the events' transaction: adds a batch's rows
// (event-value-rows.ts) and recomputes the links of its visitors' rows from the batch's earliest
// bucket on, so the query API's event breakdowns count distinct visits and visitors per value
// without reading the events (docs/metrics.md § Which rows serve a report). Two set-based
// statements per batch; runs under the visitors' locks (rollup-sql.ts lockFirstSeen), so rows are
// never linked by two loaders at once. Runs on node-postgres and on PGlite (SqlRunner).
import { COUNTER_BUCKET_MS } from '#contract';
import { VISIT_MAX_MS } from '#contract/definitions.ts';
import type { SqlRunner } from '../../../db/sql-runner.ts';
import { fromMicros } from '../visits/instant.ts';
import type { EventValueRow } from './event-value-rows.ts';

// A replayed event never gets here (its id is claimed first), so adding is exactly once.
const ADD_ROWS = `INSERT INTO event_value_visits_15m (project_id, dimension, value, visit_id, bucket, visitor_id, events, pageviews)
  SELECT project_id, dimension, value, visit_id, bucket, visitor_id, events, pageviews
    FROM json_to_recordset($1::json) AS r(project_id uuid, dimension text, value text, visit_id uuid, bucket timestamptz, visitor_id text, events bigint, pageviews bigint)
   ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT (project_id, dimension, value, visit_id, bucket) DO UPDATE
    SET events = event_value_visits_15m.events + EXCLUDED.events, pageviews = event_value_visits_15m.pageviews + EXCLUDED.pageviews`;

// Existing rows only grow, so a link changes only where a row was inserted: at or after the
// batch's earliest bucket of that visitor and value (`lo`). Those rows' links lie no earlier than
// the visitor's last row of the value before lo, or than lo less a visit's longest span (a
// visit's earlier bucket), so only rows from there on are read: a visitor's whole history of a
// common value (the page_view type) is not scanned again on every batch. A visit has one visitor,
// so both windows run over the rows of one (visitor, value), read by event_value_visits_15m_visitor_idx.
const LINK_ROWS = `UPDATE event_value_visits_15m t SET previous_visit_bucket = p.previous_visit_bucket, previous_visitor_bucket = p.previous_visitor_bucket
  FROM (
    SELECT r.project_id, r.dimension, r.value, r.visit_id, r.bucket, k.lo,
      lag(r.bucket) OVER (PARTITION BY r.project_id, r.dimension, r.value, r.visitor_id, r.visit_id ORDER BY r.bucket) AS previous_visit_bucket,
      lag(r.bucket) OVER (PARTITION BY r.project_id, r.dimension, r.value, r.visitor_id ORDER BY r.bucket, r.visit_id) AS previous_visitor_bucket
      FROM json_to_recordset($1::json) AS k(project_id uuid, dimension text, value text, visitor_id text, lo timestamptz)
      CROSS JOIN LATERAL (
        SELECT least(k.lo - $2::bigint * interval '1 millisecond',
                     (SELECT max(b.bucket) FROM event_value_visits_15m b
                       WHERE b.project_id = k.project_id AND b.dimension = k.dimension AND b.value = k.value AND b.visitor_id = k.visitor_id AND b.bucket < k.lo)) AS since
      ) s
      JOIN event_value_visits_15m r ON r.project_id = k.project_id AND r.dimension = k.dimension AND r.value = k.value AND r.visitor_id = k.visitor_id AND r.bucket >= s.since
  ) p
  WHERE t.project_id = p.project_id AND t.dimension = p.dimension AND t.value = p.value AND t.visit_id = p.visit_id AND t.bucket = p.bucket
    AND p.bucket >= p.lo
    AND (t.previous_visit_bucket, t.previous_visitor_bucket) IS DISTINCT FROM (p.previous_visit_bucket, p.previous_visitor_bucket)`;

// A visit's buckets lie within its longest span plus one bucket.
const VISIT_SPAN_MS = VISIT_MAX_MS + COUNTER_BUCKET_MS;

/** Adds the batch's rows and relinks its visitors' rows; nothing when the batch has no non-bot event. */
export async function addEventValueVisits(db: SqlRunner, rows: readonly EventValueRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(ADD_ROWS, [JSON.stringify(rows.map((r) => ({ ...r, bucket: fromMicros(r.bucket) })))]);
  const lo = new Map<string, { project_id: string; dimension: string; value: string; visitor_id: string; lo: number }>();
  for (const r of rows) {
    const key = `${r.project_id}\n${r.dimension}\n${r.value}\n${r.visitor_id}`;
    const seen = lo.get(key);
    if (seen === undefined) lo.set(key, { project_id: r.project_id, dimension: r.dimension, value: r.value, visitor_id: r.visitor_id, lo: r.bucket });
    else if (r.bucket < seen.lo) seen.lo = r.bucket;
  }
  await db.query(LINK_ROWS, [JSON.stringify([...lo.values()].map((k) => ({ ...k, lo: fromMicros(k.lo) }))), VISIT_SPAN_MS]);
}
