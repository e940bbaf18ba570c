// Keeps event_value_visits_15m (migrations 023, 026) in the events' transaction, so the query
// API's event breakdowns count distinct visits and visitors per value without reading the events
// (docs/metrics.md § Which rows serve a report). A batch's rows (event-value-rows.ts) are added
// with their links, each the latest earlier bucket among the stored rows and the batch's own (one
// statement, index lookups per row); then the visitors and values whose stored rows lie after a
// row just added — late events, the only case in which a stored link changes — are relinked from
// that row on by window functions (LINK_ROWS). Runs under the visitors' locks (rollup-sql.ts
// lockFirstSeen), so rows are never linked by two loaders at once. On node-postgres and on PGlite.
import { COUNTER_BUCKET_MS } from '#contract';
import { VISIT_MAX_MS } from '#contract/definitions.ts';
import type { SqlRunner } from '../../../db/sql-runner.ts';
import { fromMicros } from '../visits/instant.ts';
import type { EventValueRow } from './event-value-rows.ts';

// A replayed event never gets here (its id is claimed first), so adding is exactly once. A row
// already stored only grows; a new one gets its links from the stored rows before it and from the
// batch's rows before it, whichever is later (greatest() skips a missing one). Order (bucket,
// visit_id) for the visitor's link, as the migration's lag(); a visit's earlier bucket lies within
// its longest span ($2). The visitor's latest stored row before a row (`p`) is looked up first:
// when it is of the same visit it is also that visit's latest, and when there is none the visit
// has none either, so the visit's own lookup runs only when `p` is another visit's. Both lookups
// are ordered as event_value_visits_15m_visitor_idx, which keeps the planner on that index (an
// EXISTS here was once planned on the primary key, 25× slower per row). Each row also says
// whether its visitor and value had a row stored after it (`later`; the statement's subqueries
// see the table as it was before the insert): those rows' links may have to move. Returns only
// the visitors and values to relink: those with a row inserted (xmax = 0) that has a stored row
// after it, each with its earliest inserted bucket (`lo`: a stored row lies after some inserted
// row of its key exactly when it lies after the earliest). Usually none, so the statement sends
// nothing back.
const ADD_ROWS = `WITH r AS (
    SELECT * FROM json_to_recordset($1::json) AS r(project_id uuid, dimension text, value text, visit_id uuid, bucket timestamptz, visitor_id text, events bigint, pageviews bigint)),
  linked AS (
    SELECT r.*,
      greatest(lag(r.bucket) OVER (PARTITION BY r.project_id, r.dimension, r.value, r.visitor_id, r.visit_id ORDER BY r.bucket),
               CASE WHEN p.visit_id IS NULL THEN NULL WHEN p.visit_id = r.visit_id THEN p.bucket ELSE
                 (SELECT s.bucket FROM event_value_visits_15m s
                   WHERE s.project_id = r.project_id AND s.dimension = r.dimension AND s.value = r.value AND s.visitor_id = r.visitor_id
                     AND s.bucket < r.bucket AND s.bucket >= r.bucket - $2::bigint * interval '1 millisecond' AND s.visit_id = r.visit_id
                   ORDER BY s.bucket DESC LIMIT 1) END) AS previous_visit_bucket,
      greatest(lag(r.bucket) OVER (PARTITION BY r.project_id, r.dimension, r.value, r.visitor_id ORDER BY r.bucket, r.visit_id), p.bucket) AS previous_visitor_bucket,
      n.bucket IS NOT NULL AS later
      FROM r
      LEFT JOIN LATERAL (SELECT s.bucket, s.visit_id FROM event_value_visits_15m s
                 WHERE s.project_id = r.project_id AND s.dimension = r.dimension AND s.value = r.value AND s.visitor_id = r.visitor_id
                   AND s.bucket <= r.bucket AND (s.bucket, s.visit_id) < (r.bucket, r.visit_id)
                 ORDER BY s.bucket DESC, s.visit_id DESC LIMIT 1) p ON true
      LEFT JOIN LATERAL (SELECT s.bucket FROM event_value_visits_15m s
                 WHERE s.project_id = r.project_id AND s.dimension = r.dimension AND s.value = r.value AND s.visitor_id = r.visitor_id
                   AND s.bucket >= r.bucket AND (s.bucket, s.visit_id) > (r.bucket, r.visit_id)
                 ORDER BY s.bucket LIMIT 1) n ON true),
  added AS (
    INSERT INTO event_value_visits_15m (project_id, dimension, value, visit_id, bucket, visitor_id, events, pageviews, previous_visit_bucket, previous_visitor_bucket)
    SELECT project_id, dimension, value, visit_id, bucket, visitor_id, events, pageviews, previous_visit_bucket, previous_visitor_bucket
      FROM linked ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (project_id, dimension, value, visit_id, bucket) DO UPDATE
      SET events = event_value_visits_15m.events + EXCLUDED.events, pageviews = event_value_visits_15m.pageviews + EXCLUDED.pageviews
    RETURNING project_id, dimension, value, visit_id, bucket, visitor_id, (xmax = 0) AS inserted)
  SELECT a.project_id::text AS project_id, a.dimension, a.value, a.visitor_id,
         (extract(epoch FROM min(a.bucket)) * 1000000)::bigint::text AS lo_us
    FROM added a JOIN linked l USING (project_id, dimension, value, visit_id, bucket)
   WHERE a.inserted
   GROUP BY a.project_id, a.dimension, a.value, a.visitor_id
  HAVING bool_or(l.later)`;

// Existing rows only grow, so a link changes only at or after a row inserted: from the
// earliest such row of that visitor and value on (`lo`). Those rows' links lie no earlier than
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

/** A visitor and value whose stored rows after `lo` (its earliest row inserted) may need new links. */
interface LateKey {
  project_id: string;
  dimension: string;
  value: string;
  visitor_id: string;
  /** Microseconds; bigint arrives as text. */
  lo_us: string;
}

/** Adds the batch's rows with their links and relinks the visitors' later rows where late events landed before them; nothing when the batch has no non-bot event. */
export async function addEventValueVisits(db: SqlRunner, rows: readonly EventValueRow[]): Promise<void> {
  if (rows.length === 0) return;
  // Both statements are index lookups per row by construction. On a young table (a fresh
  // database, before autovacuum has analyzed it) the planner would scan the whole table once per
  // row instead, which cost up to 10× the lookups (bench/HISTORY.md § 22).
  await db.exec('SET LOCAL enable_seqscan = off');
  try {
    await addAndRelink(db, rows);
  } finally {
    await db.exec('SET LOCAL enable_seqscan = on');
  }
}

async function addAndRelink(db: SqlRunner, rows: readonly EventValueRow[]): Promise<void> {
  const relink = await db.query<LateKey>(ADD_ROWS, [JSON.stringify(rows.map((r) => ({ ...r, bucket: fromMicros(r.bucket) }))), VISIT_SPAN_MS]);
  if (relink.length === 0) return;
  const keys = relink.map((k) => ({ project_id: k.project_id, dimension: k.dimension, value: k.value, visitor_id: k.visitor_id, lo: fromMicros(Number(k.lo_us)) }));
  await db.query(LINK_ROWS, [JSON.stringify(keys), VISIT_SPAN_MS]);
}
