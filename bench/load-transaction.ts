// Where a load transaction's time goes: the loader's own transaction body (storeEvents) over N
// realistic collector records (canonical, through the pipeline's fast path) in chunks, each
// statement timed by the client, into a fresh migrated bench database on the shared PostgreSQL.
//   npx tsx bench/load-transaction.ts [rows=30000] [chunk=1500]
// Prints milliseconds per statement kind as µs per row and share of the transaction; the COPY of
// the rows against the rollup statements (visits, previous-visit links, counters) is the question.
// Between chunks it runs what the pipeline's maintenance timer does for tables analyzed empty
// (pipeline/src/adapters/table-statistics.ts), reported apart: outside the transaction.
import pg from 'pg';
import { pgLoadTx } from '../pipeline/src/adapters/postgres-sink.ts';
import { analyzeFilledTables } from '../pipeline/src/adapters/table-statistics.ts';
import { storeEvents, type LoadTx } from '../pipeline/src/adapters/store-events.ts';
import { splitBatch } from '../pipeline/src/load-batch.ts';
import { createBenchDatabase } from './lib/database.ts';
import { loaderRecords } from './lib/loader-records.ts';

const rows = Number(process.argv[2] ?? 30_000);
const chunk = Number(process.argv[3] ?? 1500);
const records = loaderRecords(rows);

const spent = new Map<string, number>();
const timed = async <T>(sql: string, run: () => Promise<T>): Promise<T> => {
  const started = performance.now();
  try {
    return await run();
  } finally {
    const kind = sql.replace(/\s+/g, ' ').slice(0, 70);
    spent.set(kind, (spent.get(kind) ?? 0) + performance.now() - started);
  }
};

const db = await createBenchDatabase('transaction');
const client = new pg.Client({ connectionString: db.url });
await client.connect();
try {
  let total = 0;
  let maintenance = 0;
  for (let i = 0; i < rows; i += chunk) {
    const split = splitBatch('bench', 0, records.slice(i, i + chunk));
    const base = pgLoadTx(client);
    const tx: LoadTx = {
      exec: (sql) => timed(sql, () => base.exec(sql)),
      query: (sql, params) => timed(sql, () => base.query(sql, params)),
      copyFrom: (sql, chunks) => timed(sql, () => base.copyFrom(sql, chunks)),
    };
    const started = performance.now();
    await client.query('BEGIN');
    await storeEvents(tx, split.rows, 0, true);
    await timed('COMMIT', () => client.query('COMMIT'));
    total += performance.now() - started;
    const analyzing = performance.now();
    await analyzeFilledTables(client, 500);
    maintenance += performance.now() - analyzing;
  }
  console.log(`${rows} rows in chunks of ${chunk}: ${((total * 1000) / rows).toFixed(1)} µs per row in the transaction; ${((maintenance * 1000) / rows).toFixed(1)} µs per row analyzing tables between them`);
  for (const [kind, ms] of [...spent].sort((a, b) => b[1] - a[1])) {
    console.log(`${((ms * 1000) / rows).toFixed(1).padStart(7)} µs/row ${((100 * ms) / total).toFixed(0).padStart(4)} %  ${kind}`);
  }
} finally {
  await client.end();
  await db.drop();
}
