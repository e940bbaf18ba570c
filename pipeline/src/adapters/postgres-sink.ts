// The database adapter: one pool, one transaction per batch (COPY into a session temp table, then
// INSERT ... ON CONFLICT DO NOTHING), readiness checks and the summary/retention maintenance.
// Exactly once per (project_id, event_id): each stored event's id goes into analytics_event_ids in
// the same transaction as its row, so a retry with a new timestamp (server-stamped, clamped) is
// still recognised for as long as the id is kept (PIPELINE_DEDUP_DAYS). Ids are per project: one
// project's ids never suppress another's events.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { cleanText } from '../steps/clean-text.ts';
import type { EventRow } from '../steps/normalize-event.ts';
import { COPY_COLUMNS, toCopyRow } from '../steps/to-copy-row.ts';
import type { BatchStore } from '../batch-ports.ts';
import type { StoreMaintenance } from '../maintenance.ts';

const COLUMNS = COPY_COLUMNS.map((c) => `"${c}"`).join(', ');
// ON COMMIT DELETE ROWS empties the staging table at every commit, so a failed batch leaves nothing.
export const CREATE_STAGING = `CREATE TEMP TABLE IF NOT EXISTS analytics_events_staging
  (LIKE analytics_events INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`;
// Ids not seen yet in their project are claimed; only their rows are inserted, one per id (a batch
// may hold the same event twice: the first received wins). ON CONFLICT on the time key still
// drops a replay of an event whose id was pruned, when its timestamp is unchanged.
export const INSERT_FROM_STAGING = `WITH fresh AS (
    INSERT INTO analytics_event_ids (project_id, event_id)
    SELECT DISTINCT project_id, event_id FROM analytics_events_staging
    ON CONFLICT (project_id, event_id) DO NOTHING
    RETURNING project_id, event_id
  )
  INSERT INTO analytics_events (${COLUMNS})
  SELECT DISTINCT ON (project_id, event_id) ${COLUMNS} FROM analytics_events_staging JOIN fresh USING (project_id, event_id)
  ORDER BY project_id, event_id, received_at
  ON CONFLICT (project_id, "timestamp", event_id) DO NOTHING`;
export const COPY_IDS = 'COPY analytics_event_ids (project_id, event_id) FROM STDIN';
/** One line of COPY_IDS: both values are UUIDs, so nothing needs escaping. */
export const idLine = (row: Pick<EventRow, 'project_id' | 'event_id'>): string => `${row.project_id}\t${row.event_id}\n`;
export const PRUNE_IDS = 'DELETE FROM analytics_event_ids WHERE first_stored_at < now() - make_interval(days => $1)';
const INSERT_REJECTED = `INSERT INTO analytics_events_rejected
  (reason, detail, kafka_topic, kafka_partition, kafka_offset, kafka_key, raw_value, project_id)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
  ON CONFLICT (kafka_topic, kafka_partition, kafka_offset) DO NOTHING`;
const CHUNK_CHARS = 256 * 1024;
const UNIQUE_VIOLATION = '23505';

function* copyChunks(rows: EventRow[], line: (row: EventRow) => string = toCopyRow): Generator<string> {
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

export interface PostgresSink extends BatchStore, StoreMaintenance {
  close(): Promise<void>;
}

export function createPostgresSink(databaseUrl: string, connections: number, onError: (error: Error) => void, directCopy = true): PostgresSink {
  // One connection per concurrently loaded partition, plus one for checks and the summary refresh.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: connections, connectionTimeoutMillis: 5000 });
  // An idle client losing its server is reported, not thrown: the next batch retries.
  pool.on('error', onError);
  const staged = new WeakSet<pg.PoolClient>();

  // Fast path: most batches hold no event already stored, and COPY straight into the tables costs
  // half of COPY + INSERT … SELECT. The ids go first: a unique violation there (a replay, a resent
  // event, one event twice in the batch) rolls back to the savepoint and the batch takes the
  // staging path, where only unseen ids are inserted.
  async function copyDirect(client: pg.PoolClient, rows: EventRow[]): Promise<number | undefined> {
    if (!directCopy) return undefined;
    await client.query('SAVEPOINT direct_copy');
    try {
      await pipeline(Readable.from(copyChunks(rows, idLine)), client.query(copyFrom(COPY_IDS)));
      await pipeline(Readable.from(copyChunks(rows)), client.query(copyFrom(`COPY analytics_events (${COLUMNS}) FROM STDIN`)));
      await client.query('RELEASE SAVEPOINT direct_copy');
      return rows.length;
    } catch (error) {
      if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
      await client.query('ROLLBACK TO SAVEPOINT direct_copy');
      return undefined;
    }
  }

  async function copyViaStaging(client: pg.PoolClient, rows: EventRow[]): Promise<number> {
    if (!staged.has(client)) {
      await client.query(CREATE_STAGING);
      staged.add(client);
    }
    await pipeline(Readable.from(copyChunks(rows)), client.query(copyFrom(`COPY analytics_events_staging (${COLUMNS}) FROM STDIN`)));
    return (await client.query(INSERT_FROM_STAGING)).rowCount ?? 0;
  }

  return {
    async write(rows, rejected) {
      const client = await pool.connect();
      let broken = false;
      // pg emits 'error' on a checked-out client whose server goes away (a restart); with no
      // listener that event would crash the process. The query in flight rejects too, so the batch retries.
      const onClientError = (error: Error) => {
        broken = true;
        onError(error);
      };
      client.on('error', onClientError);
      try {
        await client.query('BEGIN');
        let inserted = 0;
        if (rows.length > 0) inserted = (await copyDirect(client, rows)) ?? (await copyViaStaging(client, rows));
        for (const r of rejected) {
          await client.query(INSERT_REJECTED, [r.reason, cleanText(r.detail), r.topic, r.partition, r.offset, r.key, r.value, r.projectId]);
        }
        await client.query('COMMIT');
        return { inserted, duplicates: rows.length - inserted };
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw error;
      } finally {
        // A client whose connection failed is discarded, not returned to the pool.
        client.off('error', onClientError);
        client.release(broken ? true : undefined);
      }
    },
    async check() {
      try {
        await pool.query('SELECT 1');
        return true;
      } catch {
        return false;
      }
    },
    async refreshSummary() {
      await pool.query('REFRESH MATERIALIZED VIEW CONCURRENTLY analytics_summary');
    },
    async deleteOlderThan(days) {
      const result = await pool.query(`DELETE FROM analytics_events WHERE "timestamp" < now() - make_interval(days => $1)`, [days]);
      return result.rowCount ?? 0;
    },
    async pruneEventIds(days) {
      return (await pool.query(PRUNE_IDS, [days])).rowCount ?? 0;
    },
    async close() {
      await pool.end();
    },
  };
}
