// The SQL fragments of the definitions agree with contract/definitions.ts and with the migrated
// schema's generated columns: each is evaluated by PostgreSQL on rows at the edges of its rule
// (engaged time one millisecond under and at the bounce limit, a timestamp one millisecond before
// a bucket edge) and compared with the rule written in TypeScript from the constants.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BOUNCE_ENGAGED_MS,
  COUNTER_BUCKET_MS,
  CURRENT_VISITORS_WINDOW_MS,
  NON_INTERACTION_TYPES,
  PAGE_VIEW,
  VISIT_GAP_MS,
  VISIT_MAX_MS,
} from '#contract';
import { createTestDatabase, type TestDatabase } from '../test/support/database.ts';
import {
  botFilter,
  bouncedExpression,
  bounceRate,
  counterBucket,
  countersOverShards,
  currentVisitorsSince,
  excludedBots,
  isInteraction,
  isPageView,
  VISIT_GAP_INTERVAL,
  VISIT_MAX_INTERVAL,
} from './definitions-sql.ts';

const PROJECT = '00000000-0000-4000-8000-000000000001';
const OTHER = '5b0c3c1e-7f2a-4d3b-9c4d-0123456789ab';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase('analytics_test_definitions');
});
after(async () => {
  await db?.drop();
});

const uuid = (i: number): string => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;

interface VisitShape {
  pageviews: number;
  interactions: number;
  engaged_ms: number;
  duration_ms: number;
}

// Every combination around each edge of the bounce rule.
const VISITS: VisitShape[] = [];
for (const pageviews of [0, 1, 2]) {
  for (const interactions of [0, 1]) {
    for (const engaged_ms of [0, BOUNCE_ENGAGED_MS - 1, BOUNCE_ENGAGED_MS, BOUNCE_ENGAGED_MS + 1]) {
      VISITS.push({ pageviews, interactions, engaged_ms, duration_ms: 1_000 * (VISITS.length + 1) + 7 });
    }
  }
}
/** docs/metrics.md's bounce, from the constants. */
const bouncesByDefinition = (v: VisitShape): boolean => v.pageviews === 1 && v.interactions === 0 && v.engaged_ms < BOUNCE_ENGAGED_MS;

async function insertVisits(project: string, visits: VisitShape[]): Promise<void> {
  const start = Date.parse('2026-11-30T10:00:00Z');
  for (const [i, v] of visits.entries()) {
    await db.pool.query(
      `INSERT INTO visits (project_id, visit_id, visitor_id, visit_start, visit_end, events, pageviews, interactions, engaged_ms,
                           entry_event_id, entry_at, entry_path, exit_event_id, exit_at, exit_path, is_bot)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $2, $4, '/', $2, $5, '/', false)`,
      [project, uuid(i + 1), `h:${i}`, new Date(start), new Date(start + v.duration_ms), v.pageviews + v.interactions + 1, v.pageviews, v.interactions, v.engaged_ms],
    );
  }
}

test('visits: the generated bounced column, bouncedExpression and the definition agree at every edge', async () => {
  await insertVisits(PROJECT, VISITS);
  const { rows } = await db.pool.query<{ visit_id: string; bounced: boolean; fragment: boolean; duration_ms: string }>(
    `SELECT visit_id, bounced, ${bouncedExpression('v.')} AS fragment, duration_ms::text FROM visits v WHERE project_id = $1 ORDER BY visit_id`,
    [PROJECT],
  );
  assert.equal(rows.length, VISITS.length);
  const want = VISITS.map(bouncesByDefinition);
  assert.deepEqual(rows.map((r) => r.bounced), want, 'generated column');
  assert.deepEqual(rows.map((r) => r.fragment), want, 'fragment');
  assert.ok(want.includes(true) && want.includes(false));
  // duration_ms is visit_end - visit_start in milliseconds (the other generated measure).
  assert.deepEqual(rows.map((r) => Number(r.duration_ms)), VISITS.map((v) => v.duration_ms));
});

test('bounceRate: bounced visits over visits with a page view, per project; NULL without such visits', async () => {
  // Another project's visits, all bounced: a rate mixing projects would move.
  await insertVisits(OTHER, VISITS.filter(bouncesByDefinition));
  const rate = async (project: string, where = 'true') =>
    (await db.pool.query<{ rate: number | null }>(`SELECT ${bounceRate()} AS rate FROM visits WHERE project_id = $1 AND ${where}`, [project])).rows[0]!.rate;
  const withPageView = VISITS.filter((v) => v.pageviews > 0);
  assert.equal(await rate(PROJECT), VISITS.filter(bouncesByDefinition).length / withPageView.length);
  assert.equal(await rate(OTHER), 1);
  assert.equal(await rate(PROJECT, 'pageviews = 0'), null);
});

