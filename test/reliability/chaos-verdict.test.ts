// The chaos verdict can fail: on a real migrated database, a summary the pipeline stopped
// maintaining, a second row for one event_id, a clamped time stored without the client's own and
// a rollup that differs from its events each turn a pass into a named failure. (The chaos run
// itself, test/reliability/chaos.test.ts, only shows passes.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { DEFAULT_PROJECT_ID } from '#contract';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { Ledger, type TimeKind } from '../chaos/ledger.ts';
import { timeKind } from '../chaos/load-client.ts';
import { verdictProblems, verify } from '../chaos/verify.ts';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase('analytics_test_verdict');
});
after(async () => {
  await db?.drop();
});

const NOW = Date.parse('2026-11-30T12:00:00.000Z');

/** Stores one event as the pipeline would; `as` overrides what is stored. */
async function store(ledger: Ledger, kind: TimeKind, as: { id?: string; timestampMs?: number; adjustment?: string | null; clientMs?: number | null } = {}): Promise<string> {
  const id = as.id ?? randomUUID();
  const sentMs = kind === 'future' ? NOW + 20 * 60_000 : kind === 'past' ? NOW - 8 * 86_400_000 : kind === 'fresh' ? NOW - 1000 : undefined;
  if (!as.id) ledger.record(id, { kind, eventType: 'page_view', pageUrl: `https://chaos.example/${kind}`, sentMs });
  const adjustment = as.adjustment !== undefined ? as.adjustment : kind === 'future' ? 'clamped_future' : kind === 'past' ? 'clamped_past' : null;
  const clientMs = as.clientMs !== undefined ? as.clientMs : adjustment ? sentMs! : null;
  const ts = as.timestampMs ?? (kind === 'fresh' ? sentMs! : NOW);
  await db.pool.query(
    `INSERT INTO analytics_events (event_id, "timestamp", event_type, page_url, received_at, client_timestamp, timestamp_adjustment)
     VALUES ($1, $2, 'page_view', $3, $4, $5, $6)`,
    [id, new Date(ts), `https://chaos.example/${kind}`, new Date(NOW), clientMs === null ? null : new Date(clientMs), adjustment],
  );
  return id;
}

async function run(ledger: Ledger, summaryWaitMs = 0) {
  const verdict = await verify(db.pool, ledger, new Set(ledger.ids), { summaryWaitMs });
  return { verdict, problems: verdictProblems(verdict) };
}

test('the client sends 2 in 10 events without a time, 1 in 10 from a fast clock, 1 in 10 too old', () => {
  const kinds = Array.from({ length: 1000 }, (_, n) => timeKind(n));
  const count = (k: TimeKind) => kinds.filter((x) => x === k).length;
  assert.deepEqual({ none: count('none'), future: count('future'), past: count('past'), fresh: count('fresh') }, { none: 200, future: 100, past: 100, fresh: 600 });
});

test('a maintained summary passes; rows stored after its last refresh fail the verdict until it is refreshed again', async () => {
  const ledger = new Ledger();
  for (const kind of ['fresh', 'none', 'future', 'past', 'foreign'] as const) await store(ledger, kind);
  await db.pool.query('REFRESH MATERIALIZED VIEW analytics_summary'); // what the pipeline's timer does
  const maintained = await run(ledger);
  assert.deepEqual(maintained.problems, []);
  assert.equal(maintained.verdict.summaryTotal, 5);

  // The pipeline stored two more and then stopped refreshing: the verdict waits its bound, then fails.
  await store(ledger, 'none');
  await store(ledger, 'fresh');
  const started = Date.now();
  const stale = await run(ledger, 1500);
  assert.ok(Date.now() - started >= 1500, 'the verdict waits for the pipeline before failing');
  assert.equal(stale.verdict.summaryTotal, 5);
  assert.ok(stale.verdict.summaryVsLedger > 0 && stale.verdict.summaryMismatches > 0, JSON.stringify(stale.verdict));
  assert.equal(stale.problems.length, 1);
  assert.match(stale.problems[0]!, /analytics_summary as the pipeline maintains it disagrees/);

  await db.pool.query('REFRESH MATERIALIZED VIEW analytics_summary');
  assert.deepEqual((await run(ledger)).problems, []);
});

