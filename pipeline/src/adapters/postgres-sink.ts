// The database adapter: one pool, one transaction per batch (store-events.ts: ids claimed, visits
// assigned, rows COPYed, rollups updated), readiness checks and the summary/retention maintenance.
// Exactly once per (project_id, event_id): each stored event's id goes into analytics_event_ids in
// the same transaction as its row, so a retry with a new timestamp (server-stamped, clamped) is
// still recognised for as long as the id is kept (PIPELINE_DEDUP_DAYS). Ids are per project: one
// project's ids never suppress another's events.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pgRunner } from '../../../db/sql-runner.ts';
import { encodeStoredNotice, STORED_CHANNEL } from '../../../lib/stored-notice.ts';
import { cleanText } from '../steps/clean-text.ts';
import type { BatchStore } from '../batch-ports.ts';
import type { StoreMaintenance } from '../maintenance.ts';
import { storeEvents, type LoadTx } from './store-events.ts';
import { RETENTION_STATEMENTS } from './retention-sql.ts';
import { analyzeFilledTables } from './table-statistics.ts';

export const PRUNE_IDS = 'DELETE FROM analytics_event_ids WHERE first_stored_at < now() - make_interval(days => $1)';
const INSERT_REJECTED = `INSERT INTO analytics_events_rejected
  (reason, detail, kafka_topic, kafka_partition, kafka_offset, kafka_key, raw_value, project_id)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
  ON CONFLICT (kafka_topic, kafka_partition, kafka_offset) DO NOTHING`;

/** A pooled client as the load transaction's port: SQL through pgRunner, COPY through pg-copy-streams. */
export function pgLoadTx(client: pg.ClientBase): LoadTx {
  return {
    ...pgRunner(client),
    async copyFrom(sql, chunks) {
      await pipeline(Readable.from(chunks), client.query(copyFrom(sql)));
    },
  };
}

export interface PostgresSink extends BatchStore, StoreMaintenance {
  close(): Promise<void>;
}

export function createPostgresSink(databaseUrl: string, connections: number, onError: (error: Error) => void, directCopy = true): PostgresSink {
  // One connection per concurrently loaded partition, plus one for checks and the summary refresh.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: connections, connectionTimeoutMillis: 5000 });
  // An idle client losing its server is reported, not thrown: the next batch retries.
  pool.on('error', onError);
  return {
    async write(rows, rejected, partition, end) {
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
        const inserted = await storeEvents(pgLoadTx(client), rows, partition, directCopy);
        for (const r of rejected) {
          await client.query(INSERT_REJECTED, [r.reason, cleanText(r.detail), r.topic, r.partition, r.offset, r.key, r.value, r.projectId]);
        }
        // Delivered by PostgreSQL at COMMIT, never for a rolled-back chunk: live clients learn that
        // the query API now includes what they saw (lib/stored-notice.ts).
        if (end !== undefined) await client.query('SELECT pg_notify($1, $2)', [STORED_CHANNEL, encodeStoredNotice({ ...end, partition })]);
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
      // Events, and the visits and counters wholly before the cut, in one transaction.
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const deleted = (await client.query(RETENTION_STATEMENTS.events, [days])).rowCount ?? 0;
        await client.query(RETENTION_STATEMENTS.visits, [days]);
        await client.query(RETENTION_STATEMENTS.counts, [days]);
        await client.query('COMMIT');
        return deleted;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async deleteRollupsOlderThan(days) {
      await pool.query(RETENTION_STATEMENTS.visits, [days]);
      await pool.query(RETENTION_STATEMENTS.counts, [days]);
    },
    async pruneEventIds(days) {
      return (await pool.query(PRUNE_IDS, [days])).rowCount ?? 0;
    },
    async analyzeFilledTables(minRows) {
      return analyzeFilledTables(pool, minRows);
    },
    async close() {
      await pool.end();
    },
  };
}
