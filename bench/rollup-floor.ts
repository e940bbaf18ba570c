// The floor of a load's database work: every row a load leaves behind (the events, their ids, the
// visits and every rollup), written once more as finished rows by COPY into a fresh database with
// the same schema — no lookups, no updates, no JSON, one COPY per table. Whatever the loader does,
// PostgreSQL cannot write its rollups faster than this, so the ratio printed last is the best a
// loader that keeps these rollups could reach against the COPY of the events alone (the loader
// benchmark's `psql \copy` baseline).
//   npx tsx bench/rollup-floor.ts [events=30000] [chunk=1500] [rounds=3]
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { pgLoadTx } from '../pipeline/src/adapters/postgres-sink.ts';
import { analyzeFilledTables } from '../pipeline/src/adapters/table-statistics.ts';
import { storeEvents } from '../pipeline/src/adapters/store-events.ts';
import { splitBatch } from '../pipeline/src/load-batch.ts';
import { createBenchDatabase } from './lib/database.ts';
import { loaderRecords } from './lib/loader-records.ts';

const events = Number(process.argv[2] ?? 30_000);
const chunk = Number(process.argv[3] ?? 1500);
const rounds = Number(process.argv[4] ?? 3);
const EVENT_TABLES = new Set(['analytics_events']);

async function tableNames(client: pg.Client): Promise<string[]> {
  const tables = await client.query<{ t: string }>(
    "SELECT c.relname AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY 1",
  );
  return tables.rows.map((r) => r.t);
}

const countRows = async (client: pg.Client, table: string) => Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);

async function copyOut(client: pg.Client, table: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  const stream = client.query(copyTo(`COPY ${table} TO STDOUT`));
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

async function copyIn(client: pg.Client, table: string, data: Buffer): Promise<number> {
  const started = performance.now();
  await pipeline(Readable.from([data]), client.query(copyFrom(`COPY ${table} FROM STDIN`)));
  return performance.now() - started;
}

// 1. A real load, chunk by chunk, through the loader's own transaction body.
const source = await createBenchDatabase('floor_src');
const dumps = new Map<string, { rows: number; data: Buffer }>();
try {
  const records = loaderRecords(events);
  const client = new pg.Client({ connectionString: source.url });
  await client.connect();
  try {
    // Tables a migrated database already fills (organizations, schema versions) are not the load's.
    const seeded = new Set<string>();
    for (const t of await tableNames(client)) if (await countRows(client, t) > 0) seeded.add(t);
    for (let i = 0; i < events; i += chunk) {
      const split = splitBatch('bench', 0, records.slice(i, i + chunk));
      await client.query('BEGIN');
      await storeEvents(pgLoadTx(client), split.rows, 0, true);
      await client.query('COMMIT');
      await analyzeFilledTables(client, 500);
    }
    for (const t of await tableNames(client)) {
      const rows = await countRows(client, t);
      if (rows > 0 && !seeded.has(t)) dumps.set(t, { rows, data: await copyOut(client, t) });
    }
  } finally {
    await client.end();
  }
} finally {
  await source.drop();
}

// 2. The finished rows COPYed into fresh databases: the events first, then everything else.
const spent = new Map<string, number[]>();
for (let round = 0; round < rounds; round++) {
  const target = await createBenchDatabase('floor_dst');
  const client = new pg.Client({ connectionString: target.url });
  await client.connect();
  try {
    const order = [...dumps.keys()].sort((a, b) => Number(EVENT_TABLES.has(b)) - Number(EVENT_TABLES.has(a)));
    for (const table of order) {
      await client.query('BEGIN');
      const ms = await copyIn(client, table, dumps.get(table)!.data);
      await client.query('COMMIT');
      spent.set(table, [...(spent.get(table) ?? []), ms]);
    }
  } finally {
    await client.end();
    await target.drop();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`${events} events in chunks of ${chunk}; finished rows COPYed into fresh databases, medians of ${rounds} rounds:`);
let eventsMs = 0;
let allMs = 0;
for (const [table, { rows }] of [...dumps].sort((a, b) => median(spent.get(b[0])!) - median(spent.get(a[0])!))) {
  const ms = median(spent.get(table)!);
  allMs += ms;
  if (EVENT_TABLES.has(table)) eventsMs += ms;
  console.log(`${((ms * 1000) / events).toFixed(1).padStart(7)} µs/event  ${String(rows).padStart(8)} rows (${(rows / events).toFixed(2)} per event)  ${table}`);
}
console.log(`events alone ${((eventsMs * 1000) / events).toFixed(1)} µs/event; every table ${((allMs * 1000) / events).toFixed(1)} µs/event; best ratio to the events' COPY: ${(eventsMs / allMs).toFixed(2)}x`);
