// `npx tsx pipeline/bench/index-cost.ts [rows]`: psql \copy of the same rows into analytics_events
// with each candidate index set, in a scratch database, to price every index in rows/s.
import { execFileSync } from 'node:child_process';
import { writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { normalizeEvent } from '../src/steps/normalize-event.ts';
import { toCopyRow, COPY_COLUMNS } from '../src/steps/to-copy-row.ts';
import { sampleEvent } from './sample-rows.ts';

const rows = Number(process.argv[2] ?? 300_000);
const admin = process.env.BENCH_ADMIN_URL ?? 'postgres://analytics:analytics@127.0.0.1:5432/analytics';
const dbName = `analytics_bench_${process.pid}`;
const file = path.join(tmpdir(), `${dbName}.tsv`);

const TABLE = `CREATE TABLE analytics_events (
  project_id uuid NOT NULL, event_id uuid NOT NULL, "timestamp" timestamptz NOT NULL, event_type varchar(100) NOT NULL,
  page_url varchar(500) NOT NULL, page_title varchar(200), button_id varchar(100), session_id varchar(100),
  user_agent varchar(500), site_id varchar(100), metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  received_at timestamptz NOT NULL, created_at timestamptz NOT NULL DEFAULT now(),
  client_timestamp timestamptz, timestamp_adjustment varchar(20), user_id varchar(200), anonymous_id varchar(200))`;
const IDX = {
  uniqIdTime: 'CREATE UNIQUE INDEX ON analytics_events (event_id, "timestamp")',
  uniqTimeId: 'CREATE UNIQUE INDEX ON analytics_events ("timestamp", event_id)',
  brin: 'CREATE INDEX ON analytics_events USING brin ("timestamp") WITH (pages_per_range = 32)',
  brinReceived: 'CREATE INDEX ON analytics_events USING brin (received_at) WITH (pages_per_range = 32)',
  session: 'CREATE INDEX ON analytics_events (session_id, "timestamp")',
  uniqProjectTimeId: 'CREATE UNIQUE INDEX ON analytics_events (project_id, "timestamp", event_id)',
  projectSession: 'CREATE INDEX ON analytics_events (project_id, session_id, "timestamp")',
  seedTime: 'CREATE INDEX ON analytics_events ("timestamp")',
  seedType: 'CREATE INDEX ON analytics_events (event_type)',
  seedUrl: 'CREATE INDEX ON analytics_events (page_url)',
  seedSession: 'CREATE INDEX ON analytics_events (session_id)',
};
const VARIANTS: [string, string[]][] = [
  ['no index (heap only)', []],
  ['unique (event_id, timestamp)', [IDX.uniqIdTime]],
  ['unique (timestamp, event_id)', [IDX.uniqTimeId]],
  ['unique (timestamp, event_id) + brin(timestamp)', [IDX.uniqTimeId, IDX.brin]],
  ['unique (timestamp, event_id) + brin(received_at)', [IDX.uniqTimeId, IDX.brinReceived]],
  ['unique (timestamp, event_id) + (session_id, timestamp)', [IDX.uniqTimeId, IDX.session]],
  ['unique (event_id, timestamp) + (session_id, timestamp) + brin', [IDX.uniqIdTime, IDX.session, IDX.brin]],
  ['unique (timestamp, event_id) + brin(received_at) + (session_id, timestamp): 007', [IDX.uniqTimeId, IDX.brinReceived, IDX.session]],
  ['unique (project_id, timestamp, event_id)', [IDX.uniqProjectTimeId]],
  ['unique (project_id, timestamp, event_id) + brin(received_at) + (project_id, session_id, timestamp): 010', [IDX.uniqProjectTimeId, IDX.brinReceived, IDX.projectSession]],
  ['seed: unique (event_id, timestamp) + 4 btrees', [IDX.uniqIdTime, IDX.seedTime, IDX.seedType, IDX.seedUrl, IDX.seedSession]],
];

const ctx = { topic: 'bench', partition: 0, offset: '0', timestamp: String(Date.now()), key: null };
const PROJECTS = [1, 2, 3, 4, 5].map((n) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`);
let tsv = '';
for (let i = 0; i < rows; i++) {
  // Five projects' events interleaved, as several sites' traffic arrives.
  const out = normalizeEvent({ ...sampleEvent(i, rows), project_id: PROJECTS[i % PROJECTS.length] } as unknown as Record<string, unknown>, ctx);
  if (out.ok) tsv += toCopyRow(out.value);
}
writeFileSync(file, tsv);

const url = new URL(admin);
url.pathname = `/${dbName}`;
const adminClient = new pg.Client({ connectionString: admin });
await adminClient.connect();
await adminClient.query(`CREATE DATABASE ${dbName}`);
const client = new pg.Client({ connectionString: url.toString() });
await client.connect();
try {
  process.stdout.write(`psql \\copy of ${rows} rows into analytics_events\n`);
  for (const [name, indexes] of VARIANTS) {
    await client.query('DROP TABLE IF EXISTS analytics_events');
    await client.query(TABLE);
    for (const sql of indexes) await client.query(sql);
    await client.query('CHECKPOINT').catch(() => undefined);
    const started = process.hrtime.bigint();
    execFileSync('psql', ['-X', '-q', url.toString(), '-c', `\\copy analytics_events (${COPY_COLUMNS.map((c) => `"${c}"`).join(',')}) FROM '${file}'`]);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    process.stdout.write(`${name.padEnd(66)} ${Math.round(rows / seconds).toString().padStart(8)} rows/s\n`);
  }
} finally {
  await client.end();
  await adminClient.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await adminClient.end();
  rmSync(file, { force: true });
}
