// The loader's "stored" notice against the real PostgreSQL: delivered once the chunk's transaction
// commits, with its topic, partition and last offset; never for a transaction that rolled back;
// and not for the one-row writes that isolate a refused row, only for the chunk's last write.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createPostgresSink, type PostgresSink } from '../../pipeline/src/adapters/postgres-sink.ts';
import { loadBatch, type SplitBatch } from '../../pipeline/src/load-batch.ts';
import { parseStoredNotice, STORED_CHANNEL, type StoredNotice } from '../../lib/stored-notice.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { eventRow } from '../support/event-row.ts';

let db: TestDatabase;
let sink: PostgresSink;
let listener: pg.Client;
const notices: StoredNotice[] = [];

before(async () => {
  db = await createTestDatabase('analytics_test_stored_notice');
  sink = createPostgresSink(db.url, 2, () => undefined);
  listener = new pg.Client({ connectionString: db.url });
  await listener.connect();
  listener.on('notification', (n) => notices.push(parseStoredNotice(n.payload)!));
  await listener.query(`LISTEN ${STORED_CHANNEL}`);
});
after(async () => {
  await listener?.end();
  await sink?.close();
  await db?.drop();
});

/** Notifications arrive on the listener's connection shortly after the commit. */
const settle = () => new Promise((r) => setTimeout(r, 200));

test('a committed chunk notifies its topic, partition and last offset', async () => {
  notices.length = 0;
  const rows = [eventRow({ project_id: randomUUID() }), eventRow({ project_id: randomUUID() })];
  await sink.write(rows, [], 2, { topic: 'analytics-events', offset: '41' });
  await settle();
  assert.deepEqual(notices, [{ topic: 'analytics-events', partition: 2, offset: '41' }]);
  // Without a chunk end (a write of part of a chunk), nothing.
  await sink.write([eventRow({ project_id: randomUUID() })], [], 2);
  await settle();
  assert.equal(notices.length, 1);
});

test('a rolled-back transaction notifies nothing; a chunk whose rows were isolated notifies once, after its last write', async () => {
  notices.length = 0;
  const bad = eventRow({ project_id: randomUUID(), page_title: 'x'.repeat(5000) });
  await assert.rejects(sink.write([bad], [], 0, { topic: 't', offset: '7' }));
  await settle();
  assert.deepEqual(notices, []);
  const good = eventRow({ project_id: randomUUID() });
  const split: SplitBatch = { partition: 0, rows: [good, { ...bad }], sources: [source(0), source(1)], rejected: [], end: { topic: 't', offset: '9' } };
  const result = await loadBatch({ sink, deadLetter: { send: async () => undefined } }, split);
  assert.equal(result.inserted, 1);
  assert.equal(result.deadLettered.length, 1);
  await settle();
  assert.deepEqual(notices, [{ topic: 't', partition: 0, offset: '9' }]);
});

const source = (offset: number) => ({ reason: '', detail: '', projectId: null, topic: 't', partition: 0, offset: String(offset), key: null, value: Buffer.from('{}') });
