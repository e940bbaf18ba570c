// `npx tsx bench/query-api.ts [--events=N] [--runs=N] [--raw-runs=N] [--quick]`: the query API
// on the query benchmark's dataset (bench/query-dataset.ts; built first when missing). Starts the
// api service through the service kit on that database (its read-only login), and for each route
// that exists measures the latency of N warm calls over HTTP (p50/p95) beside the same answer
// computed from raw analytics_events by plain SQL (raw-sql.ts) on the same login, checks both
// answers are equal, and prints the table. --quick: the 200k dataset, 10 runs. bench/README.md § Query API.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';
import pg from 'pg';
import { queryDatabaseUrl } from '../api/src/config.ts';
import { service } from '../test/support/service-kit.ts';
import { percentile } from './lib/stats.ts';
import { queryCases, type CaseRange, type QueryCase } from './query/cases.ts';
import { BENCH_PEPPER, createReadKey, defaultParams, openQueryDataset } from './query/dataset.ts';
import { firstDifference } from './query/same-answer.ts';

const { values: args } = parseArgs({
  options: { events: { type: 'string' }, runs: { type: 'string' }, 'raw-runs': { type: 'string' }, quick: { type: 'boolean', default: false } },
});
const quick = args.quick === true;
const intArg = (name: 'events' | 'runs' | 'raw-runs', fallback: number) => {
  const v = args[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${v}`);
  return n;
};
const events = intArg('events', quick ? 200_000 : 10_000_000);
const runs = intArg('runs', quick ? 10 : 20);
// The baselines take seconds each on 10M events: fewer runs (their p95 is then their maximum).
const rawRuns = intArg('raw-runs', 5);
const WARMUP = 2;
const TZ = 'Europe/Berlin';

interface Measured {
  name: string;
  targetMs: number;
  api: number[];
  raw: number[];
  /** undefined: equal; else the first difference. */
  difference: string | undefined;
  skipped?: string;
}

const ms = (t0: number) => performance.now() - t0;

async function main(): Promise<void> {
  const dataset = await openQueryDataset(defaultParams(events));
  const key = await createReadKey(dataset.url, dataset.shop);
  const end = DateTime.fromISO(dataset.params.end, { zone: TZ });
  const fromDate = end.minus({ days: dataset.params.days }).toISODate()!;
  const toDate = end.minus({ days: 1 }).toISODate()!;
  const range: CaseRange = {
    project: dataset.shop,
    tz: TZ,
    fromDate,
    toDate,
    from: DateTime.fromISO(fromDate, { zone: TZ }).startOf('day').toUTC().toISO()!,
    to: DateTime.fromISO(toDate, { zone: TZ }).plus({ days: 1 }).startOf('day').toUTC().toISO()!,
  };
  process.stderr.write(`[query]    ${dataset.name}: ${dataset.stored.toLocaleString('en')} events${dataset.reused ? ' (reused)' : ''}; range ${fromDate}..${toDate} ${TZ}; ${runs} runs, ${rawRuns} raw\n`);
  // The reports' login (migration 015) for both sides; its local default password unless API_DB_PASSWORD.
  const login = { databaseUrl: dataset.url, apiDbPassword: process.env.API_DB_PASSWORD ?? 'analytics_api' };
  const api = await service('api', {
    env: { ...login, apiKeyPepper: BENCH_PEPPER, queryTimeoutMs: 120_000 },
    logFile: 'bench/results/tmp/query-api.log',
  });
  await api.start();
  const raw = new pg.Pool({ connectionString: queryDatabaseUrl(login), max: 1 });
  const results: Measured[] = [];
  try {
    for (const c of queryCases(range)) results.push(await measure(c, `${api.url}/api/v1/projects/${dataset.shop}`, key, raw));
  } finally {
    await raw.end();
    await api.stop();
  }
  const table = renderTable(results);
  process.stdout.write(`${table}\n`);
  writeFileSync('bench/results/tmp/query-api.json', JSON.stringify({ dataset: { name: dataset.name, stored: dataset.stored, params: dataset.params }, range, runs, rawRuns, results }, null, 2));
  if (results.some((r) => r.difference !== undefined)) process.exitCode = 1;
}

async function call(base: string, c: QueryCase, key: string): Promise<unknown> {
  const res = await fetch(`${base}${c.path}?${new URLSearchParams(c.query).toString()}`, { headers: { 'x-api-key': key } });
  const body = await res.json();
  if (res.status !== 200) throw Object.assign(new Error(`${c.path}: ${res.status} ${JSON.stringify(body).slice(0, 300)}`), { status: res.status, body });
  return body;
}

async function measure(c: QueryCase, base: string, key: string, raw: pg.Pool): Promise<Measured> {
  const out: Measured = { name: c.name, targetMs: c.targetMs, api: [], raw: [], difference: undefined };
  let apiAnswer: unknown;
  try {
    apiAnswer = await call(base, c, key);
  } catch (error) {
    // A route not on this revision (the app's 404 for an unknown path): its baseline alone.
    const e = error as { status?: number; body?: { message?: string } };
    if (!(e.status === 404 && /^no route GET/.test(e.body?.message ?? ''))) throw error;
    out.skipped = 'route not on this revision';
  }
  const rawAnswer = (await raw.query(c.raw.text, c.raw.values)).rows;
  if (out.skipped === undefined) {
    out.difference = firstDifference(c.fromApi(apiAnswer), c.fromRaw(rawAnswer));
    for (let i = 1; i < WARMUP; i++) await call(base, c, key);
  }
  await raw.query(c.raw.text, c.raw.values);
  for (let i = 0; i < Math.max(runs, rawRuns); i++) {
    let t0 = performance.now();
    if (out.skipped === undefined && i < runs) {
      await call(base, c, key);
      out.api.push(ms(t0));
    }
    if (i < rawRuns) {
      t0 = performance.now();
      await raw.query(c.raw.text, c.raw.values);
      out.raw.push(ms(t0));
    }
  }
  process.stderr.write(`[query]    ${c.name}: api ${out.skipped ?? `p50 ${percentile(out.api, 50).toFixed(1)} ms`}, raw p50 ${percentile(out.raw, 50).toFixed(0)} ms${out.difference ? `, DIFFERS: ${out.difference}` : ''}\n`);
  return out;
}

const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));

function renderTable(results: readonly Measured[]): string {
  const lines = ['| route | API p50 | API p95 | target p95 | raw events p50 | raw events p95 | speed-up (p50) | answers |', '|---|---:|---:|---|---:|---:|---:|---|'];
  for (const r of results) {
    if (r.skipped) {
      lines.push(`| ${r.name} | — | — | ≤ ${r.targetMs} ms | ${fmt(percentile(r.raw, 50))} ms | ${fmt(percentile(r.raw, 95))} ms | — | ${r.skipped} |`);
      continue;
    }
    const p95 = percentile(r.api, 95);
    const met = p95 <= r.targetMs ? 'met' : 'MISSED';
    const speedUp = percentile(r.raw, 50) / percentile(r.api, 50);
    lines.push(
      `| ${r.name} | ${fmt(percentile(r.api, 50))} ms | ${fmt(p95)} ms | ≤ ${r.targetMs} ms: ${met} | ${fmt(percentile(r.raw, 50))} ms | ${fmt(percentile(r.raw, 95))} ms | ${speedUp.toFixed(1)}× | ${r.difference === undefined ? 'equal' : `DIFFER: ${r.difference}`} |`,
    );
  }
  return lines.join('\n');
}

await main();
