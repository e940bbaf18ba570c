// What every project route plugin receives: the read-only report pool and the clock.
import type pg from 'pg';

export interface RouteContext {
  /** Read-only connections (query/query-pool.ts). */
  db: pg.Pool;
  now: () => Date;
}
