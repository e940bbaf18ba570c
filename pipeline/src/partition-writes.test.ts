import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PartitionWrites } from './partition-writes.ts';

const later = () => {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
};

test('one write per partition in flight; settle waits for it, partitions are independent', async () => {
  const writes = new PartitionWrites();
  const a = later();
  const order: string[] = [];
  writes.start('t/0', async () => {
    await a.promise;
    order.push('a stored');
  });
  assert.throws(() => writes.start('t/0', async () => undefined), /already in flight/);
  writes.start('t/1', async () => {
    order.push('b stored');
  });
  const settled = writes.settle('t/0').then(() => order.push('a settled'));
  await writes.settle('t/1');
  assert.deepEqual(order, ['b stored']);
  a.resolve();
  await settled;
  assert.deepEqual(order, ['b stored', 'a stored', 'a settled']);
  // Settled: the next write of the partition may start.
  writes.start('t/0', async () => undefined);
  await writes.drain();
});

test('a failed write is thrown by the partition\'s next settle, once', async () => {
  const writes = new PartitionWrites();
  const a = later();
  writes.start('t/0', () => a.promise);
  a.reject(new Error('commit refused'));
  await assert.rejects(writes.settle('t/0'), /commit refused/);
  await writes.settle('t/0');
  await writes.settle('t/1');
});

test('drain waits for every write in flight', async () => {
  const writes = new PartitionWrites();
  const done: number[] = [];
  for (const p of [0, 1, 2]) writes.start(`t/${p}`, async () => {
    await new Promise((r) => setTimeout(r, 5 * (3 - p)));
    done.push(p);
  });
  await writes.drain();
  assert.deepEqual(done.sort(), [0, 1, 2]);
});
