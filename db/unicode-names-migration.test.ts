// Migration 028 on data stored before it: saved-funnel names equal under NFC keep the oldest as it
// is and rename the later ones with a suffix, so the NFC index can be built; users whose emails
// are equal under NFC and case stop the migration, naming them, until an operator resolves them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { createTestDatabase, inTransaction, type TestDatabase } from '../test/support/database.ts';

const M028 = readFileSync(new URL('./migrations/028_unicode_unique_names.sql', import.meta.url), 'utf8');
let db: TestDatabase;

before(async () => {
  db = await createTestDatabase('analytics_test_nfc_names');
});
after(() => db?.drop());

/** The schema as 027 left it: the exact-text unique rules. */
async function asBefore028(): Promise<void> {
  await db.pool.query(`DROP INDEX IF EXISTS saved_funnels_project_name_nfc;
    ALTER TABLE saved_funnels ADD CONSTRAINT saved_funnels_project_id_name_key UNIQUE (project_id, name);
    DROP INDEX IF EXISTS users_email_nfc_unique;
    CREATE UNIQUE INDEX users_email_unique ON users (lower(email));`);
}

async function run028(): Promise<void> {
  await inTransaction(db.pool, (client) => client.query(M028));
}

test('saved funnels equal under NFC: the oldest keeps its name, a later one gets a suffix, then the NFC index refuses a third', async () => {
  await asBefore028();
  const project = randomUUID();
  const older = randomUUID();
  const later = randomUUID();
  const insert = 'INSERT INTO saved_funnels (project_id, funnel_id, name, definition, created_at) VALUES ($1, $2, $3, $4, $5)';
  await db.pool.query(insert, [project, older, 'Checkout \u00fc', {}, '2026-01-01T00:00:00Z']);
  await db.pool.query(insert, [project, later, 'Checkout u\u0308', {}, '2026-01-02T00:00:00Z']);
  await run028();
  const names = new Map((await db.pool.query<{ funnel_id: string; name: string }>('SELECT funnel_id::text, name FROM saved_funnels WHERE project_id = $1', [project])).rows.map((r) => [r.funnel_id, r.name]));
  assert.equal(names.get(older), 'Checkout \u00fc');
  assert.equal(names.get(later), `Checkout u\u0308 (duplicate ${later.slice(0, 8)})`);
  await assert.rejects(db.pool.query(insert, [project, randomUUID(), 'Checkout u\u0308', {}, '2026-01-03T00:00:00Z']), { code: '23505' });
});

test('users whose emails are equal under NFC and case stop the migration, naming them; resolved, it applies', async () => {
  await asBefore028();
  const insert = "INSERT INTO users (email, password_hash) VALUES ($1, 'x') RETURNING id::text";
  const a = (await db.pool.query<{ id: string }>(insert, ['J\u00fcrgen@example.com'])).rows[0]!.id;
  const b = (await db.pool.query<{ id: string }>(insert, ['ju\u0308rgen@example.com'])).rows[0]!.id;
  await assert.rejects(run028(), (e: Error) => e.message.includes(a) && e.message.includes(b));
  await db.pool.query('DELETE FROM users WHERE id = $1', [b]);
  await run028();
  await assert.rejects(db.pool.query(insert, ['JU\u0308RGEN@example.com']), { code: '23505' });
});
