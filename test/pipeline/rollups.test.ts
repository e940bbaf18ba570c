// The loader's rollups against the real PostgreSQL: visits, visitor_first_seen, event_counts_15m
// and the report rollups of 018 (event_type_counts_15m, visit_counts_15m, previous-visit links) and 022 (links per visit dimension) written by the sink's transaction equal their SQL recomputation
// (db/rollup-check.ts) after every kind of batch: new, replayed, mixed, pruned ids, concurrent
// partitions, refused rows, random arrival orders and batch cuts; retention trims them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { pgRunner } from '../../db/sql-runner.ts';
import { rollupDifferences } from '../../db/rollup-check.ts';
import { LINKED_DIMENSIONS, VISIT_VALUE_LINKS } from '../../db/visit-value-links.ts';
import { createPostgresSink, type PostgresSink } from '../../pipeline/src/adapters/postgres-sink.ts';
import { loadBatch } from '../../pipeline/src/load-batch.ts';
import type { RejectedRecord } from '../../pipeline/src/batch-ports.ts';
import type { EventRow } from '../../pipeline/src/steps/normalize-event.ts';
import { assignVisits } from '../../pipeline/src/visits/assign-visits.ts';
import { visitorIdOf } from '../../pipeline/src/visits/visitor-fallback.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { eventRow } from '../support/event-row.ts';

let db: TestDatabase;
let sink: PostgresSink;

before(async () => {
  db = await createTestDatabase('analytics_test_rollups');
  sink = createPostgresSink(db.url, 3, () => undefined);
});
after(async () => {
  await sink?.close();
  await db?.drop();
});

const MIN = 60_000;
// Aligned to a 15-minute bucket, so events a few minutes apart share one.
const BASE = Math.floor((Date.now() - 6 * 3_600_000) / (15 * MIN)) * 15 * MIN;

function row(project: string, minutes: number, over: Partial<EventRow> = {}): EventRow {
  return eventRow({
    project_id: project,
    timestamp: new Date(BASE + minutes * MIN).toISOString(),
    session_id: 'sess-1',
    user_agent: 'Mozilla/5.0',
    visitor_id: 'h:0123456789abcdef0123456789abcdef',
    page_path: '/',
    ...over,
  });
}

const copy = (rows: EventRow[]) => rows.map((r) => ({ ...r }));

async function differences(project: string) {
  return rollupDifferences(project, pgRunner(db.pool));
}

/** Every rollup row of a project, for before/after comparisons. */
async function snapshot(project: string): Promise<unknown> {
  const q = async (sql: string) => (await db.pool.query(sql, [project])).rows;
  return {
    visits: await q('SELECT * FROM visits WHERE project_id = $1 ORDER BY visit_id'),
    firstSeen: await q('SELECT * FROM visitor_first_seen WHERE project_id = $1 ORDER BY visitor_id'),
    counts: await q('SELECT * FROM event_counts_15m WHERE project_id = $1 ORDER BY bucket, event_type, page_path, is_bot, shard'),
    typeCounts: await q('SELECT * FROM event_type_counts_15m WHERE project_id = $1 ORDER BY bucket, event_type, is_bot, shard'),
    visitCounts: await q('SELECT * FROM visit_counts_15m WHERE project_id = $1 ORDER BY bucket, is_bot, shard'),
  };
}

test('a batch stores its visits, first-seen rows and counters, equal to their recomputation', async () => {
  const p = randomUUID();
  const rows = [
    row(p, 0, { page_path: '/landing', referrer_domain: 'news.example', utm_source: 'mail', device_type: 'mobile', browser: 'Safari', os: 'iOS' }),
    row(p, 1, { event_type: 'button_click', page_path: '/landing' }),
    row(p, 2, { event_type: 'page_unload', page_path: '/landing', engaged_ms: 65_000 }),
    row(p, 40, { page_path: '/again' }),
    row(p, 5, { visitor_id: 'u:bob', user_id: 'bob', is_bot: true }),
  ];
  assert.deepEqual(await sink.write(copy(rows), [], 0), { inserted: 5, duplicates: 0 });
  const visits = (await db.pool.query('SELECT * FROM visits WHERE project_id = $1 ORDER BY visit_start', [p])).rows;
  assert.equal(visits.length, 3);
  const [first, bob, again] = visits;
  assert.deepEqual(
    [first.events, first.pageviews, first.interactions, Number(first.engaged_ms), first.entry_path, first.referrer_domain, first.utm_source, first.device_type, Number(first.duration_ms), first.bounced],
    [3, 1, 1, 65_000, '/landing', 'news.example', 'mail', 'mobile', 2 * MIN, false],
  );
  assert.deepEqual([bob.visitor_id, bob.user_id, bob.is_bot, bob.bounced], ['u:bob', 'bob', true, true]);
  assert.equal(again.events, 1);
  const stored = (await db.pool.query('SELECT visitor_id, visit_id::text FROM analytics_events WHERE project_id = $1 ORDER BY "timestamp"', [p])).rows;
  assert.ok(stored.every((r) => r.visit_id !== null));
  assert.deepEqual(await differences(p), []);
});

