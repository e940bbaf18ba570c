// What every project route plugin receives: the read-only report pool and the clock.
import type pg from 'pg';
import type { CursorCodec } from '../query/cursor.ts';

export interface RouteContext {
  /** Read-only connections (query/query-pool.ts). */
  db: pg.Pool;
  /** The tenancy connections, which may write: only saved report definitions use them here. */
  writeDb: pg.Pool;
  now: () => Date;
  /** How many statements, each on its own connection, a funnel's units are split into (ApiConfig.queryParts). */
  queryParts: number;
  /** Writes and checks the list routes' cursors (keyed by the server's JWT secret, shared by every instance). */
  cursors: CursorCodec;
}
