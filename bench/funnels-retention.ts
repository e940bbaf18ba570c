// `npx tsx bench/funnels-retention.ts [--runs=N] [--raw-runs=N] [--quick]`: POST /funnels (3 steps)
// and POST /retention (weekly) of the query API on the query benchmark's dataset
// (bench/query-dataset.ts, analytics_bench_query_10m; built first when missing), each beside its
// naive formulation in plain SQL on the same read-only login in the same run (a self-join per step
// for the funnel; first-ever dates truncated by PostgreSQL and a join per unit for retention).
// Checks the answers agree and prints p50/p95. --quick: the 200k dataset. bench/README.md § Funnels and retention.
import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';
import pg from 'pg';
import { QUERY_PARTS_DEFAULT, queryDatabaseUrl } from '../api/src/config.ts';
import { service } from '../test/support/service-kit.ts';
import { percentile } from './lib/stats.ts';
import { BENCH_PEPPER, createReadKey, defaultParams, openQueryDataset } from './query/dataset.ts';

const { values: args } = parseArgs({ options: { runs: { type: 'string' }, 'raw-runs': { type: 'string' }, quick: { type: 'boolean', default: false } } });
const runs = Number(args.runs ?? 10);
const rawRuns = Number(args['raw-runs'] ?? 3);
const TZ = 'Europe/Berlin';
const TARGET_MS = 2000;

interface Case {
  name: string;
  path: string;
  body: Record<string, unknown>;
  raw: { text: string; values: unknown[] };
  /** Both answers as comparable numbers. */
  fromApi: (body: unknown) => number[];
  fromRaw: (rows: Record<string, unknown>[]) => number[];
}

function cases(project: string, from: string, to: string, fromDate: string, toDate: string): Case[] {
  const STEPS = [
    { event_type: 'page_view', page: '/' },
    { event_type: 'button_click', button_id: 'add-to-cart' },
    { event_type: 'button_click', button_id: 'checkout' },
  ];
  // Naive: one self-join per step, every pair of a unit's events compared.
  const step = (a: string, n: number) =>
    `SELECT e.visitor_id AS unit, e."timestamp" AS ts, e.event_id FROM analytics_events e WHERE e.project_id = $1 AND NOT e.is_bot AND e.visitor_id IS NOT NULL AND e."timestamp" >= $2::timestamptz AND e."timestamp" < $3::timestamptz + interval '1 day' AND ${a}`.replace('$n', String(n));
  const s1 = `${step("e.event_type = 'page_view' AND coalesce(e.page_path, '/') = '/'", 1)} AND e."timestamp" < $3::timestamptz`;
  const s2 = step("e.event_type = 'button_click' AND e.button_id = 'add-to-cart'", 2);
  const s3 = step("e.event_type = 'button_click' AND e.button_id = 'checkout'", 3);
  const naiveFunnel = `WITH s1 AS (${s1}), s2 AS (${s2}), s3 AS (${s3}),
    j2 AS (SELECT s1.unit, s1.ts AS t1, s2.ts AS t2, s2.event_id AS id2 FROM s1 JOIN s2 ON s2.unit = s1.unit AND (s2.ts, s2.event_id) > (s1.ts, s1.event_id) AND s2.ts <= s1.ts + interval '1 day'),
    j3 AS (SELECT j2.unit FROM j2 JOIN s3 ON s3.unit = j2.unit AND (s3.ts, s3.event_id) > (j2.t2, j2.id2) AND s3.ts <= j2.t1 + interval '1 day')
    SELECT (SELECT count(DISTINCT unit) FROM s1) AS c1, (SELECT count(DISTINCT unit) FROM j2) AS c2, (SELECT count(DISTINCT unit) FROM j3) AS c3`;
  // Naive retention: PostgreSQL truncates local timestamps to Monday weeks; returns joined per unit.
  const naiveRetention = `WITH firsts AS (SELECT user_id AS unit, min("timestamp") AS f FROM analytics_events WHERE project_id = $1 AND NOT is_bot AND user_id IS NOT NULL AND "timestamp" < $3::timestamptz GROUP BY 1 HAVING min("timestamp") >= $2::timestamptz),
    c AS (SELECT unit, date_trunc('week', f AT TIME ZONE '${TZ}')::date AS cw FROM firsts),
    r AS (SELECT DISTINCT c.unit, c.cw, (date_trunc('week', e."timestamp" AT TIME ZONE '${TZ}')::date - c.cw) / 7 AS k FROM analytics_events e JOIN c ON e.user_id = c.unit WHERE e.project_id = $1 AND NOT e.is_bot AND e."timestamp" >= $2::timestamptz)
    SELECT cw, -1 AS k, count(*) AS n FROM c GROUP BY cw UNION ALL SELECT cw, k, count(*) FROM r WHERE k BETWEEN 1 AND 3 GROUP BY cw, k ORDER BY 1, 2`;
  return [
    {
      name: 'funnel, 3 steps, visitors, window P1D, 30 days',
      path: `/api/v1/projects/${project}/funnels`,
      body: { from: fromDate, to: toDate, tz: TZ, steps: STEPS, window: 'P1D', unit: 'visitor' },
      raw: { text: naiveFunnel, values: [project, from, to] },
      fromApi: (b) => (b as { data: { steps: { count: number }[] } }).data.steps.map((s) => s.count),
      fromRaw: (rows) => [Number(rows[0]!.c1), Number(rows[0]!.c2), Number(rows[0]!.c3)],
    },
    {
      name: 'retention, weekly, users, 3 periods, 30 days',
      path: `/api/v1/projects/${project}/retention`,
      body: { from: fromDate, to: toDate, tz: TZ, period: 'week', periods: 3, unit: 'user' },
      raw: { text: naiveRetention, values: [project, from, to] },
      fromApi: (b) => (b as { data: { cohorts: { size: number; periods: { count: number }[] }[] } }).data.cohorts.filter((c) => c.size > 0).flatMap((c) => [c.size, ...c.periods.map((p) => p.count)]),
      fromRaw: (rows) => {
        const weeks = [...new Set(rows.map((r) => String(r.cw)))];
        return weeks.flatMap((w) => {
          const of = rows.filter((r) => String(r.cw) === w);
          const n = (k: number) => Number(of.find((r) => Number(r.k) === k)?.n ?? 0);
          return [n(-1), n(1), n(2), n(3)];
        });
      },
    },
  ];
}

