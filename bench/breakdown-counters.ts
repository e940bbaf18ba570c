// Should GET /breakdown?dimension=page read its event counts from the 15-minute counters? Its
// rows also need the distinct visitors and visits of each page's events, which only the events
// hold. Measured in one run on one scratch database (analytics_bench_breakdown_*, dropped after):
//   raw      the route's SQL (api/src/query/breakdown-sql.ts): one pass over the range's events
//   counters events and page views from event_counts_15m (exact edges), distinct visitors and
//            visits from the events, joined: what "use the counters" would cost
//   counts   the counters alone (no visitors, no visits): the floor if distinct counts were dropped
// Data: SQL-generated events of one project over 30 days, with their visit ids and counters.
// Usage: node --import tsx bench/breakdown-counters.ts [events=1000000] [rounds=5]
import { countedEventsWhere } from '../api/src/query/report-sql.ts';
import { eventCountsRelation } from '../api/src/query/event-counts-sql.ts';
import { breakdownSql } from '../api/src/query/breakdown-sql.ts';
import type { ReportQuery } from '../api/src/query/report-query.ts';
import { SqlParams } from '../api/src/query/sql-params.ts';
import { createBenchDatabase } from './lib/database.ts';
import { median } from './lib/stats.ts';

const EVENTS = Number(process.argv[2] ?? 1_000_000);
const ROUNDS = Number(process.argv[3] ?? 5);
const PROJECT = '6f0b8a52-3c1e-4e0b-9d7a-2b8f4f1d0c11';
const END = new Date('2026-11-30T00:00:00Z');
const DAY = 86_400_000;

function query(days: number): ReportQuery {
  const from = new Date(END.getTime() - days * DAY);
  return { projectId: PROJECT, tz: 'UTC', range: { from, to: END, fromSql: from.toISOString(), toSql: END.toISOString() }, includeBots: false, eventFilters: {}, visitFilters: {} };
}

function variants(q: ReportQuery): Record<string, { sql: string; values: unknown[] }> {
  const raw = new SqlParams();
  const rawSql = breakdownSql(q, 'page', { limit: 10 }, raw);
  const c = new SqlParams();
  const countersSql = `WITH c AS (SELECT page_path AS value, sum(events)::bigint AS events, (sum(events) FILTER (WHERE event_type = 'page_view'))::bigint AS pageviews
                  FROM (${eventCountsRelation(q, c, q.range, true)}) r WHERE NOT r.is_bot GROUP BY 1),
       d AS (SELECT coalesce(e.page_path, '/') AS value, count(DISTINCT e.visitor_id) AS visitors, count(DISTINCT e.visit_id) AS visits
               FROM analytics_events e WHERE ${countedEventsWhere(q, c)} GROUP BY 1)
  SELECT * FROM c JOIN d USING (value) ORDER BY pageviews DESC, value COLLATE "C" LIMIT 11`;
  const n = new SqlParams();
  const countsSql = `SELECT page_path AS value, sum(events)::bigint AS events FROM (${eventCountsRelation(q, n, q.range, true)}) r WHERE NOT r.is_bot GROUP BY 1 ORDER BY 2 DESC, page_path COLLATE "C" LIMIT 11`;
  return { raw: { sql: rawSql, values: raw.values }, counters: { sql: countersSql, values: c.values }, counts: { sql: countsSql, values: n.values } };
}

async function main(): Promise<void> {
  const db = await createBenchDatabase('breakdown');
  try {
    const t0 = Date.now();
    // 30k visitors, a visit per visitor and day, 200 pages (a few popular), 1 event in 20 a bot's.
    await db.pool.query(
      `INSERT INTO analytics_events (project_id, event_id, "timestamp", event_type, page_url, page_path, received_at, visitor_id, visit_id, is_bot, button_id)
       SELECT $1::uuid, gen_random_uuid(), ts, CASE WHEN i % 5 = 0 THEN 'button_click' ELSE 'page_view' END, 'https://b.example/p', '/p' || (floor(pow(random(), 3) * 200))::int,
              ts, 'h:' || v, md5($1::text || v || date_trunc('day', ts))::uuid, i % 20 = 0, NULL
         FROM (SELECT i, i % 30000 AS v, $2::timestamptz - random() * interval '30 days' AS ts FROM generate_series(1, $3::int) i) g`,
      [PROJECT, END.toISOString(), EVENTS],
    );
    await db.pool.query(
      `INSERT INTO event_counts_15m (project_id, bucket, event_type, page_path, is_bot, shard, events)
       SELECT project_id, date_bin('15 minutes', "timestamp", timestamptz '1970-01-01'), event_type, page_path, is_bot, 0, count(*)
         FROM analytics_events GROUP BY 1, 2, 3, 4, 5`,
    );
    await db.pool.query('VACUUM ANALYZE analytics_events');
    await db.pool.query('VACUUM ANALYZE event_counts_15m');
    console.log(`${EVENTS} events, counters and statistics in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    for (const days of [7, 30]) {
      const cases = variants(query(days));
      const times: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
      for (let round = 0; round < ROUNDS + 1; round++) {
        // Alternating, so the neighbours' load hits every variant alike; round 0 warms the cache.
        for (const [name, c] of Object.entries(cases)) {
          const start = process.hrtime.bigint();
          await db.pool.query(c.sql, c.values);
          if (round > 0) times[name]!.push(Number(process.hrtime.bigint() - start) / 1e6);
        }
      }
      const raw = median(times.raw!);
      const line = Object.entries(times)
        .map(([name, t]) => `${name} ${median(t).toFixed(0)} ms (${(median(t) / raw).toFixed(2)}× raw)`)
        .join(' | ');
      console.log(`page breakdown over ${days} days, median of ${ROUNDS}: ${line}`);
    }
  } finally {
    await db.drop();
  }
}

await main();