test('a replayed batch changes no rollup; a batch mixing stored and new events adds only the new ones', async () => {
  const p = randomUUID();
  const rows = [row(p, 0), row(p, 3, { event_type: 'custom' }), row(p, 10, { page_path: '/b' })];
  await sink.write(copy(rows), [], 1);
  const before = await snapshot(p);
  assert.deepEqual(await sink.write(copy(rows), [], 1), { inserted: 0, duplicates: 3 });
  assert.deepEqual(await sink.write(copy(rows), [], 2), { inserted: 0, duplicates: 3 }, 'on another partition too');
  assert.deepEqual(await snapshot(p), before);

  // The same events resent with new times (a retry the collector stamped anew) are still dropped.
  const restamped = copy(rows).map((r) => ({ ...r, timestamp: new Date(Date.parse(r.timestamp) + 1000).toISOString() }));
  assert.deepEqual(await sink.write(restamped, [], 1), { inserted: 0, duplicates: 3 });
  assert.deepEqual(await snapshot(p), before);

  const mixed = [...copy(rows), row(p, 20, { page_path: '/c' }), row(p, 5, { event_type: 'page_unload', engaged_ms: 3000 })];
  assert.deepEqual(await sink.write(mixed, [], 1), { inserted: 2, duplicates: 3 });
  const visits = (await db.pool.query('SELECT events, pageviews, exit_path, engaged_ms::int FROM visits WHERE project_id = $1', [p])).rows;
  assert.deepEqual(visits, [{ events: 5, pageviews: 3, exit_path: '/c', engaged_ms: 3000 }]);
  assert.deepEqual(await differences(p), []);
});

test('an event whose id was pruned after the horizon is not stored or counted again when replayed unchanged', async () => {
  const p = randomUUID();
  const rows = [row(p, 0), row(p, 1)];
  await sink.write(copy(rows), [], 0);
  const before = await snapshot(p);
  await db.pool.query('DELETE FROM analytics_event_ids WHERE project_id = $1', [p]);
  assert.deepEqual(await sink.write(copy(rows), [], 0), { inserted: 0, duplicates: 2 });
  assert.deepEqual(await snapshot(p), before);
  assert.deepEqual(await differences(p), []);
});

test('a late event before a visitor\'s first joins the stored visit, and first-seen names that visit', async () => {
  const p = randomUUID();
  await sink.write([row(p, 10)], [], 0);
  const late = row(p, 0, { event_type: 'custom' });
  await sink.write([late], [], 0);
  const visit = (await db.pool.query('SELECT visit_id::text FROM visits WHERE project_id = $1', [p])).rows;
  assert.equal(visit.length, 1);
  const first = (await db.pool.query('SELECT first_event_id::text, first_visit_id::text FROM visitor_first_seen WHERE project_id = $1', [p])).rows;
  assert.deepEqual(first, [{ first_event_id: late.event_id, first_visit_id: visit[0].visit_id }]);
  assert.deepEqual(await differences(p), []);
});

