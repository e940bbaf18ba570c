// Runs one heavy report query with more sort memory than the server default (the funnel's sort of
// a month of step events needs about 60 MB to stay in memory) and without JIT compilation (which
// took 1.8 of 6.7 s of a 3-step funnel on 10M events, EXPLAIN ANALYZE: the query's cost estimate
// triggers it, its run is one pass). SET LOCAL lasts to the end of the (read-only) transaction,
// so the pooled connection is unchanged.
import type pg from 'pg';

export async function queryWithWorkMem<R extends pg.QueryResultRow>(
  db: pg.Pool,
  workMemMb: number,
  text: string,
  values: unknown[],
  options: { serial?: boolean } = {},
): Promise<pg.QueryResult<R>> {
  const client = await db.connect();
  try {
    await client.query('BEGIN READ ONLY');
    await client.query(`SET LOCAL work_mem = '${Math.floor(workMemMb)}MB'`);
    await client.query('SET LOCAL jit = off');
    // serial: no parallel workers, for a statement that is one of several run at once (one per core).
    if (options.serial === true) await client.query('SET LOCAL max_parallel_workers_per_gather = 0');
    const result = await client.query<R>(text, values);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
