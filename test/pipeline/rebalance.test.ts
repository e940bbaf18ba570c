// Rebalances while streaming: a second instance joins mid-stream, then the first leaves with
// SIGTERM. Partitions move twice; every event is stored exactly once.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../support/service-kit.ts';
import { canonicalMessage, collectedEvent, count, pipelineBed, produce } from './helpers.ts';

const bed = await pipelineBed('rebalance', { partitions: 4 });
const { kafka, db, topic } = bed;
after(() => bed.close());
const start = () => bed.startPipeline({ pipelineBatchMaxMessages: 50 });

const batch = (n: number, from: number) =>
  Array.from({ length: n }, (_, i) => collectedEvent({ session_id: `r-${(from + i) % 40}`, metadata: { n: from + i } })).map((e, i) =>
    // Half as the collector writes them (canonical, marked: the fast path), half plain JSON.
    i % 2 === 0 ? canonicalMessage(e) : { key: e.session_id!, value: JSON.stringify(e) },
  );

test('an instance joining and another leaving mid-stream lose and duplicate nothing', async () => {
  const first = await start();
  await produce(kafka, topic, batch(1500, 0));
  await waitFor('first rows', () => count(db.pool), { until: (n) => n > 0 });

  const second = await start();
  await produce(kafka, topic, batch(1500, 1500));
  await waitFor('second instance joined', () => /"msg":"consuming"/.test(second.output()));
  await waitFor('more rows', () => count(db.pool), { until: (n) => n >= 1500 });

  assert.equal((await first.stop('SIGTERM')).code, 0, first.tail());
  await produce(kafka, topic, batch(1000, 3000));
  await waitFor('4000 rows', () => count(db.pool), { until: (n) => n >= 4000, timeoutMs: 90_000 });

  assert.equal(await count(db.pool), 4000);
  assert.equal(await count(db.pool, "SELECT count(DISTINCT metadata->>'n')::int AS n FROM analytics_events"), 4000);
  assert.equal((await second.stop('SIGTERM')).code, 0, second.tail());
});