for (const round of [1, 2, 3]) test(`one visitor's events on two partitions, loaded at the same time, form visits as one stream (round ${round})`, async () => {
  const p = randomUUID();
  // Another producer's records: no visitor id, so the fallback (the session) makes them one visitor.
  const a = Array.from({ length: 40 }, (_, i) => row(p, i * 2, { visitor_id: null, session_id: 'shared' }));
  const b = Array.from({ length: 40 }, (_, i) => row(p, i * 2 + 1, { visitor_id: null, session_id: 'shared', event_type: 'custom' }));
  await Promise.all([sink.write(a, [], 0), sink.write(b, [], 1)]);
  const visits = (await db.pool.query('SELECT visitor_id, events FROM visits WHERE project_id = $1', [p])).rows;
  assert.deepEqual(visits, [{ visitor_id: 's:shared', events: 80 }]);
  const shards = (await db.pool.query('SELECT shard, sum(events)::int AS n FROM event_counts_15m WHERE project_id = $1 GROUP BY 1 ORDER BY 1', [p])).rows;
  assert.deepEqual(shards, [{ shard: 0, n: 40 }, { shard: 1, n: 40 }], 'each loader counts into its own shard');
  assert.deepEqual(await differences(p), []);
});

test('a row PostgreSQL refuses is dead-lettered and leaves no trace in any rollup', async () => {
  const p = randomUUID();
  const rows = [row(p, 0), row(p, 1, { page_path: `/${'x'.repeat(600)}` }), row(p, 2, { event_type: 'custom' })];
  const source = (offset: number): RejectedRecord => ({ reason: '', detail: '', projectId: p, topic: 't', partition: 0, offset: String(offset), key: null, value: null });
  const dead: RejectedRecord[] = [];
  const result = await loadBatch({ sink, deadLetter: { send: async (r) => void dead.push(...r) } }, { partition: 0, rows, sources: rows.map((_, i) => source(i)), rejected: [] });
  assert.equal(result.inserted, 2);
  assert.deepEqual(
    dead.map((d) => [d.offset, d.reason]),
    [['1', 'database_rejected']],
  );
  const counted = (await db.pool.query('SELECT sum(events)::int AS n FROM event_counts_15m WHERE project_id = $1', [p])).rows[0].n;
  assert.equal(counted, 2);
  assert.deepEqual(await differences(p), []);
});

test('random arrival orders and batch cuts: the rollups equal the recomputation and the visits equal one in-memory pass', async () => {
  const TYPES = ['page_view', 'page_view', 'page_unload', 'button_click'];
  const eventArb = fc.record({ visitor: fc.constantFrom('a', 'b', 'c'), minutes: fc.integer({ min: 0, max: 300 }), type: fc.constantFrom(...TYPES), bot: fc.boolean() });
  await fc.assert(
    fc.asyncProperty(fc.array(eventArb, { minLength: 1, maxLength: 60 }), fc.array(fc.nat(), { maxLength: 5 }), fc.array(fc.nat(2), { maxLength: 8 }), async (specs, cuts, partitions) => {
      const p = randomUUID();
      const rows = specs.map((s) =>
        row(p, s.minutes, { visitor_id: `h:${s.visitor}`, event_type: s.type, is_bot: s.bot, page_path: `/${s.minutes % 3}`, engaged_ms: s.type === 'page_unload' ? s.minutes * 100 : null }),
      );
      const bounds = [...new Set([0, ...cuts.map((c) => c % (rows.length + 1)), rows.length])].sort((x, y) => x - y);
      for (let i = 0; i + 1 < bounds.length; i++) await sink.write(copy(rows.slice(bounds[i], bounds[i + 1])), [], partitions[i] ?? 0);
      assert.deepEqual(await differences(p), []);
      // The same arrival order in one pass, in memory: the same visit for every event.
      const whole = assignVisits([], rows.map((r) => ({ ...r, visitor_id: visitorIdOf(r) })));
      const stored = new Map(
        (await db.pool.query('SELECT event_id::text, visit_id::text FROM analytics_events WHERE project_id = $1', [p])).rows.map((r) => [r.event_id, r.visit_id]),
      );
      assert.deepEqual(rows.map((r) => stored.get(r.event_id)), whole.visitIds);
    }),
    { numRuns: 25 },
  );
});

