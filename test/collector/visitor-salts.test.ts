// The visitor salts against the real PostgreSQL: instances on one database agree on each period's
// salt, salts are made a period ahead (so a database outage across midnight changes no visitor),
// periods that are over are deleted, and with no salt to be had the store answers at once.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openSaltStore, type SaltStore } from '../../collector/src/visitors/salt-store.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { startTcpProxy } from '../tenancy/tcp-proxy.ts';
import { silentLogger } from './helpers.ts';

let db: TestDatabase;
const stores: SaltStore[] = [];
before(async () => {
  db = await createTestDatabase('analytics_test_salts');
});
after(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await db.drop();
});

function open(options: { url?: string; now?: () => Date; deleteGraceMs?: number } = {}): SaltStore {
  const store = openSaltStore({ databaseUrl: options.url ?? db.url, logger: silentLogger, refreshIntervalMs: 3_600_000, now: options.now, deleteGraceMs: options.deleteGraceMs });
  stores.push(store);
  return store;
}
const rows = async () => (await db.pool.query<{ period: string; salt: Buffer }>('SELECT period, salt FROM visitor_salts ORDER BY period')).rows;

test('two instances on one database hold the same salt for each period, made a period ahead', async () => {
  const at = new Date('2026-11-30T23:59:00Z');
  const [a, b] = [open({ now: () => at }), open({ now: () => at })];
  await Promise.all([a.refresh(), b.refresh()]);
  assert.deepEqual(
    (await rows()).map((r) => r.period),
    ['day:2026-11-30', 'day:2026-12-01', 'month:2026-11', 'month:2026-12'],
  );
  for (const [mode, when] of [['daily', at], ['monthly', at], ['daily', new Date('2026-12-01T00:00:01Z')]] as const) {
    const [sa, sb] = [await a.saltFor(mode, when), await b.saltFor(mode, when)];
    assert.equal(sa?.length, 32);
    assert.deepEqual(Buffer.from(sa!), Buffer.from(sb!), `${mode} at ${when.toISOString()}`);
  }
  assert.notDeepEqual(Buffer.from((await a.saltFor('daily', at))!), Buffer.from((await a.saltFor('monthly', at))!), 'each period its own random salt');
  await db.pool.query('DELETE FROM visitor_salts');
});

test('salts of periods that are over are deleted, from the table and from memory', async () => {
  let now = new Date('2026-11-30T12:00:00Z');
  const store = open({ now: () => now, deleteGraceMs: 60_000 });
  await store.refresh();
  await db.pool.query("INSERT INTO visitor_salts (period, salt) VALUES ('day:2026-11-01', '\\x00'), ('month:2026-10', '\\x00')");
  const yesterday = await store.saltFor('daily', now);
  now = new Date('2026-12-01T00:00:30Z'); // within the grace: a lagging instance may still use it
  await store.refresh();
  assert.ok((await rows()).some((r) => r.period === 'day:2026-11-30'), 'kept during the grace');
  assert.ok(!(await rows()).some((r) => r.period === 'day:2026-11-01' || r.period === 'month:2026-10'));
  now = new Date('2026-12-01T00:02:00Z');
  await store.refresh();
  assert.deepEqual(
    (await rows()).map((r) => r.period),
    ['day:2026-12-01', 'day:2026-12-02', 'month:2026-12', 'month:2027-01'],
    'November and its last day are over',
  );
  // Asking for the ended day now needs a load, which finds no salt for it.
  assert.equal(await store.saltFor('daily', new Date('2026-11-30T12:00:00Z')), undefined);
  assert.ok(yesterday !== undefined);
  await db.pool.query('DELETE FROM visitor_salts');
});

test('the database away at midnight: the salt made ahead serves the new day', async () => {
  const url = new URL(db.url);
  const proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port) });
  try {
    url.port = String(proxy.port);
    let now = new Date('2026-11-30T23:58:00Z');
    const store = open({ url: url.toString(), now: () => now });
    await store.refresh();
    await proxy.cut();
    now = new Date('2026-12-01T00:01:00Z');
    await assert.rejects(store.refresh());
    const made = (await rows()).find((r) => r.period === 'day:2026-12-01')!;
    assert.deepEqual(Buffer.from((await store.saltFor('daily', now))!), made.salt);
    // Another instance that comes up after the outage agrees with it.
    await proxy.restore();
    const later = open({ now: () => now });
    assert.deepEqual(Buffer.from((await later.saltFor('daily', now))!), made.salt);
  } finally {
    await proxy.close();
    await db.pool.query('DELETE FROM visitor_salts');
  }
});

test('no salt to be had (database away since boot): undefined, then the salt once the database is back', async () => {
  const url = new URL(db.url);
  const proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port) });
  try {
    await proxy.cut();
    url.port = String(proxy.port);
    const store = open({ url: url.toString() });
    assert.equal(await store.saltFor('daily', new Date()), undefined);
    assert.equal(await store.saltFor('monthly', new Date()), undefined);
    await proxy.restore();
    await store.refresh();
    assert.equal((await store.saltFor('daily', new Date()))?.length, 32, 'served once the database is back');
  } finally {
    await proxy.close();
  }
});
