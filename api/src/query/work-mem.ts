// Runs one heavy report query with more sort memory than the server default: the funnel's and
// retention's sorts spill to disk at 4 MB and run about twice as long (bench/HISTORY.md). SET
// LOCAL lasts to the end of the (read-only) transaction, so the pooled connection is unchanged.
import type pg from 'pg';

export async function queryWithWorkMem<R extends pg.QueryResultRow>(db: pg.Pool, workMemMb: number, text: string, values: unknown[]): Promise<pg.QueryResult<R>> {
  const client = await db.connect();
  try {
    await client.query('BEGIN READ ONLY');
    await client.query(`SET LOCAL work_mem = '${Math.floor(workMemMb)}MB'`);
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
