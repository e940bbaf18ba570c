// The tenancy CLI as people and scripts run it (`npm run -s …`): the last line of output is JSON;
// a mistake is one line naming the problem and exit code 1, with nothing written.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { verifyPassword } from '../../tenancy/passwords.ts';
import { TenancySettings } from '../../tenancy/settings.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { ROOT } from '../support/services.ts';

// The CLI runs with the local default pepper (no API_KEY_PEPPER set).
const PEPPER = TenancySettings.apiKeyPepper.default as string;
let db: TestDatabase;
before(async () => {
  db = await createTestDatabase();
});
after(async () => {
  await db?.drop();
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const { ['API_KEY_PEPPER']: _ignored, ...withoutPepper } = process.env;

async function npm(args: string): Promise<Run> {
  // The command line exactly as printed in the README, through a shell.
  try {
    const { stdout, stderr } = await promisify(execFile)('sh', ['-c', `npm run -s ${args}`], {
      cwd: ROOT,
      env: { ...withoutPepper, DATABASE_URL: db.url },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const lastJson = (run: Run) => {
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
};

test('projects create, keys create (shown once, stored as an HMAC), list and revoke', async () => {
  const project = lastJson(await npm('projects -- create shop --origin https://shop.example --origin https://www.shop.example --timezone Europe/Berlin --retention-days 400'));
  assert.match(project.project as string, /^[0-9a-f-]{36}$/);
  assert.match(project.site_key as string, /^pk_[A-Za-z0-9_-]{22}$/);
  assert.deepEqual(
    { name: project.name, org: project.org, origins: project.allowed_origins, zone: project.timezone, days: project.retention_days },
    { name: 'shop', org: 'default', origins: ['https://shop.example', 'https://www.shop.example'], zone: 'Europe/Berlin', days: 400 },
  );

  const key = lastJson(await npm(`keys -- create --project ${project.project as string} --scopes ingest,read --name backend --expires-in 30d --rate-limit 120`));
  const raw = key.key as string;
  assert.match(raw, /^sk_[A-Za-z0-9_-]{43}$/);
  assert.equal(key.hint, `sk_…${raw.slice(-4)}`);
  assert.deepEqual([key.project_id, key.scopes, key.name, key.rate_limit_per_minute], [project.project, ['ingest', 'read'], 'backend', 120]);
  const days = (Date.parse(key.expires_at as string) - Date.now()) / 86_400_000;
  assert.ok(days > 29.9 && days <= 30, String(days));
  const stored = await db.pool.query(`SELECT encode(key_hash, 'hex') AS h FROM api_keys WHERE id = $1`, [key.id]);
  const { createHmac } = await import('node:crypto');
  assert.equal(stored.rows[0].h, createHmac('sha256', PEPPER).update(raw).digest('hex'), 'HMAC-SHA256(pepper, key), the key itself nowhere');

  const orgKey = lastJson(await npm('keys -- create --org default --scopes admin'));
  assert.equal(orgKey.project_id, null);

  const listed = lastJson(await npm('keys -- list --project shop')).keys as Record<string, unknown>[];
  assert.deepEqual(listed.map((k) => k.id), [key.id]);
  assert.ok(!JSON.stringify(listed).includes(raw) && !('key' in listed[0]!), 'a list never shows the key');
  const projects = lastJson(await npm('projects -- list')).projects as Record<string, unknown>[];
  assert.deepEqual(projects.map((p) => p.name), ['default', 'shop']);

  const revoked = lastJson(await npm(`keys -- revoke ${key.id as string}`));
  assert.ok(Date.parse(revoked.revoked_at as string) <= Date.now());
});

test('visitor id mode: daily by default, chosen at creation, changed with projects set, refused when unknown', async () => {
  const made = lastJson(await npm('projects -- create news --visitor-id-mode monthly'));
  assert.equal(made.visitor_id_mode, 'monthly');
  const plain = lastJson(await npm('projects -- create plain'));
  assert.equal(plain.visitor_id_mode, 'daily');
  const set = lastJson(await npm('projects -- set news --visitor-id-mode anonymous_id'));
  assert.deepEqual([set.project, set.visitor_id_mode], [made.project, 'anonymous_id']);
  const stored = await db.pool.query('SELECT visitor_id_mode FROM projects WHERE id = $1', [made.project]);
  assert.equal(stored.rows[0].visitor_id_mode, 'anonymous_id');
  for (const [args, message] of [
    ['projects -- set news --visitor-id-mode weekly', 'error: --visitor-id-mode: invalid visitor id mode "weekly": use daily, monthly, anonymous_id'],
    ['projects -- create other --visitor-id-mode cookie', 'error: --visitor-id-mode: invalid visitor id mode "cookie": use daily, monthly, anonymous_id'],
    ['projects -- set nowhere --visitor-id-mode daily', 'error: unknown project "nowhere"'],
    ['projects -- set news', 'error: give a setting to change: --visitor-id-mode daily|monthly|anonymous_id'],
  ] as const) {
    const run = await npm(args);
    assert.deepEqual([run.code, run.stderr.trim(), run.stdout], [1, message, ''], args);
  }
  assert.equal((await db.pool.query('SELECT visitor_id_mode FROM projects WHERE id = $1', [made.project])).rows[0].visitor_id_mode, 'anonymous_id', 'unchanged by the refusals');
  assert.equal((await db.pool.query(`SELECT count(*)::int AS n FROM projects WHERE name = 'other'`)).rows[0].n, 0);
});

test('mistakes: one line naming the flag and the problem, exit code 1, nothing stored', async () => {
  const before = (await db.pool.query('SELECT (SELECT count(*) FROM projects) + (SELECT count(*) FROM api_keys) AS n')).rows[0].n;
  for (const [args, message] of [
    ['keys -- create --project nope --scopes ingest', 'error: unknown project "nope"'],
    ['keys -- create --project shop --scopes ingest,write', 'error: --scopes: unknown scope "write": use one or more of ingest, read, live, admin'],
    ['keys -- create --project shop', 'error: --scopes: no scope given: use one or more of ingest, read, live, admin'],
    ['keys -- create --project shop --scopes ingest,ingest', 'error: --scopes: scope "ingest" is given twice: give each scope once'],
    ['projects -- create blog --timezone Mars/Base', 'error: --timezone: unknown time zone "Mars/Base": use an IANA name such as Europe/Berlin or UTC'],
    ['projects -- create blog --timezone europe/berlin', 'error: --timezone: time zone "europe/berlin" is not spelled as IANA spells it: did you mean Europe/Berlin?'],
    ['projects -- create blog --origin shop.example', 'error: --origin: invalid origin "shop.example": not a URL (expected e.g. https://shop.example)'],
    ['projects -- create shop', 'error: a project named "shop" already exists in this organization'],
    ['keys -- revoke 00000000-0000-4000-8000-00000000abcd', 'error: unknown key "00000000-0000-4000-8000-00000000abcd"'],
    ['keys -- create --org nowhere --scopes read', 'error: unknown organization "nowhere": an organization is made with its first project (npm run -s projects -- create <name> --org nowhere)'],
    ['users -- create --email a@example.com --password long-enough-1 --org nowhere --role viewer', 'error: unknown organization "nowhere": an organization is made with its first project (npm run -s projects -- create <name> --org nowhere)'],
    ['users -- create --email a@example.com --password short --org default --role admin', 'error: --password: password too short: at least 10 characters'],
    ['users -- create --email a@example.com --password long-enough-1 --org default --role owner', 'error: --role: invalid role "owner": use admin or viewer'],
  ] as const) {
    const run = await npm(args);
    assert.deepEqual([run.code, run.stderr.trim(), run.stdout], [1, message, ''], args);
  }
  const after = (await db.pool.query('SELECT (SELECT count(*) FROM projects) + (SELECT count(*) FROM api_keys) AS n')).rows[0].n;
  assert.equal(after, before);
});

test('users create: the first admin, password stored as argon2id', async () => {
  const user = lastJson(await npm(`users -- create --email Ana@Example.com --password 'a long passphrase' --org default --role admin`));
  assert.deepEqual([user.email, user.org, user.role, user.created], ['Ana@Example.com', 'default', 'admin', true]);
  const row = (await db.pool.query('SELECT u.password_hash, m.role FROM users u JOIN memberships m ON m.user_id = u.id WHERE lower(u.email) = $1', ['ana@example.com'])).rows[0];
  assert.match(row.password_hash, /^\$argon2id\$/);
  assert.equal(await verifyPassword(row.password_hash, 'a long passphrase'), true);
  assert.equal(await verifyPassword(row.password_hash, 'a long passphrasf'), false);
  const again = lastJson(await npm(`users -- create --email ana@example.com --password 'another passphrase' --org default --role viewer`));
  assert.deepEqual([again.user, again.created, again.role], [user.user, false, 'viewer']);
});
