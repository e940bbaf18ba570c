// The query benchmark's dataset: a dedicated database (analytics_bench_query_<size>) holding
// synthetic traffic (traffic.ts) written through the pipeline's own loader (store-events via
// createPostgresSink: event ids, rows, visits, visitor_first_seen and event_counts_15m exactly as
// production writes them), one connection and one transaction per batch per shard (Kafka
// partition) at a time, visitors keyed to shards as the collector keys records. A marker table
// records the parameters once everything, rollup check included, is done, so a complete dataset is
// reused and an incomplete one is rebuilt.
import pg from 'pg';
import { migrate } from '../../db/migrate.ts';
import { rollupDifferences } from '../../db/rollup-check.ts';
import { pgRunner } from '../../db/sql-runner.ts';
import { createPostgresSink } from '../../pipeline/src/adapters/postgres-sink.ts';
import type { EventRow } from '../../pipeline/src/steps/normalize-event.ts';
import { runCli, type CliCommand } from '../../tenancy/cli-commands.ts';
import { ADMIN_URL, admin, assertBenchDatabase } from '../lib/database.ts';
import { TRAFFIC_VERSION, traffic } from './traffic.ts';

/** A bench-only HMAC key for the keys of the bench database (never a deployment's). */
export const BENCH_PEPPER = 'bench-query-pepper-0123';

export interface DatasetParams {
  events: number;
  visitors: number;
  days: number;
  /** End of the traffic (exclusive), ISO UTC. */
  end: string;
  seed: number;
  /** traffic.ts's TRAFFIC_VERSION: a change of shapes rebuilds the dataset. */
  shapes: number;
}

export interface QueryDataset {
  name: string;
  url: string;
  params: DatasetParams;
  /** The large project (Europe/Berlin, 90 % of visits) and the small one (Asia/Kathmandu). */
  shop: string;
  blog: string;
  /** Rows actually stored (within about 1 % of params.events). */
  stored: number;
  reused: boolean;
}

const SHARDS = 3;
const BATCH_ROWS = 5_000;
const MARKER = 'bench_query_dataset';

export const defaultParams = (events = 10_000_000): DatasetParams => ({ events, visitors: Math.round(events * 0.03), days: 30, end: '2026-11-30T00:00:00.000Z', seed: 15, shapes: TRAFFIC_VERSION });

/** 10000000 -> "10m", 200000 -> "200k": the database's name says its size. */
const sizeLabel = (n: number) => (n % 1_000_000 === 0 ? `${n / 1_000_000}m` : n % 1_000 === 0 ? `${n / 1_000}k` : String(n));
const datasetName = (p: DatasetParams) => `analytics_bench_query_${sizeLabel(p.events)}`;