test('retention deletes the visits and counters wholly before the cut and keeps first-seen', async () => {
  const p = randomUUID();
  const old = row(p, -3 * 24 * 60);
  const recent = row(p, 0);
  await sink.write([old, recent], [], 0);
  await sink.deleteOlderThan(1);
  const n = async (table: string) => (await db.pool.query(`SELECT count(*)::int AS n FROM ${table} WHERE project_id = $1`, [p])).rows[0].n;
  assert.deepEqual([await n('analytics_events'), await n('visits'), await n('event_counts_15m'), await n('visitor_first_seen')], [1, 1, 1, 1]);
  const first = (await db.pool.query('SELECT first_event_id::text FROM visitor_first_seen WHERE project_id = $1', [p])).rows[0].first_event_id;
  assert.equal(first, old.event_id, 'first seen means first ever');
  assert.deepEqual(await differences(p), [], 'a first-seen row whose event retention deleted is accepted');
});

test('late events that start a visit between two, move a visit earlier and make it a bot keep the report rollups exact', async () => {
  const p = randomUUID();
  const human = { visitor_id: 'u:late' };
  // Two visits 3 h apart (each its own bucket), on partition 0.
  await sink.write([row(p, 0, human), row(p, 180, human), row(p, 181, { ...human, event_type: 'button_click' })], [], 0);
  const links = async () =>
    (await db.pool.query('SELECT visit_start, previous_visit_start, previous_human_visit_start FROM visits WHERE project_id = $1 ORDER BY visit_start', [p])).rows.map((r) => [
      r.visit_start.getTime() - BASE,
      r.previous_visit_start === null ? null : r.previous_visit_start.getTime() - BASE,
      r.previous_human_visit_start === null ? null : r.previous_human_visit_start.getTime() - BASE,
    ]);
  assert.deepEqual(await links(), [
    [0, null, null],
    [180 * MIN, 0, 0],
  ]);
  // A late visit in between, then a late bot event moving the last visit 20 minutes earlier, on partition 1.
  await sink.write([row(p, 90, human)], [], 1);
  await sink.write([row(p, 160, { ...human, is_bot: true })], [], 1);
  assert.deepEqual(await links(), [
    [0, null, null],
    [90 * MIN, 0, 0],
    [160 * MIN, 90 * MIN, null],
  ]);
  const visitCounts = (await db.pool.query('SELECT sum(visits)::int AS visits, sum(duration_ms)::int AS duration FROM visit_counts_15m WHERE project_id = $1 AND is_bot', [p])).rows[0];
  assert.deepEqual(visitCounts, { visits: 1, duration: 21 * MIN });
  assert.deepEqual(await differences(p), []);
});

test('a late entry event that changes a visit\'s referrer moves the per-value links (022) of it and of the later visits', async () => {
  const p = randomUUID();
  const from = (referrer: string) => ({ visitor_id: 'u:ref', referrer_domain: referrer });
  await sink.write([row(p, 0, from('a.example')), row(p, 180, from('b.example')), row(p, 400, from('a.example'))], [], 0);
  const links = async () =>
    (await db.pool.query('SELECT visit_start, referrer_domain, previous_referrer_visit_start AS link FROM visits WHERE project_id = $1 ORDER BY visit_start', [p])).rows.map((r) => [
      (r.visit_start.getTime() - BASE) / MIN,
      r.referrer_domain,
      r.link === null ? null : (r.link.getTime() - BASE) / MIN,
    ]);
  assert.deepEqual(await links(), [
    [0, 'a.example', null],
    [180, 'b.example', null],
    [400, 'a.example', 0],
  ]);
  // Ten minutes before the second visit, from a.example: its new entry event, so that visit now
  // came from a.example too and the third one's previous a.example visit is the second.
  await sink.write([row(p, 170, from('a.example'))], [], 1);
  assert.deepEqual(await links(), [
    [0, 'a.example', null],
    [170, 'a.example', 0],
    [400, 'a.example', 170],
  ]);
  assert.deepEqual(await differences(p), []);
  await db.pool.query('UPDATE visits SET previous_referrer_visit_start = NULL WHERE project_id = $1', [p]);
  assert.deepEqual((await differences(p)).map((d) => d.rollup), ['value_links', 'value_links']);
});