test('page views and interactions: the fragments classify event types as NON_INTERACTION_TYPES says', async () => {
  const types = [PAGE_VIEW, ...NON_INTERACTION_TYPES, 'button_click', 'navigation_click', 'custom.signup'];
  const { rows } = await db.pool.query<{ t: string; page_view: boolean; interaction: boolean }>(
    `SELECT event_type AS t, ${isPageView()} AS page_view, ${isInteraction()} AS interaction FROM unnest($1::text[]) AS x(event_type)`,
    [types],
  );
  assert.deepEqual(rows.map((r) => [r.t, r.page_view, r.interaction]), types.map((t) => [t, t === PAGE_VIEW, !NON_INTERACTION_TYPES.includes(t)]));
});

test('botFilter and excludedBots: bots left out unless included, and what was left out counted', async () => {
  const rows = [false, false, true, false, true];
  for (const include of [false, true]) {
    const includeSql = include ? 'true' : "'false' = 'true'";
    const { rows: [r] } = await db.pool.query<{ kept: number; excluded: number }>(
      `SELECT count(*) FILTER (WHERE ${botFilter(includeSql, 'e.')})::int AS kept, count(*) FILTER (WHERE ${excludedBots(includeSql, 'e.')})::int AS excluded
         FROM unnest($1::boolean[]) AS e(is_bot)`,
      [rows],
    );
    const bots = rows.filter(Boolean).length;
    assert.deepEqual(r, include ? { kept: rows.length, excluded: 0 } : { kept: rows.length - bots, excluded: bots });
  }
});

test('counterBucket: 15-minute UTC buckets as COUNTER_BUCKET_MS floors them', async () => {
  const times = ['2026-11-30T10:14:59.999Z', '2026-11-30T10:15:00.000Z', '2026-11-30T23:59:59.999Z', '2026-03-29T01:07:00.000Z', '1969-12-31T23:52:00.000Z'];
  const { rows } = await db.pool.query<{ b: Date }>(`SELECT ${counterBucket('t')} AS b FROM unnest($1::timestamptz[]) WITH ORDINALITY AS x(t, n) ORDER BY n`, [times]);
  assert.deepEqual(rows.map((r) => r.b.getTime()), times.map((t) => Math.floor(Date.parse(t) / COUNTER_BUCKET_MS) * COUNTER_BUCKET_MS));
});

test('countersOverShards: one row per bucket, type, path and bot flag, summed over the shards, for the project asked', async () => {
  const bucket = '2026-11-30T10:15:00Z';
  const insert = `INSERT INTO event_counts_15m (project_id, bucket, event_type, page_path, is_bot, shard, events) VALUES ($1, $2, $3, $4, $5, $6, $7)`;
  for (const [project, type, bot, shard, n] of [
    [PROJECT, 'page_view', false, 0, 5],
    [PROJECT, 'page_view', false, 2, 7],
    [PROJECT, 'page_view', true, 1, 3],
    [OTHER, 'page_view', false, 0, 100],
  ] as const) await db.pool.query(insert, [project, bucket, type, '/pricing', bot, shard, n]);
  const { rows } = await db.pool.query<{ is_bot: boolean; events: string }>(`SELECT is_bot, events::text FROM (${countersOverShards('project_id = $1')}) c ORDER BY is_bot`, [PROJECT]);
  assert.deepEqual(rows.map((r) => [r.is_bot, Number(r.events)]), [[false, 12], [true, 3]]);
});

test('the time windows equal the constants: current visitors, visit gap and visit length', async () => {
  const { rows: [r] } = await db.pool.query<{ window_ms: number; gap_ms: number; max_ms: number }>(
    `SELECT (extract(epoch FROM now() - ${currentVisitorsSince()}) * 1000)::float8 AS window_ms,
            (extract(epoch FROM ${VISIT_GAP_INTERVAL}) * 1000)::float8 AS gap_ms,
            (extract(epoch FROM ${VISIT_MAX_INTERVAL}) * 1000)::float8 AS max_ms`,
  );
  assert.deepEqual(r, { window_ms: CURRENT_VISITORS_WINDOW_MS, gap_ms: VISIT_GAP_MS, max_ms: VISIT_MAX_MS });
});
