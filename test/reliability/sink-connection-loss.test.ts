// Regression: when PostgreSQL went away while the pipeline held a pooled client (a server restart
// under load), pg emitted 'error' on that client with no listener and the pipeline process
// crashed. Now the batch fails as a value the caller retries, and the next batch is stored.
// Deterministic: the write is parked on a table lock, then its server backend is terminated.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createPostgresSink, type PostgresSink } from '../../pipeline/src/adapters/postgres-sink.ts';
import type { EventRow } from '../../pipeline/src/steps/normalize-event.ts';
import { eventRow } from '../support/event-row.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { waitFor } from '../support/service-kit.ts';

let db: TestDatabase;
let sink: PostgresSink;
const reported: Error[] = [];

before(async () => {
  db = await createTestDatabase('analytics_test_sinkloss');
  sink = createPostgresSink(db.url, 2, (error) => reported.push(error));
});

after(async () => {
  await sink?.close();
  await db?.drop();
});

const row = (): EventRow => eventRow({ session_id: 's' });

test('a connection killed under a checked-out client fails that batch only; the process lives and the next batch lands', async () => {
  const locker = new pg.Client({ connectionString: db.url });
  await locker.connect();
  await locker.query('BEGIN');
  await locker.query('LOCK TABLE analytics_events IN ACCESS EXCLUSIVE MODE');

  const first = row();
  const write = sink.write([first], [], 0);
  const outcome = write.then(() => 'stored', (error: Error) => `failed: ${error.message}`);
  let pid = 0;
  await waitFor('the write to wait on the lock', async () => {
    // Not the locker: inside its transaction pg_stat_activity is a frozen snapshot.
    const { rows } = await db.pool.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
    );
    pid = rows[0]?.pid ?? 0;
    return pid !== 0;
  });
  await db.pool.query('SELECT pg_terminate_backend($1)', [pid]);
  assert.match(await outcome, /^failed: /);
  await locker.query('ROLLBACK');
  await locker.end();
  assert.ok(reported.length > 0, 'the connection loss was reported');

  const second = row();
  assert.deepEqual(await sink.write([second], [], 0), { inserted: 1, duplicates: 0 });
  const { rows } = await db.pool.query<{ id: string }>('SELECT event_id::text AS id FROM analytics_events');
  assert.deepEqual(rows.map((r) => r.id), [second.event_id]);
});