test('migrations 022, 023 and 026 fill the value links and event-value rows of stored data exactly as the loader writes them', async () => {
  const p = randomUUID();
  const at = (minutes: number, over: Partial<EventRow>) => row(p, minutes, { visitor_id: 'u:fill', ...over });
  await sink.write(
    [
      at(0, { referrer_domain: 'a.example', page_path: '/x' }),
      at(3, { event_type: 'button_click', button_id: 'buy', page_path: '/y' }),
      at(120, { referrer_domain: 'b.example', page_path: '/x' }),
      at(300, { referrer_domain: 'a.example', page_path: '/y' }),
      at(301, { visitor_id: 'u:other', page_path: '/x', is_bot: true }),
    ],
    [],
    0,
  );
  const state = async () => ({
    links: (await db.pool.query('SELECT * FROM visits WHERE project_id = $1 ORDER BY visit_id', [p])).rows,
    rows: (await db.pool.query('SELECT * FROM event_value_visits_15m WHERE project_id = $1 ORDER BY dimension, value, visit_id, bucket', [p])).rows,
  });
  const written = await state();
  // Per dimension: pages /x, /y, /x, /y; types page_view, button_click, page_view, page_view; button buy.
  assert.deepEqual(
    written.rows.map((r) => `${r.dimension}:${r.value}`),
    ['button_id:buy', 'event_type:button_click', 'event_type:page_view', 'event_type:page_view', 'event_type:page_view', 'page:/x', 'page:/x', 'page:/y', 'page:/y'],
  );
  assert.ok(written.links.some((v) => v.previous_referrer_visit_start !== null));
  await db.pool.query(`UPDATE visits SET ${LINKED_DIMENSIONS.map((d) => `${VISIT_VALUE_LINKS[d].link} = NULL`).join(', ')} WHERE project_id = $1`, [p]);
  await db.pool.query('DELETE FROM event_value_visits_15m WHERE project_id = $1', [p]);
  for (const file of ['022_visit_value_links.sql', '023_event_value_visits.sql', '026_event_type_button_visits.sql']) await db.pool.query(readFileSync(new URL(`../../db/migrations/${file}`, import.meta.url), 'utf8'));
  assert.deepEqual(await state(), written);
  assert.deepEqual(await differences(p), []);
});

test('the rollup check reports wrong report rollups (018)', async () => {
  const p = randomUUID();
  await sink.write([row(p, 0), row(p, 100)], [], 0);
  assert.deepEqual(await differences(p), []);
  await db.pool.query('UPDATE event_type_counts_15m SET events = events + 1 WHERE project_id = $1', [p]);
  await db.pool.query('UPDATE visit_counts_15m SET bounces = bounces + 1 WHERE project_id = $1', [p]);
  await db.pool.query('UPDATE visits SET previous_human_visit_start = NULL WHERE project_id = $1 AND previous_human_visit_start IS NOT NULL', [p]);
  const found = (await differences(p)).map((d) => d.rollup).sort();
  assert.deepEqual(found, ['event_type_counts_15m', 'event_type_counts_15m', 'previous_visits', 'visit_counts_15m', 'visit_counts_15m']);
});

test('the rollup check reports a wrong visit, a wrong counter and a wrong first-seen row', async () => {
  const p = randomUUID();
  await sink.write([row(p, 0), row(p, 1, { visitor_id: 'u:z' })], [], 0);
  await db.pool.query('UPDATE visits SET events = events + 1 WHERE project_id = $1 AND visitor_id = $2', [p, 'u:z']);
  await db.pool.query('UPDATE event_counts_15m SET events = 7 WHERE project_id = $1', [p]);
  await db.pool.query(`UPDATE visitor_first_seen SET first_seen = first_seen + interval '1 second' WHERE project_id = $1`, [p]);
  const found = (await differences(p)).map((d) => d.rollup).sort();
  assert.deepEqual(found, ['event_counts_15m', 'visitor_first_seen', 'visitor_first_seen', 'visits']);
});

test('the contract\'s extreme instants (1 BC, 10000 AD, microseconds) keep exact visits and counters', async () => {
  const p = randomUUID();
  const times = ['0001-01-01 00:00:00.123+00 BC', '0001-01-01 00:10:00+00 BC', '10000-01-01 23:58:59.999+00', '2026-11-30T10:00:00.123456+05:45', '2026-11-30T04:15:00.123457Z'];
  await sink.write(
    times.map((timestamp) => row(p, 0, { timestamp, received_at: timestamp })),
    [],
    0,
  );
  const visits = (await db.pool.query('SELECT events FROM visits WHERE project_id = $1 ORDER BY visit_start', [p])).rows.map((r) => r.events);
  assert.deepEqual(visits, [2, 2, 1]);
  assert.deepEqual(await differences(p), []);
});
