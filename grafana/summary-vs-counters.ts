// Should the counting panels read analytics_summary (per minute, with is_bot since migration 013)
// or the loader's event_counts_15m counters (per 15 minutes, summed over shards)? Measures both
// on one scratch PostgreSQL database, next to the summary as it was before 013 (no is_bot):
//   npx tsx grafana/summary-vs-counters.ts [rows] [hours] [bot share]
// Seeds `rows` events over the last `hours` (200 pages, 6 types, `bot share` of them bots), builds
// the counters from the same rows (3 shards, as 3 partitions' loaders would), then prints the size
// of each relation, the refresh time of each summary (the pipeline refreshes it every 5 s on plain
// PostgreSQL) and EXPLAIN ANALYZE times (best of 3) of the same questions over each. Dropped at the end.
import { createTestDatabase } from '../test/support/database.ts';
import { DEFAULT_PROJECT_ID } from '#contract';
import { botFilter, countersOverShards, counterBucket } from '../db/definitions-sql.ts';

const rows = Number(process.argv[2] ?? 1_000_000);
const hours = Number(process.argv[3] ?? 24);
const botShare = Number(process.argv[4] ?? 0.05);
const print = (line: string) => process.stdout.write(`${line}\n`);

const db = await createTestDatabase('analytics_test_counters');
const q = async (sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows;
async function best(sql: string): Promise<number> {
  let min = Infinity;
  for (let i = 0; i < 3; i++) {
    const plan = (await q(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`))[0]!['QUERY PLAN'] as [{ 'Execution Time': number }];
    min = Math.min(min, plan[0]['Execution Time']);
  }
  return min;
}
async function timed(sql: string): Promise<number> {
  let min = Infinity;
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    await q(sql);
    min = Math.min(min, performance.now() - started);
  }
  return min;
}
const fmt = (ms: number) => ms.toFixed(ms < 10 ? 2 : 1);

try {
  await q(
    `INSERT INTO analytics_events (project_id, event_id, "timestamp", event_type, page_url, page_path, session_id, user_agent, site_id, is_bot, received_at)
     SELECT '${DEFAULT_PROJECT_ID}', gen_random_uuid(), t, (ARRAY['page_view','page_view','page_view','button_click','navigation_click','page_unload'])[1 + (i % 6)],
            'https://demo.example/page/' || (i % 200), '/page/' || (i % 200), 's-' || (i % 20000), 'Mozilla/5.0', 'main', (i % 1000) < $3::float8 * 1000, t + interval '300 ms'
       FROM generate_series(1, $1::int) AS i,
            LATERAL (SELECT now() - make_interval(secs => ($2::float8 * 3600) * (1 - i::float8 / $1::int))) AS x(t)`,
    [rows, hours, botShare],
  );
  await q(
    `INSERT INTO event_counts_15m (project_id, bucket, event_type, page_path, is_bot, shard, events)
     SELECT project_id, ${counterBucket('"timestamp"')}, event_type, page_path, is_bot, abs(hashtext(event_id::text)) % 3, count(*)
       FROM analytics_events GROUP BY 1, 2, 3, 4, 5, 6`,
  );
  // The summary as it was before migration 013, for the refresh cost of the extra grouping column.
  await q(
    `CREATE MATERIALIZED VIEW summary_before_013 AS
     SELECT project_id, date_trunc('minute', "timestamp") AS bucket, event_type, page_url, count(*)::bigint AS event_count
       FROM analytics_events GROUP BY 1, 2, 3, 4 WITH DATA`,
  );
  await q('CREATE UNIQUE INDEX ON summary_before_013 (project_id, bucket, event_type, page_url)');
  await q('REFRESH MATERIALIZED VIEW analytics_summary');
  await q('VACUUM ANALYZE');
  const size = async (rel: string) => Number((await q(`SELECT count(*)::int AS n FROM ${rel}`))[0]!.n);
  print(`PostgreSQL: ${rows} events over ${hours} h, ${botShare * 100} % bots`);
  print(`rows: analytics_summary (013) ${await size('analytics_summary')}, before 013 ${await size('summary_before_013')}, event_counts_15m ${await size('event_counts_15m')}`);
  print(`REFRESH … CONCURRENTLY, best of 3: analytics_summary (013) ${fmt(await timed('REFRESH MATERIALIZED VIEW CONCURRENTLY analytics_summary'))} ms, before 013 ${fmt(await timed('REFRESH MATERIALIZED VIEW CONCURRENTLY summary_before_013'))} ms`);

  const project = `project_id = '${DEFAULT_PROJECT_ID}'`;
  const humans = botFilter('false');
  print('| question | range | summary (013), bots excluded | summary before 013 (no filter possible) | counters, bots excluded |');
  print('|---|---|---:|---:|---:|');
  for (const h of [1, hours]) {
    const since = `now() - interval '${h} hours'`;
    const questions: [string, string, string, string][] = [
      [
        'total events',
        `SELECT sum(event_count) FROM analytics_summary WHERE ${project} AND bucket >= ${since} AND ${humans}`,
        `SELECT sum(event_count) FROM summary_before_013 WHERE ${project} AND bucket >= ${since}`,
        `SELECT sum(events) FROM (${countersOverShards(`${project} AND bucket >= ${since} AND ${humans}`)}) c`,
      ],
      [
        'events by type',
        `SELECT event_type, sum(event_count) FROM analytics_summary WHERE ${project} AND bucket >= ${since} AND ${humans} GROUP BY 1`,
        `SELECT event_type, sum(event_count) FROM summary_before_013 WHERE ${project} AND bucket >= ${since} GROUP BY 1`,
        `SELECT event_type, sum(events) FROM (${countersOverShards(`${project} AND bucket >= ${since} AND ${humans}`)}) c GROUP BY 1`,
      ],
      [
        'top 10 pages',
        `SELECT page_url, sum(event_count) FROM analytics_summary WHERE ${project} AND bucket >= ${since} AND ${humans} GROUP BY 1 ORDER BY 2 DESC LIMIT 10`,
        `SELECT page_url, sum(event_count) FROM summary_before_013 WHERE ${project} AND bucket >= ${since} GROUP BY 1 ORDER BY 2 DESC LIMIT 10`,
        `SELECT page_path, sum(events) FROM (${countersOverShards(`${project} AND bucket >= ${since} AND ${humans}`)}) c GROUP BY 1 ORDER BY 2 DESC LIMIT 10`,
      ],
    ];
    for (const [label, summary, before, counters] of questions) {
      print(`| ${label} | ${h} h | ${fmt(await best(summary))} | ${fmt(await best(before))} | ${fmt(await best(counters))} |`);
    }
  }
} finally {
  await db.drop();
}
