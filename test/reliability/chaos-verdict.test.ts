// The chaos verdict can fail: on a real migrated database, a summary the pipeline stopped
// maintaining, a second row for one event_id and a clamped time stored without the client's own
// each turn a pass into a named failure. (The chaos run itself, test/reliability/chaos.test.ts,
// only shows passes.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
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
