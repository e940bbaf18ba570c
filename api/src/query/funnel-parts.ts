// How many statements a funnel is split into right now (funnel-sql.ts § Parts). Pure.
import type pg from 'pg';

/**
 * How many parts a funnel runs now: at most `wanted`, and only as many as the pool has connections
 * free beside the one its meta query takes. Under load every funnel runs one statement: parts
 * then gain nothing (the cores are busy) and would make other requests wait for connections.
 */
export function partsNow(db: Pick<pg.Pool, 'idleCount' | 'totalCount' | 'waitingCount'> & { options: { max?: number | undefined } }, wanted: number): number {
  const free = db.idleCount + Math.max(0, (db.options.max ?? 10) - db.totalCount) - db.waitingCount;
  return Math.max(1, Math.min(wanted, free - 1));
}
