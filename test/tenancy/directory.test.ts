// The directory against the real PostgreSQL: keys created by the CLI's commands verify; a
// revoked key is refused by another running process's directory within 5 s, with or without the
// notification; expiry; last_used_at; and a database outage leaves the last snapshot serving.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../../lib/logger.ts';
import { runCli } from '../../tenancy/cli-commands.ts';
import { openTenancyDirectory, type OpenTenancyDirectory } from '../../tenancy/directory.ts';
import { generateSecretKey, hashKey, keyHint } from '../../tenancy/keys.ts';
import { createKey, DEFAULT_ORG_ID } from '../../tenancy/pg-store.ts';
import { DEFAULT_PROJECT_ID } from '#contract';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';

const PEPPER = 'directory-test-pepper';
const logger = createLogger('tenancy-test', 'silent');
let db: TestDatabase;
const opened: OpenTenancyDirectory[] = [];

before(async () => {
  db = await createTestDatabase();
});
after(async () => {
  await Promise.all(opened.map((d) => d.close()));
  await db?.drop();
});

function open(options: { reloadIntervalMs?: number; databaseUrl?: string; touchFlushMs?: number } = {}): OpenTenancyDirectory {
  const directory = openTenancyDirectory({ databaseUrl: db.url, pepper: PEPPER, logger, reloadIntervalMs: 2000, ...options });
  opened.push(directory);
  return directory;
}

async function cli(command: 'projects' | 'keys', ...argv: string[]): Promise<Record<string, unknown>> {
  const out = await runCli(command, argv, { db: db.pool, pepper: PEPPER });
  assert.ok(out.ok, out.ok ? '' : out.error);
  return out.value.json as Record<string, unknown>;
}

/** Milliseconds until check() holds, failing after limitMs. */
async function within(limitMs: number, check: () => boolean): Promise<number> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > limitMs) assert.fail(`not within ${limitMs} ms`);
    await sleep(20);
  }
  return Date.now() - start;
}

test('the migration made the default project, and dashboards may read names, never key hashes', async () => {
  const { rows } = await db.pool.query('SELECT id, org_id, name FROM projects');
  assert.deepEqual(rows, [{ id: DEFAULT_PROJECT_ID, org_id: DEFAULT_ORG_ID, name: 'default' }]);
  const privileges = await db.pool.query(`SELECT
      has_column_privilege('analytics_reader', 'projects', 'name', 'SELECT') AS project_name,
      has_column_privilege('analytics_reader', 'projects', 'timezone', 'SELECT') AS project_zone,
      has_column_privilege('analytics_reader', 'organizations', 'name', 'SELECT') AS org_name,
      has_column_privilege('analytics_reader', 'projects', 'site_key', 'SELECT') AS site_key,
      has_column_privilege('analytics_reader', 'api_keys', 'key_hash', 'SELECT') AS key_hash,
      has_table_privilege('analytics_reader', 'api_keys', 'SELECT') AS api_keys,
      has_column_privilege('analytics_reader', 'users', 'password_hash', 'SELECT') AS password_hash,
      has_table_privilege('analytics_reader', 'refresh_tokens', 'SELECT') AS refresh_tokens,
      has_table_privilege('analytics_reader', 'memberships', 'SELECT') AS memberships`);
  assert.deepEqual(privileges.rows[0], {
    project_name: true,
    project_zone: true,
    org_name: true,
    site_key: false,
    key_hash: false,
    api_keys: false,
    password_hash: false,
    refresh_tokens: false,
    memberships: false,
  });
});

test('projects create --if-missing: a second run prints the project the first made, unchanged; without it, "already exists"', async () => {
  const first = await cli('projects', 'create', 'rerun', '--origin', 'https://rerun.example', '--if-missing');
  const second = await cli('projects', 'create', 'rerun', '--origin', 'https://other.example', '--if-missing');
  assert.deepEqual(second, first);
  assert.equal(typeof first['site_key'], 'string');
  const plain = await runCli('projects', ['create', 'rerun'], { db: db.pool, pepper: PEPPER });
  assert.ok(!plain.ok);
  assert.match(plain.error, /already exists/);
});

test('the table refuses what the code would: bad zone, unknown scope, a project of another org', async () => {
  await assert.rejects(db.pool.query(`INSERT INTO projects (org_id, name, site_key, timezone) VALUES ($1, 'z', 'pk_0123456789abcdefgh', 'Mars/Base')`, [DEFAULT_ORG_ID]), { code: '23514' });
  const other = await db.pool.query<{ id: string }>(`INSERT INTO organizations (name) VALUES ('other-org') RETURNING id`);
  const base = { keyHash: hashKey(PEPPER, generateSecretKey()), hint: 'sk_…x', name: '', rateLimitPerMinute: null, expiresAt: null };
  await assert.rejects(createKey(db.pool, DEFAULT_ORG_ID, { ...base, projectId: null, scopes: ['write' as 'read'] }), { code: '23514' });
  await assert.rejects(createKey(db.pool, other.rows[0]!.id, { ...base, projectId: DEFAULT_PROJECT_ID, scopes: ['read'] }), { code: '23503' });
});

