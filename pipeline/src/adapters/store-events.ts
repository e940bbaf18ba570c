// The body of one load transaction (the caller opens and commits it): claim the batch's event ids,
// assign visits under the visitors' row locks, COPY the fresh rows and update the rollups from exactly
// those rows. Shared by the PostgreSQL sink and the TimescaleDB (PGlite) tests through LoadTx.
import type { SqlRunner } from '../../../db/sql-runner.ts';
import type { EventRow } from '../steps/normalize-event.ts';
import { COPY_COLUMNS, toCopyRow } from '../steps/to-copy-row.ts';
import { assignVisits, batchVisitors } from '../visits/assign-visits.ts';
import { visitorIdOf } from '../visits/visitor-fallback.ts';
import { previousLinks } from '../visits/previous-links.ts';
import { linkChanges, linkPreviousVisits } from './previous-visits-sql.ts';
import { linkValueVisits, valueLinkChanges } from './value-links-sql.ts';
import { addEventValueVisits } from './event-value-visits-sql.ts';
import { eventValueRows } from './event-value-rows.ts';
import { addEventCounts, fixFirstVisits, lockFirstSeen, readCandidateVisits, upsertVisits } from './rollup-sql.ts';

/** A transaction's connection: SQL plus COPY FROM STDIN of text-format chunks. */
export interface LoadTx extends SqlRunner {
  copyFrom(sql: string, chunks: Iterable<string>): Promise<void>;
}

const COLUMNS = COPY_COLUMNS.map((c) => `"${c}"`).join(', ');
export const COPY_EVENTS = `COPY analytics_events (${COLUMNS}) FROM STDIN`;
export const COPY_IDS = 'COPY analytics_event_ids (project_id, event_id) FROM STDIN';
/** One line of COPY_IDS: both values are UUIDs, so nothing needs escaping. */
export const idLine = (row: Pick<EventRow, 'project_id' | 'event_id'>): string => `${row.project_id}\t${row.event_id}\n`;

// Claims the ids not seen yet in their project and returns those whose row is not stored either:
// an id pruned after PIPELINE_DEDUP_DAYS is claimed again, but its row, if still there with the
// same (project_id, timestamp, event_id), is not inserted twice.
export const CLAIM_IDS = `WITH batch AS (
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[]) AS b(project_id, event_id, ts)
  ), claimed AS (
    INSERT INTO analytics_event_ids (project_id, event_id) SELECT project_id, event_id FROM batch
    ON CONFLICT (project_id, event_id) DO NOTHING
    RETURNING project_id, event_id
  )
  SELECT c.project_id::text AS project_id, c.event_id::text AS event_id FROM claimed c JOIN batch b USING (project_id, event_id)
  WHERE NOT EXISTS (SELECT 1 FROM analytics_events e WHERE e.project_id = b.project_id AND e."timestamp" = b.ts AND e.event_id = b.event_id)`;

const CHUNK_CHARS = 256 * 1024;
const UNIQUE_VIOLATION = '23505';

function* copyChunks(rows: readonly EventRow[], line: (row: EventRow) => string): Generator<string> {
  let chunk = '';
  for (const row of rows) {
    chunk += line(row);
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

// Rows carry their ids in lower case (normalize-event.ts), as PostgreSQL returns uuids.
const eventKey = (row: Pick<EventRow, 'project_id' | 'event_id'>) => `${row.project_id}/${row.event_id}`;

/**
 * One row per (project_id, event_id) of the batch, in offset order: the first received wins (the
 * earliest received_at; the earlier offset on a tie).
 */
export function firstReceived(rows: readonly EventRow[]): EventRow[] {
  const winner = new Map<string, number>();
  let repeats = false;
  for (const [i, row] of rows.entries()) {
    const key = eventKey(row);
    const seen = winner.get(key);
    if (seen === undefined) winner.set(key, i);
    else {
      repeats = true;
      if (Date.parse(row.received_at) < Date.parse(rows[seen]!.received_at)) winner.set(key, i);
    }
  }
  return repeats ? rows.filter((row, i) => winner.get(eventKey(row)) === i) : [...rows];
}

/**
 * Assigns visits to rows not stored yet and inserts them with their rollups. Sets each row's
 * visitor_id (the fallback when it had none) and visit_id. Returns the number inserted.
 */
async function insertFresh(tx: LoadTx, rows: EventRow[], shard: number): Promise<number> {
  if (rows.length === 0) return 0;
  for (const row of rows) if (row.visitor_id === null) row.visitor_id = visitorIdOf(row);
  const events = rows as (EventRow & { visitor_id: string })[];
  const batch = batchVisitors(events);
  // Records the visitors' first events and locks their rows; a new statement after that sees every
  // visit committed by a loader that held them.
  await lockFirstSeen(tx, batch.firstSeen);
  const { visits: existing, edges } = await readCandidateVisits(tx, batch.windows);
  const assignment = assignVisits(existing, events, batch);
  for (const [i, row] of rows.entries()) row.visit_id = assignment.visitIds[i]!;
  await tx.copyFrom(COPY_EVENTS, copyChunks(rows, toCopyRow));
  const links = previousLinks(existing, assignment.visits, linkChanges(existing, assignment.visits), batch.windows, edges);
  await upsertVisits(tx, assignment.visits, links.links, shard);
  // Only visitors whose links the batch's visits cannot decide (late events before a stored visit).
  await linkPreviousVisits(tx, links.fallback);
  await linkValueVisits(tx, valueLinkChanges(existing, assignment.visits));
  const joined = batch.firstSeen.filter((f) => assignment.visitIds[f.index] !== f.first_visit_id).map((f) => ({ ...f, first_visit_id: assignment.visitIds[f.index]! }));
  await fixFirstVisits(tx, joined);
  await addEventCounts(tx, assignment.counts, shard);
  await addEventValueVisits(tx, eventValueRows(events, batch.times, assignment.visitIds));
  return rows.length;
}

/**
 * Stores the rows not stored yet (by (project_id, event_id), and by (project_id, timestamp,
 * event_id) for ids already pruned) with their visits and counters; `shard` is the Kafka partition.
 * Fast path, `direct`: COPY the ids straight into analytics_event_ids under a savepoint, which
 * fails on the first id already stored; then (and always when not `direct`) the ids are claimed
 * with ON CONFLICT DO NOTHING and only the fresh rows go on. Returns the number inserted.
 */
export async function storeEvents(tx: LoadTx, batch: readonly EventRow[], shard: number, direct: boolean): Promise<number> {
  const rows = firstReceived(batch);
  if (rows.length === 0) return 0;
  if (direct) {
    await tx.exec('SAVEPOINT direct_copy');
    try {
      await tx.copyFrom(COPY_IDS, copyChunks(rows, idLine));
      const inserted = await insertFresh(tx, rows, shard);
      await tx.exec('RELEASE SAVEPOINT direct_copy');
      return inserted;
    } catch (error) {
      if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
      await tx.exec('ROLLBACK TO SAVEPOINT direct_copy');
    }
  }
  const fresh = await tx.query<{ project_id: string; event_id: string }>(CLAIM_IDS, [rows.map((r) => r.project_id), rows.map((r) => r.event_id), rows.map((r) => r.timestamp)]);
  const freshKeys = new Set(fresh.map(eventKey));
  return insertFresh(
    tx,
    rows.filter((r) => freshKeys.has(eventKey(r))),
    shard,
  );
}