function urlOf(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

interface Marker {
  params: DatasetParams;
  shop: string;
  blog: string;
  stored: string;
}

// jsonb reorders keys: compare field by field.
const sameParams = (a: DatasetParams, b: DatasetParams) => (Object.keys(b) as (keyof DatasetParams)[]).every((k) => a[k] === b[k]);

async function readMarker(pool: pg.Pool): Promise<Marker | undefined> {
  const exists = await pool.query(`SELECT to_regclass('${MARKER}') IS NOT NULL AS ok`);
  if (!(exists.rows[0] as { ok: boolean }).ok) return undefined;
  return (await pool.query<Marker>(`SELECT params, shop::text, blog::text, stored::text FROM ${MARKER}`)).rows[0];
}

// Kafka keys records by project and visitor; a stable hash of the same picks the shard here.
function shardOf(row: EventRow): number {
  const key = `${row.project_id}:${row.visitor_id}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % SHARDS;
}

/** The two bench tenants, made by the tenancy CLI's commands: shop (org acme, Europe/Berlin) and blog (org globex, Asia/Kathmandu). */
export async function createTenants(pool: pg.Pool): Promise<{ shop: string; blog: string }> {
  const cli = async (command: CliCommand, args: string[]) => {
    const out = await runCli(command, args, { db: pool, pepper: BENCH_PEPPER });
    if (!out.ok) throw new Error(`${command} ${args.join(' ')}: ${out.error}`);
    return out.value.json as Record<string, unknown>;
  };
  const shop = String((await cli('projects', ['create', 'shop', '--org', 'acme', '--timezone', 'Europe/Berlin']))['project']);
  const blog = String((await cli('projects', ['create', 'blog', '--org', 'globex', '--timezone', 'Asia/Kathmandu']))['project']);
  return { shop, blog };
}

/** A read key of `project` (created on each call, so no secret is kept between runs). */
export async function createReadKey(url: string, project: string): Promise<string> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    const out = await runCli('keys', ['create', '--project', project, '--scopes', 'read'], { db: pool, pepper: BENCH_PEPPER });
    if (!out.ok) throw new Error(`keys create: ${out.error}`);
    return String((out.value.json as Record<string, unknown>)['key']);
  } finally {
    await pool.end();
  }
}

/** Writes the traffic through the loader, SHARDS batches in flight; returns rows stored. */
export async function loadTraffic(url: string, params: DatasetParams, tenants: { shop: string; blog: string }, log: (line: string) => void): Promise<number> {
  const sink = createPostgresSink(url, SHARDS, (error) => log(`[dataset]  connection error: ${error.message}`));
  const buffers: EventRow[][] = Array.from({ length: SHARDS }, () => []);
  const inFlight: Promise<void>[] = Array.from({ length: SHARDS }, () => Promise.resolve());
  let stored = 0;
  const started = Date.now();
  let lastLog = started;
  const flush = async (shard: number) => {
    const rows = buffers[shard]!;
    buffers[shard] = [];
    await inFlight[shard];
    inFlight[shard] = sink.write(rows, [], shard).then(({ inserted }) => {
      stored += inserted;
    });
  };
  try {
    const projects = [
      { id: tenants.shop, host: 'shop.example', share: 0.9, utcOffsetHours: 1 },
      { id: tenants.blog, host: 'blog.example', share: 0.1, utcOffsetHours: 5.75 },
    ];
    for (const hour of traffic({ projects, events: params.events, visitors: params.visitors, days: params.days, end: new Date(params.end), seed: params.seed })) {
      for (const row of hour) {
        const shard = shardOf(row);
        buffers[shard]!.push(row);
        if (buffers[shard]!.length >= BATCH_ROWS) await flush(shard);
      }
      if (Date.now() - lastLog > 15_000) {
        lastLog = Date.now();
        log(`[dataset]  ${stored.toLocaleString('en')} rows stored, ${Math.round(stored / ((lastLog - started) / 1000)).toLocaleString('en')} rows/s`);
      }
    }
    for (let s = 0; s < SHARDS; s++) if (buffers[s]!.length > 0) await flush(s);
    await Promise.all(inFlight);
  } finally {
    await sink.close();
  }
  const seconds = (Date.now() - started) / 1000;
  log(`[dataset]  ${stored.toLocaleString('en')} rows stored in ${seconds.toFixed(0)} s (${Math.round(stored / seconds).toLocaleString('en')} rows/s through the loader)`);
  return stored;
}

/**
 * The dataset of `params`: reused when its database holds a complete one with the same
 * parameters, else (re)built: database created, migrated, two tenants, traffic loaded, rollups of
 * the small project checked against their recomputation (throws on any difference), VACUUM
 * ANALYZE. Migrations are applied on reuse too, so a new index is measured on the same data.
 */
export async function openQueryDataset(params: DatasetParams, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<QueryDataset> {
  const name = datasetName(params);
  assertBenchDatabase(name);
  const url = urlOf(name);
  const exists = await admin(async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1);
  if (exists) {
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      const marker = await readMarker(pool);
      if (marker && sameParams(marker.params, params)) {
        // A migration that rewrote rows (018's backfill) leaves dead tuples and stale statistics:
        // vacuum so the measurement sees what autovacuum gives a running installation.
        const { applied } = await migrate(pgRunner(pool));
        if (applied.length > 0) {
          log(`[dataset]  applied ${applied.map((m) => m.name).join(', ')}; VACUUM ANALYZE`);
          await pool.query('VACUUM ANALYZE');
        }
        return { name, url, params, shop: marker.shop, blog: marker.blog, stored: Number(marker.stored), reused: true };
      }
    } finally {
      await pool.end();
    }
    log(`[dataset]  ${name} is incomplete or has other parameters: rebuilding it`);
    await admin((c) => c.query(`DROP DATABASE "${name}" WITH (FORCE)`));
  }
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    await migrate(pgRunner(pool));
    const tenants = await createTenants(pool);
    log(`[dataset]  ${name}: writing about ${params.events.toLocaleString('en')} events over ${params.days} days through the loader`);
    const stored = await loadTraffic(url, params, tenants, log);
    log('[dataset]  checking the rollups of the small project against their recomputation (db/rollup-check.ts)');
    const differences = await rollupDifferences(tenants.blog, pgRunner(pool));
    if (differences.length > 0) throw new Error(`rollups differ from their recomputation: ${JSON.stringify(differences.slice(0, 3))}`);
    log('[dataset]  rollups exact; VACUUM ANALYZE');
    await pool.query('VACUUM ANALYZE');
    await pool.query(`CREATE TABLE ${MARKER} (params jsonb NOT NULL, shop uuid NOT NULL, blog uuid NOT NULL, stored bigint NOT NULL, completed_at timestamptz NOT NULL DEFAULT now())`);
    await pool.query(`INSERT INTO ${MARKER} (params, shop, blog, stored) VALUES ($1, $2, $3, $4)`, [JSON.stringify(params), tenants.shop, tenants.blog, stored]);
    return { name, url, params, ...tenants, stored, reused: false };
  } finally {
    await pool.end();
  }
}
