// The loader's statistics for filled tables (pipeline/src/adapters/table-statistics.ts), against
// the real PostgreSQL: a fresh database's tables, analyzed empty by their migrations, get
// statistics from the loader as soon as they hold rows, through the maintenance timer, without
// waiting for autovacuum; tables with statistics and tables below the threshold are left alone; a
// batch of dead letters alone arms the checks as stored events do.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createLogger } from '../../lib/logger.ts';
import { analyzeFilledTables } from '../../pipeline/src/adapters/table-statistics.ts';
import { createPostgresSink, type PostgresSink } from '../../pipeline/src/adapters/postgres-sink.ts';
import { createMaintenance } from '../../pipeline/src/maintenance.ts';
import { createReadiness } from '../../pipeline/src/readiness.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { eventRow } from '../support/event-row.ts';

let db: TestDatabase;
let sink: PostgresSink;

before(async () => {
  db = await createTestDatabase('analytics_test_statistics');
  sink = createPostgresSink(db.url, 2, () => undefined);
});
after(async () => {
  await sink?.close();
  await db?.drop();
});

interface TableStats {
  relname: string;
  n_live_tup: string;
  /** The planner's row count: -1 never analyzed, 0 analyzed empty. */
  reltuples: number;
}
const stats = async (): Promise<Map<string, TableStats>> => {
  const { rows } = await db.pool.query<TableStats>(
    `SELECT s.relname, s.n_live_tup::text, c.reltuples FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid WHERE s.schemaname = current_schema()`,
  );
  return new Map(rows.map((r) => [r.relname, r]));
};

/** Waits until PostgreSQL's statistics count at least `rows` live rows in `table` (they lag commits by up to a second). */
async function counted(table: string, rows: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (Number((await stats()).get(table)?.n_live_tup ?? 0) >= rows) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`pg_stat_user_tables never counted ${rows} rows in ${table}`);
}

/** `count` events of distinct visitors, each on a page of its own: rows in every rollup table. */
const events = (count: number) =>
  Array.from({ length: count }, (_, i) =>
    eventRow({ visitor_id: `h:${randomUUID().replaceAll('-', '')}`, session_id: `s-${i}`, page_path: `/p/${i}`, timestamp: new Date(Date.now() - i * 1000).toISOString() }),
  );

test('tables analyzed empty that now hold rows are analyzed once; small tables and tables with statistics are not', async () => {
  assert.deepEqual(await sink.write(events(300), [], 0), { inserted: 300, duplicates: 0 });
  await counted('analytics_events', 300);
  await counted('event_value_visits_15m', 600);
  const before = await stats();
  assert.ok(before.get('event_value_visits_15m')!.reltuples <= 0, 'the migration analyzed the table empty');

  const analyzed = await analyzeFilledTables(db.pool, 250);
  // At least 300 rows: the events, their ids, visits, first-seen rows and three event-value rows each.
  for (const table of ['analytics_events', 'analytics_event_ids', 'visits', 'visitor_first_seen', 'event_value_visits_15m']) {
    assert.ok(analyzed.includes(`public.${table}`), `${table} analyzed (got ${analyzed.join(', ')})`);
  }
  const after = await stats();
  for (const [name, s] of after) {
    const filled = Number(before.get(name)?.n_live_tup ?? 0) >= 250 && before.get(name)!.reltuples <= 0;
    assert.equal(analyzed.includes(`public.${name}`), filled, `${name} (${s.n_live_tup} rows, reltuples ${before.get(name)?.reltuples})`);
    if (filled) assert.ok(s.reltuples >= 250, `${name}: the planner counts its rows (${s.reltuples})`);
    else assert.equal(s.reltuples, before.get(name)!.reltuples, `${name} left alone`);
  }
  // PostgreSQL now knows the columns the loader's lookups select on.
  const { rows } = await db.pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM pg_stats WHERE schemaname = 'public' AND tablename = 'event_value_visits_15m' AND attname IN ('visitor_id', 'value')`);
  assert.equal(rows[0]!.n, '2');
  assert.deepEqual(await analyzeFilledTables(db.pool, 250), [], 'a table with statistics is not analyzed again');
});

/** The pipeline's maintenance timers on the test sink, started; stop() them. */
function startMaintenance() {
  const maintenance = createMaintenance(
    sink,
    { pipelineSummaryRefreshMs: 0, pipelineRetentionDays: 0, pipelineDedupDays: 7 },
    createReadiness({ kafkaSilenceMs: 60_000 }),
    createLogger('test', 'silent'),
  );
  maintenance.start('plain');
  return maintenance;
}

/** The table's planner row count once it is positive (analyzed), polled for up to 6 s; -1 or 0 if never. */
async function analyzedRows(table: string): Promise<number> {
  let reltuples = -1;
  for (let i = 0; i < 60 && reltuples <= 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    reltuples = (await stats()).get(table)!.reltuples;
  }
  return reltuples;
}

test('the maintenance timer analyzes a filled table after rows were stored', async () => {
  await db.pool.query('CREATE TABLE loader_statistics_probe (n int)');
  await db.pool.query('INSERT INTO loader_statistics_probe SELECT generate_series(1, 600)');
  await counted('loader_statistics_probe', 600);
  const maintenance = startMaintenance();
  try {
    maintenance.stored({ inserted: 600, deadLettered: [] });
    assert.equal(await analyzedRows('loader_statistics_probe'), 600, 'analyzed by the timer within 6 s');
  } finally {
    maintenance.stop();
  }
});

test('rows counted by PostgreSQL after the last store are still seen: the checks go on while the counts can lag', async () => {
  await db.pool.query('CREATE TABLE loader_statistics_late (n int)');
  const maintenance = startMaintenance();
  try {
    maintenance.stored({ inserted: 1, deadLettered: [] });
    // A check runs (2 s) while the table is empty; only then do its rows arrive, counted at once.
    await new Promise((r) => setTimeout(r, 3000));
    const client = await db.pool.connect();
    try {
      await client.query('SELECT pg_stat_force_next_flush()');
      await client.query('INSERT INTO loader_statistics_late SELECT generate_series(1, 600)');
    } finally {
      client.release();
    }
    assert.equal(await analyzedRows('loader_statistics_late'), 600, 'analyzed without another store');
  } finally {
    maintenance.stop();
  }
});

test('a batch of dead letters alone arms the checks: analytics_events_rejected gets statistics as events would', async () => {
  const maintenance = startMaintenance();
  try {
    // The start counts as a store; past the lag the checks are disarmed until something is stored.
    await new Promise((r) => setTimeout(r, 12_000));
    const rejected = Array.from({ length: 600 }, (_, i) => ({
      reason: 'invalid_json', detail: 'not JSON', projectId: null, topic: 'analytics-events', partition: 0, offset: String(10_000 + i), key: null, value: Buffer.from(`not json ${i}`),
    }));
    assert.deepEqual(await sink.write([], rejected, 0), { inserted: 0, duplicates: 0 });
    await counted('analytics_events_rejected', 600);
    assert.ok((await stats()).get('analytics_events_rejected')!.reltuples <= 0, 'analyzed empty or never');
    maintenance.stored({ inserted: 0, deadLettered: rejected });
    assert.equal(await analyzedRows('analytics_events_rejected'), 600, 'analyzed by the timer within 6 s');
  } finally {
    maintenance.stop();
  }
});