async function main(): Promise<void> {
  const dataset = await openQueryDataset(defaultParams(args.quick === true ? 200_000 : 10_000_000));
  const key = await createReadKey(dataset.url, dataset.shop);
  const end = DateTime.fromISO(dataset.params.end, { zone: TZ });
  const fromDate = end.minus({ days: dataset.params.days }).toISODate()!;
  const toDate = end.minus({ days: 1 }).toISODate()!;
  const from = DateTime.fromISO(fromDate, { zone: TZ }).toUTC().toISO()!;
  const to = DateTime.fromISO(toDate, { zone: TZ }).plus({ days: 1 }).toUTC().toISO()!;
  process.stderr.write(`[funnels]  ${dataset.name}: ${dataset.stored.toLocaleString('en')} events; ${fromDate}..${toDate} ${TZ}; ${runs} runs, ${rawRuns} naive; funnel statements at once (QUERY_PARTS) ${process.env.QUERY_PARTS ?? QUERY_PARTS_DEFAULT}\n`);
  const login = { databaseUrl: dataset.url, apiDbPassword: process.env.API_DB_PASSWORD ?? 'analytics_api' };
  const api = await service('api', { env: { ...login, apiKeyPepper: BENCH_PEPPER, queryTimeoutMs: 300_000 }, logFile: 'bench/results/tmp/funnels-retention-api.log' });
  await api.start();
  const raw = new pg.Pool({ connectionString: queryDatabaseUrl(login), max: 1 });
  const lines = ['| report | API p50 | API p95 | target p95 | naive p50 | naive p95 | speed-up (p50) | answers |', '|---|---:|---:|---|---:|---:|---:|---|'];
  let differ = false;
  try {
    for (const c of cases(dataset.shop, from, to, fromDate, toDate)) {
      const call = async () => {
        const res = await fetch(`${api.url}${c.path}`, { method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json' }, body: JSON.stringify(c.body) });
        const body = await res.json();
        if (res.status !== 200) throw new Error(`${c.path}: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
        return body;
      };
      const apiAnswer = c.fromApi(await call());
      const rawAnswer = c.fromRaw((await raw.query(c.raw.text, c.raw.values)).rows);
      const same = JSON.stringify(apiAnswer) === JSON.stringify(rawAnswer);
      differ ||= !same;
      const a: number[] = [];
      const r: number[] = [];
      for (let i = 0; i < Math.max(runs, rawRuns); i++) {
        let t0 = performance.now();
        if (i < runs) {
          await call();
          a.push(performance.now() - t0);
        }
        if (i < rawRuns) {
          t0 = performance.now();
          await raw.query(c.raw.text, c.raw.values);
          r.push(performance.now() - t0);
        }
      }
      const p95 = percentile(a, 95);
      lines.push(
        `| ${c.name} | ${percentile(a, 50).toFixed(0)} ms | ${p95.toFixed(0)} ms | ≤ ${TARGET_MS} ms: ${p95 <= TARGET_MS ? 'met' : 'MISSED'} | ${percentile(r, 50).toFixed(0)} ms | ${percentile(r, 95).toFixed(0)} ms | ${(percentile(r, 50) / percentile(a, 50)).toFixed(1)}× | ${same ? 'equal' : `DIFFER: api ${JSON.stringify(apiAnswer)} naive ${JSON.stringify(rawAnswer)}`} |`,
      );
      process.stderr.write(`[funnels]  ${lines.at(-1)}\n`);
    }
  } finally {
    await raw.end();
    await api.stop();
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  if (differ) process.exitCode = 1;
}

await main();
