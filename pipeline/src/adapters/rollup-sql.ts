// The rollup statements of one load transaction (docs/metrics.md § Rollups): record and lock the
// batch's visitors (visitor_first_seen), read their candidate visits, and write the visits, first-seen rows and counters that
// assignVisits decided. One statement per step per batch, rows passed as one JSON array, so the
// cost does not grow with round trips. Runs on node-postgres and on PGlite (SqlRunner).
import type { SqlRunner } from '../../../db/sql-runner.ts';
import type { CandidateWindow, EventCount, FirstSeen, Visit } from '../visits/assign-visits.ts';
import { fromMicros } from '../visits/instant.ts';
import { visitKey, type Links, type StoredVisit, type WindowEdges } from '../visits/previous-links.ts';
import { counterBucket } from '../../../db/definitions-sql.ts';

const micros = (column: string) => `(extract(epoch FROM v.${column}) * 1000000)::float8 AS ${column}`;
const VISIT_TEXT = ['user_id', 'referrer_domain', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content', 'device_type', 'browser', 'os'] as const;

// The candidates (every stored visit overlapping the window) and, per window, its edges for the
// in-memory previous-visit links (visits/previous-links.ts WindowEdges): the latest visit starting
// before the window and the latest non-bot one (looked up only when that one is a bot), and
// whether any visit starts after it. Each is one short range of visits_visitor_idx.
const CANDIDATES = `SELECT w.i, e.prior_start, e.prior_human_start, e.has_after,
    v.project_id::text, v.visit_id::text, v.visitor_id, ${micros('visit_start')}, ${micros('visit_end')},
    v.events, v.pageviews, v.interactions, v.engaged_ms::float8 AS engaged_ms,
    v.entry_event_id::text, ${micros('entry_at')}, v.entry_path, v.exit_event_id::text, ${micros('exit_at')}, v.exit_path,
    ${VISIT_TEXT.map((c) => `v.${c}`).join(', ')}, v.is_bot, ${micros('previous_visit_start')}, ${micros('previous_human_visit_start')}
  FROM json_to_recordset($1::json) AS w(i int, project_id uuid, visitor_id text, lo timestamptz, hi timestamptz)
  CROSS JOIN LATERAL (
    SELECT (extract(epoch FROM p.visit_start) * 1000000)::float8 AS prior_start,
      (extract(epoch FROM CASE WHEN p.is_bot THEN
        (SELECT h.visit_start FROM visits h WHERE h.project_id = w.project_id AND h.visitor_id = w.visitor_id AND h.visit_start < w.lo AND NOT h.is_bot
          ORDER BY h.visit_start DESC LIMIT 1) ELSE p.visit_start END) * 1000000)::float8 AS prior_human_start,
      EXISTS (SELECT 1 FROM visits a WHERE a.project_id = w.project_id AND a.visitor_id = w.visitor_id AND a.visit_start > w.hi) AS has_after
    FROM (SELECT 1) one
    LEFT JOIN LATERAL (SELECT q.visit_start, q.is_bot FROM visits q WHERE q.project_id = w.project_id AND q.visitor_id = w.visitor_id AND q.visit_start < w.lo
      ORDER BY q.visit_start DESC, q.is_bot LIMIT 1) p ON true
  ) e
  LEFT JOIN visits v ON v.project_id = w.project_id AND v.visitor_id = w.visitor_id AND v.visit_start <= w.hi AND v.visit_end >= w.lo`;

const VISIT_COLUMNS = [
  'project_id',
  'visit_id',
  'visitor_id',
  'visit_start',
  'visit_end',
  'events',
  'pageviews',
  'interactions',
  'engaged_ms',
  'entry_event_id',
  'entry_at',
  'entry_path',
  'exit_event_id',
  'exit_at',
  'exit_path',
  ...VISIT_TEXT,
  'is_bot',
] as const satisfies readonly (keyof Visit)[];

// Full-state replacement: the loader holds the visitor's lock and computed the whole new row. The
// same statement moves each visit's measures in visit_counts_15m (migration 018) from its stored
// state (`old`: every CTE reads the snapshot before the upsert) to its new one (RETURNING, with
// the generated duration_ms and bounced), on this loader's shard ($2).
// The previous-visit links (018) are written with the row (visits/previous-links.ts).
const UPSERT_COLUMNS = [...VISIT_COLUMNS, 'previous_visit_start', 'previous_human_visit_start'] as const;
const VISIT_LIST = UPSERT_COLUMNS.join(', ');
const VISIT_MEASURE_SUMS =
  'sum(n)::bigint AS visits, sum(n * viewed)::bigint AS viewed_visits, sum(n * bounced)::bigint AS bounces, sum(n * duration_ms)::bigint AS duration_ms, sum(n * pageviews)::bigint AS pageviews';
const UPSERT_VISITS = `WITH batch AS (SELECT ${VISIT_LIST} FROM json_populate_recordset(NULL::visits, $1::json)),
  old AS (
    SELECT v.project_id, v.visit_start, v.is_bot, -1 AS n, (v.pageviews > 0)::int AS viewed, v.bounced::int AS bounced, v.duration_ms, v.pageviews
      FROM batch b JOIN visits v ON v.project_id = b.project_id AND v.visit_id = b.visit_id),
  upserted AS (
    INSERT INTO visits (${VISIT_LIST}) SELECT ${VISIT_LIST} FROM batch
    ON CONFLICT (project_id, visit_id) DO UPDATE SET ${UPSERT_COLUMNS.slice(2)
      .map((c) => `${c} = EXCLUDED.${c}`)
      .join(', ')}
    RETURNING project_id, visit_start, is_bot, 1 AS n, (pageviews > 0)::int AS viewed, bounced::int AS bounced, duration_ms, pageviews),
  delta AS (
    SELECT project_id, ${counterBucket('visit_start')} AS bucket, is_bot, ${VISIT_MEASURE_SUMS}
      FROM (SELECT * FROM old UNION ALL SELECT * FROM upserted) m GROUP BY 1, 2, 3)
  INSERT INTO visit_counts_15m (project_id, bucket, is_bot, shard, visits, viewed_visits, bounces, duration_ms, pageviews)
  SELECT d.project_id, d.bucket, d.is_bot, $2, d.visits, d.viewed_visits, d.bounces, d.duration_ms, d.pageviews FROM delta d
   WHERE (d.visits, d.viewed_visits, d.bounces, d.duration_ms, d.pageviews) <> (0, 0, 0, 0, 0)
   ORDER BY 1, 2, 3
  ON CONFLICT (project_id, bucket, is_bot, shard) DO UPDATE SET
    visits = visit_counts_15m.visits + EXCLUDED.visits, viewed_visits = visit_counts_15m.viewed_visits + EXCLUDED.viewed_visits,
    bounces = visit_counts_15m.bounces + EXCLUDED.bounces, duration_ms = visit_counts_15m.duration_ms + EXCLUDED.duration_ms,
    pageviews = visit_counts_15m.pageviews + EXCLUDED.pageviews`;

// Doubles as the visitor lock: ON CONFLICT DO UPDATE locks every conflicting row even when its
// WHERE is false, and a new visitor's row is locked by its insert, so each visitor's
// read-assign-write runs one transaction at a time, even when its events arrive on two partitions
// (other producers key records by session). Row locks live in the rows, not in the shared lock
// table (one advisory lock per visitor ran out of shared memory at a few thousand per batch).
// Rows come sorted by key, so two loaders lock in the same order and never deadlock. The row keeps
// the earliest event ever by (first_seen, first_event_id).
const LOCK_FIRST_SEEN = `INSERT INTO visitor_first_seen (project_id, visitor_id, first_seen, first_event_id, first_visit_id)
  SELECT project_id, visitor_id, first_seen, first_event_id, first_visit_id FROM json_populate_recordset(NULL::visitor_first_seen, $1::json)
  ON CONFLICT (project_id, visitor_id) DO UPDATE
    SET first_seen = EXCLUDED.first_seen, first_event_id = EXCLUDED.first_event_id, first_visit_id = EXCLUDED.first_visit_id
    WHERE (EXCLUDED.first_seen, EXCLUDED.first_event_id) < (visitor_first_seen.first_seen, visitor_first_seen.first_event_id)`;

// A first event that joined a visit stored before gets that visit's id (rows still ours: locked).
const FIX_FIRST_VISIT = `UPDATE visitor_first_seen f SET first_visit_id = u.visit_id
  FROM json_to_recordset($1::json) AS u(project_id uuid, visitor_id text, event_id uuid, visit_id uuid)
  WHERE f.project_id = u.project_id AND f.visitor_id = u.visitor_id AND f.first_event_id = u.event_id`;

// Each loader adds to its own shard's rows only, so concurrent loaders never contend on a counter.
// The same statement adds to the narrow counters without the page (event_type_counts_15m, 018).
const ADD_COUNTS = `WITH batch AS (SELECT project_id, bucket, event_type, page_path, is_bot, events FROM json_populate_recordset(NULL::event_counts_15m, $1::json)),
  by_type AS (
    INSERT INTO event_type_counts_15m (project_id, bucket, event_type, is_bot, shard, events)
    SELECT project_id, bucket, event_type, is_bot, $2, sum(events)::bigint FROM batch GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (project_id, bucket, event_type, is_bot, shard) DO UPDATE SET events = event_type_counts_15m.events + EXCLUDED.events)
  INSERT INTO event_counts_15m (project_id, bucket, event_type, page_path, is_bot, shard, events)
  SELECT project_id, bucket, event_type, page_path, is_bot, $2, events FROM batch
  ON CONFLICT (project_id, bucket, event_type, page_path, is_bot, shard) DO UPDATE SET events = event_counts_15m.events + EXCLUDED.events`;

const byKey = <T>(key: (x: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

/**
 * Records each visitor's first event of the batch unless an earlier one is stored, and so locks
 * every visitor of the batch until the transaction ends. Run before readCandidateVisits.
 */
export async function lockFirstSeen(db: SqlRunner, rows: readonly FirstSeen[]): Promise<void> {
  if (rows.length === 0) return;
  const sorted = [...rows].sort(byKey((r) => `${r.project_id}/${r.visitor_id}`));
  const json = sorted.map((r) => ({ project_id: r.project_id, visitor_id: r.visitor_id, first_seen: fromMicros(r.first_seen), first_event_id: r.first_event_id, first_visit_id: r.first_visit_id }));
  await db.query(LOCK_FIRST_SEEN, [JSON.stringify(json)]);
}

/** Sets the real visit of first events that joined a stored visit instead of starting one. */
export async function fixFirstVisits(db: SqlRunner, rows: readonly FirstSeen[]): Promise<void> {
  if (rows.length === 0) return;
  const json = rows.map((r) => ({ project_id: r.project_id, visitor_id: r.visitor_id, event_id: r.first_event_id, visit_id: r.first_visit_id }));
  await db.query(FIX_FIRST_VISIT, [JSON.stringify(json)]);
}

/** What readCandidateVisits returns: the candidates with their stored links, and each window's edges (same index). */
export interface Candidates {
  visits: StoredVisit[];
  edges: WindowEdges[];
}

type CandidateRow = Omit<StoredVisit, 'project_id' | 'visit_id' | 'events' | 'pageviews' | 'interactions'> &
  WindowEdges & { i: number; project_id: string | null; visit_id: string | null; events: number | string; pageviews: number | string; interactions: number | string };

/** The stored visits of each window's visitor that overlap the window, and the windows' edges (run after lockFirstSeen, in a new statement). */
export async function readCandidateVisits(db: SqlRunner, windows: readonly CandidateWindow[]): Promise<Candidates> {
  if (windows.length === 0) return { visits: [], edges: [] };
  const json = windows.map((w, i) => ({ i, project_id: w.project_id, visitor_id: w.visitor_id, lo: fromMicros(w.from), hi: fromMicros(w.to) }));
  const rows = await db.query<CandidateRow>(CANDIDATES, [JSON.stringify(json)]);
  const edges = new Array<WindowEdges>(windows.length);
  const visits: StoredVisit[] = [];
  for (const { i, prior_start, prior_human_start, has_after, ...r } of rows) {
    edges[i] ??= { prior_start, prior_human_start, has_after };
    if (r.project_id === null || r.visit_id === null) continue;
    visits.push({ ...r, project_id: r.project_id, visit_id: r.visit_id, events: Number(r.events), pageviews: Number(r.pageviews), interactions: Number(r.interactions) });
  }
  return { visits, edges };
}

/**
 * Writes the full new state of each visit with its links (`links`, by visitKey; every visit has
 * one), in key order, and moves their measures in this shard's visit counters.
 */
export async function upsertVisits(db: SqlRunner, visits: readonly Visit[], links: ReadonlyMap<string, Links>, shard: number): Promise<void> {
  if (visits.length === 0) return;
  const sorted = [...visits].sort(byKey((v) => `${v.project_id}/${v.visit_id}`));
  const at = (us: number | null) => (us === null ? null : fromMicros(us));
  // One JSON parameter: JSON.stringify is native, node-postgres' array literals are built per element in JavaScript.
  const json = sorted.map((v) => {
    const l = links.get(visitKey(v))!;
    return {
      ...v,
      visit_start: fromMicros(v.visit_start),
      visit_end: fromMicros(v.visit_end),
      entry_at: fromMicros(v.entry_at),
      exit_at: fromMicros(v.exit_at),
      previous_visit_start: at(l.previous_visit_start),
      previous_human_visit_start: at(l.previous_human_visit_start),
    };
  });
  await db.query(UPSERT_VISITS, [JSON.stringify(json), shard]);
}

/** Adds the batch's counts to this shard's (the Kafka partition's) counters. */
export async function addEventCounts(db: SqlRunner, counts: readonly EventCount[], shard: number): Promise<void> {
  if (counts.length === 0) return;
  const json = counts.map((c) => ({ ...c, bucket: fromMicros(c.bucket) }));
  await db.query(ADD_COUNTS, [JSON.stringify(json), shard]);
}
