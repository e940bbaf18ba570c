// The pipeline as its own process: SIGKILL mid-stream and a restart store every event exactly
// once; SIGTERM commits, leaves the group and exits 0; the ops port reports ready and metrics.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { toEnv } from '../../lib/service-manifest.ts';
import { waitFor } from '../support/service-kit.ts';
import { canonicalMessage, collectedEvent, count, pipelineBed, pipelineSettings, produce } from './helpers.ts';

const bed = await pipelineBed('restart');
const { kafka, db, topic } = bed;
after(() => bed.close());
// Small batches make many commits, so the kill lands between them.
const start = () => bed.startPipeline({ pipelineBatchMaxMessages: 50 });

const events = (n: number, from: number) => Array.from({ length: n }, (_, i) => collectedEvent({ session_id: `s-${(from + i) % 20}`, metadata: { n: from + i } }));
// Half as the collector writes them (canonical, marked: the loader's fast path), half plain JSON.
const messages = (list: ReturnType<typeof events>) => list.map((e, i) => (i % 2 === 0 ? canonicalMessage(e) : { key: e.session_id!, value: JSON.stringify(e) }));

test('SIGKILL mid-stream and a restart store exactly N rows', async () => {
  const first = await start();
  assert.equal(await (await fetch(`${first.url}/ping`)).text(), 'pong');

  await produce(kafka, topic, messages(events(2000, 0)));
  await waitFor('some rows', () => count(db.pool), { until: (n) => n > 0 });
  assert.equal((await first.stop('SIGKILL')).code, null);
  const atKill = await count(db.pool);
  await produce(kafka, topic, messages(events(1000, 2000)));

  const second = await start();
  await waitFor('3000 rows', () => count(db.pool), { until: (n) => n >= 3000, timeoutMs: 90_000 });
  // Let any replayed batch finish, then check nothing was stored twice.
  await waitFor('lag 0', async () => {
    const text = await (await fetch(`${second.url}/metrics`)).text();
    return [...text.matchAll(/^pipeline_consumer_lag\{[^}]*\} (\d+)$/gm)].map((m) => Number(m[1]));
  }, { until: (lags) => lags.length > 0 && lags.every((l) => l === 0) });
  assert.equal(await count(db.pool), 3000, `killed at ${atKill} rows`);
  assert.equal(await count(db.pool, "SELECT count(DISTINCT metadata->>'n')::int AS n FROM analytics_events"), 3000);
  // The canonical half took the fast path (replays after the kill included).
  const fast = /^pipeline_records_canonical_total (\d+)$/m.exec(await (await fetch(`${second.url}/metrics`)).text());
  assert.ok(Number(fast?.[1]) >= 500, `fast-path records after the restart: ${fast?.[1]}`);

  const metrics = await (await fetch(`${second.url}/metrics`)).text();
  for (const name of ['pipeline_messages_consumed_total', 'pipeline_events_inserted_total', 'pipeline_duplicates_skipped_total', 'pipeline_batch_size_bucket', 'pipeline_batch_duration_seconds_bucket']) {
    assert.match(metrics, new RegExp(`^${name}`, 'm'), name);
  }

  assert.equal((await second.stop('SIGTERM')).code, 0, second.tail());
  assert.match(second.output(), /"msg":"stopped"/);
});

test('after SIGTERM the group has committed every offset and no members', async () => {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [committed] = await admin.fetchOffsets({ groupId: `${topic}-group`, topics: [topic] });
    const ends = await admin.fetchTopicOffsets(topic);
    const byPartition = new Map(ends.map((e) => [e.partition, e.high]));
    for (const p of committed!.partitions) assert.equal(p.offset, byPartition.get(p.partition), `partition ${p.partition}`);
    const { groups } = await admin.describeGroups([`${topic}-group`]);
    assert.equal(groups[0]!.members.length, 0);
  } finally {
    await admin.disconnect();
  }
});

test('a crash after the database commit and before the offset commit redelivers the chunk; it is stored once', async () => {
  const group = await kafka.admin();
  await group.connect();
  const committed = async () => (await group.fetchOffsets({ groupId: `${topic}-group`, topics: [topic] }))[0]!.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
  try {
    const before = await count(db.pool);
    const offsetsBefore = await committed();
    await produce(kafka, topic, messages(events(600, 5000)));
    // Chunks of 50: the third write commits in PostgreSQL, then the process dies before its offsets.
    const env = { ...process.env, ...toEnv(pipelineSettings(bed, { pipelineBatchMaxMessages: 50 })), CRASH_AFTER_WRITES: '3' };
    const crashed = spawnSync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'crash-after-db-commit.ts')], { env, encoding: 'utf8', timeout: 60_000 });
    assert.equal(crashed.signal, 'SIGKILL', crashed.stderr);
    assert.match(crashed.stdout, /crashing after write 3/);
    const stored = (await count(db.pool)) - before;
    const offsetsAdvanced = (await committed()) - offsetsBefore;
    // The crashed chunk at least is stored but its offsets are not committed.
    assert.ok(stored > 0 && offsetsAdvanced < stored, `stored ${stored}, offsets advanced ${offsetsAdvanced}`);

    const restarted = await start();
    await waitFor('600 more rows', () => count(db.pool), { until: (n) => n >= before + 600, timeoutMs: 90_000 });
    await waitFor('lag 0', async () => {
      const text = await (await fetch(`${restarted.url}/metrics`)).text();
      return [...text.matchAll(/^pipeline_consumer_lag\{[^}]*\} (\d+)$/gm)].map((m) => Number(m[1]));
    }, { until: (lags) => lags.length > 0 && lags.every((l) => l === 0) });
    assert.equal(await count(db.pool), before + 600);
    assert.equal(await count(db.pool, "SELECT count(DISTINCT metadata->>'n')::int AS n FROM analytics_events WHERE (metadata->>'n')::int >= 5000"), 600);
    // The stored, uncommitted chunk came back and was recognised as already stored.
    const duplicates = /^pipeline_duplicates_skipped_total (\d+)$/m.exec(await (await fetch(`${restarted.url}/metrics`)).text());
    assert.ok(Number(duplicates?.[1]) >= stored - offsetsAdvanced, `duplicates skipped: ${duplicates?.[1]}`);
    assert.equal((await restarted.stop('SIGTERM')).code, 0, restarted.tail());
  } finally {
    await group.disconnect();
  }
});