test('a created key verifies at once after ready(); a revoked one is refused by another process within 5 s', async () => {
  const project = await cli('projects', 'create', 'shop', '--origin', 'https://shop.example', '--timezone', 'Europe/Berlin');
  const created = await cli('keys', 'create', '--project', 'shop', '--scopes', 'ingest,read', '--rate-limit', '50');
  const raw = created.key as string;
  const first = open();
  const second = open();
  await Promise.all([first.ready(), second.ready()]);
  for (const d of [first, second]) {
    assert.deepEqual(d.verifyKey(raw), { keyId: created.id, orgId: DEFAULT_ORG_ID, projectId: project.project, scopes: ['ingest', 'read'], rateLimitPerMinute: 50 });
    assert.equal(d.projectBySiteKey(project.site_key as string)?.timezone, 'Europe/Berlin');
    assert.deepEqual(d.project(project.project as string)?.allowedOrigins, ['https://shop.example']);
  }
  await cli('keys', 'revoke', created.id as string);
  const waited = await within(5000, () => first.verifyKey(raw) === undefined && second.verifyKey(raw) === undefined);
  assert.ok(waited < 5000);
});

test('a missed notification is made up by the periodic reload (within 5 s)', async () => {
  const created = await cli('keys', 'create', '--project', 'shop', '--scopes', 'ingest');
  const d = open({ reloadIntervalMs: 1000 });
  await d.ready();
  assert.ok(d.verifyKey(created.key as string));
  // Revoke without notifying: the trigger is off inside this one transaction only.
  await db.pool.query(`BEGIN;
    ALTER TABLE api_keys DISABLE TRIGGER api_keys_changed;
    UPDATE api_keys SET revoked_at = now() WHERE id = '${created.id as string}';
    ALTER TABLE api_keys ENABLE TRIGGER api_keys_changed;
    COMMIT`);
  await within(5000, () => d.verifyKey(created.key as string) === undefined);
});

test('an expired key is refused; a used key gets last_used_at, written in a batch', async () => {
  const d = open({ touchFlushMs: 200 });
  await d.ready();
  const raw = generateSecretKey();
  const record = await createKey(db.pool, DEFAULT_ORG_ID, {
    projectId: null, keyHash: hashKey(PEPPER, raw), hint: keyHint(raw), name: 'short', scopes: ['read'], rateLimitPerMinute: null, expiresAt: new Date(Date.now() + 1500),
  });
  await d.reload();
  assert.equal(d.verifyKey(raw)?.keyId, record.id);
  for (let i = 0; i < 100; i++) d.verifyKey(raw);
  const used = async () => (await db.pool.query<{ last_used_at: Date | null }>('SELECT last_used_at FROM api_keys WHERE id = $1', [record.id])).rows[0]!.last_used_at;
  const start = Date.now();
  while ((await used()) === null && Date.now() - start < 3000) await sleep(50);
  assert.ok((await used()) instanceof Date, 'last_used_at written');
  await sleep(Math.max(0, record.expiresAt!.getTime() - Date.now() + 10));
  assert.equal(d.verifyKey(raw), undefined, 'refused once expired, before any reload');
});

test('PostgreSQL unreachable: the last snapshot keeps serving; changes arrive after it returns', async () => {
  const url = new URL(db.url);
  const proxy: TcpProxy = await startTcpProxy({ host: url.hostname, port: Number(url.port) });
  try {
    url.port = String(proxy.port);
    const d = open({ databaseUrl: url.toString(), reloadIntervalMs: 300 });
    const kept = await cli('keys', 'create', '--project', 'shop', '--scopes', 'ingest');
    await d.ready();
    assert.ok(d.verifyKey(kept.key as string));
    await proxy.cut();
    await sleep(1500); // several failed reloads
    assert.equal(d.verifyKey(kept.key as string)?.keyId, kept.id, 'still served from the last snapshot');
    assert.ok(d.project(DEFAULT_PROJECT_ID));
    const added = await cli('keys', 'create', '--project', 'shop', '--scopes', 'read');
    assert.equal(d.verifyKey(added.key as string), undefined, 'not seen while cut off');
    await proxy.restore();
    await within(5000, () => d.verifyKey(added.key as string) !== undefined);
  } finally {
    await proxy.close();
  }
});
