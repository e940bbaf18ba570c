// The reports' connection pool: the read-only login (ApiConfig.queryDatabaseUrl), every
// transaction read-only as well (a second lock: even a role with more rights writes nothing
// here), and a statement timeout so one heavy report cannot hold a connection for ever. JIT
// compilation is off: the reports are single passes whose plans cost enough to trigger it, and
// compiling took 0.3–1.8 s of them while saving less (bench/HISTORY.md §§ 17, 21).
import pg from 'pg';
import type { Logger } from '../../../lib/logger.ts';

export interface QueryPoolOptions {
  url: string;
  max: number;
  /** PostgreSQL statement_timeout of every report query (ms). */
  statementTimeoutMs: number;
  /** How long a request waits for a free connection before its 503 `busy` (default 5 s). */
  connectionTimeoutMs?: number;
  logger: Logger;
}

export function openQueryPool(options: QueryPoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5000,
    idleTimeoutMillis: 30_000,
    statement_timeout: options.statementTimeoutMs,
    options: '-c default_transaction_read_only=on -c jit=off',
    application_name: 'analytics-api',
  });
  // An idle connection dropped by the server must not crash the process; the next query reconnects.
  pool.on('error', (error) => options.logger.debug({ err: error }, 'query pool connection lost'));
  return pool;
}