test('a second row for one event_id and a clamped time stored without the client time each fail the verdict', async () => {
  await db.pool.query('TRUNCATE analytics_events');
  const ledger = new Ledger();
  const retried = await store(ledger, 'none');
  await store(ledger, 'future', { clientMs: null });
  // The retry the collector stamped a second later, stored again: what the old key let through.
  await store(ledger, 'none', { id: retried, timestampMs: NOW + 1000 });
  await db.pool.query('REFRESH MATERIALIZED VIEW analytics_summary');
  const { verdict, problems } = await run(ledger);
  assert.equal(verdict.duplicated, 1);
  assert.equal(verdict.wrongTimes, 1);
  assert.ok(problems.includes('1 duplicate rows'), problems.join('\n'));
  assert.ok(problems.includes('1 rows whose time columns differ from what was sent'), problems.join('\n'));
  assert.ok(problems.some((p) => p.includes('counts in the table differ from the client')), problems.join('\n'));
});

test('a rollup the loader did not keep equal to its events fails the verdict, naming the rollup', async () => {
  await db.pool.query('TRUNCATE analytics_events');
  const ledger = new Ledger();
  const id = await store(ledger, 'fresh');
  const visit = randomUUID();
  // The event as the visit-assigning loader stores it, with its visit's rollup rows, but the
  // visit's page views counted twice: what a replayed batch must never do.
  await db.pool.query(`UPDATE analytics_events SET visitor_id = 'h:chaos', visit_id = $2, page_path = '/fresh' WHERE event_id = $1`, [id, visit]);
  const { rows: [e] } = await db.pool.query<{ ts: Date }>('SELECT "timestamp" AS ts FROM analytics_events WHERE event_id = $1', [id]);
  await db.pool.query(
    `INSERT INTO visits (project_id, visit_id, visitor_id, visit_start, visit_end, events, pageviews, interactions, engaged_ms,
                         entry_event_id, entry_at, entry_path, exit_event_id, exit_at, exit_path, is_bot)
     VALUES ('${DEFAULT_PROJECT_ID}', $1, 'h:chaos', $2, $2, 1, 2, 0, 0, $3, $2, '/fresh', $3, $2, '/fresh', false)`,
    [visit, e!.ts, id],
  );
  await db.pool.query(`INSERT INTO visitor_first_seen VALUES ('${DEFAULT_PROJECT_ID}', 'h:chaos', $1, $2, $3)`, [e!.ts, id, visit]);
  await db.pool.query(
    `INSERT INTO event_counts_15m VALUES ('${DEFAULT_PROJECT_ID}', date_bin(interval '15 minutes', $1::timestamptz, timestamptz '2000-01-01 00:00:00+00'), 'page_view', '/fresh', false, 0, 1)`,
    [e!.ts],
  );
  // The report rollups (018) as the loader writes them: the narrow counter from the event, the
  // visit counter from the stored visit (so only the visit itself disagrees with the events).
  await db.pool.query(
    `INSERT INTO event_type_counts_15m VALUES ('${DEFAULT_PROJECT_ID}', date_bin(interval '15 minutes', $1::timestamptz, timestamptz '2000-01-01 00:00:00+00'), 'page_view', false, 0, 1)`,
    [e!.ts],
  );
  await db.pool.query(
    `INSERT INTO visit_counts_15m VALUES ('${DEFAULT_PROJECT_ID}', date_bin(interval '15 minutes', $1::timestamptz, timestamptz '2000-01-01 00:00:00+00'), false, 0, 1, 1, 0, 0, 2)`,
    [e!.ts],
  );
  // The event breakdowns' rows (023, 026): the event's page and type, first of its visit and visitor.
  await db.pool.query(
    `INSERT INTO event_value_visits_15m (project_id, dimension, value, visit_id, bucket, visitor_id, events, pageviews)
     SELECT '${DEFAULT_PROJECT_ID}', d, v, $2, date_bin(interval '15 minutes', $1::timestamptz, timestamptz '2000-01-01 00:00:00+00'), 'h:chaos', 1, 1
       FROM (VALUES ('page', '/fresh'), ('event_type', 'page_view')) AS x(d, v)`,
    [e!.ts, visit],
  );
  await db.pool.query('REFRESH MATERIALIZED VIEW analytics_summary');
  const wrong = await run(ledger);
  assert.equal(wrong.verdict.rollupDifferences, 1, JSON.stringify(wrong.verdict.rollupSample));
  assert.equal(wrong.problems.length, 1, wrong.problems.join('\n'));
  assert.match(wrong.problems[0]!, /^1 rollup rows differ from their recomputation from analytics_events: .*visits/);

  await db.pool.query('UPDATE visits SET pageviews = 1 WHERE visit_id = $1', [visit]);
  await db.pool.query(`UPDATE visit_counts_15m SET pageviews = 1, bounces = 1 WHERE project_id = '${DEFAULT_PROJECT_ID}'`);
  assert.deepEqual((await run(ledger)).problems, []);
});
