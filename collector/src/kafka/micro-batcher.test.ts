import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MicroBatcher } from './micro-batcher.ts';

// The batcher is generic; here its flush function records calls instead of producing.
function recorder(opts: { fail?: (items: number[]) => boolean; gate?: Promise<void> } = {}) {
  const calls: number[][] = [];
  const flush = async (items: number[]) => {
    calls.push(items);
    if (opts.gate) await opts.gate;
    if (opts.fail?.(items)) throw new Error('broker said no');
  };
  return { calls, flush };
}

test('concurrent adds within the linger share one flush', async () => {
  const { calls, flush } = recorder();
  const b = new MicroBatcher(flush, { maxRecords: 100, maxBytes: 1e6, lingerMs: 5 }, () => 1);
  await Promise.all([b.add([1]), b.add([2, 3]), b.add([4])]);
  assert.deepEqual(calls, [[1, 2, 3, 4]]);
});

test('size and byte bounds split batches; an oversized item still goes alone', async () => {
  const cases: { name: string; maxRecords: number; maxBytes: number; items: number[]; expect: number[][] }[] = [
    { name: 'by records', maxRecords: 2, maxBytes: 1e6, items: [1, 2, 3, 4, 5], expect: [[1, 2], [3, 4], [5]] },
    { name: 'by bytes', maxRecords: 100, maxBytes: 10, items: [5, 5, 5, 1], expect: [[5, 5], [5, 1]] },
    { name: 'oversized alone', maxRecords: 100, maxBytes: 10, items: [50, 1], expect: [[50], [1]] },
  ];
  for (const c of cases) {
    const { calls, flush } = recorder();
    const b = new MicroBatcher(flush, { maxRecords: c.maxRecords, maxBytes: c.maxBytes, lingerMs: 1000 }, (n) => n);
    await b.add(c.items);
    assert.deepEqual(calls, c.expect, c.name);
  }
});

test('items queued during a flush go out together right after it', async () => {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const { calls, flush } = recorder({ gate });
  const b = new MicroBatcher(flush, { maxRecords: 100, maxBytes: 1e6, lingerMs: 0 }, () => 1);
  const first = b.add([1]);
  const later = [b.add([2]), b.add([3])];
  assert.deepEqual(calls, [[1]]);
  open();
  await Promise.all([first, ...later]);
  assert.deepEqual(calls, [[1], [2, 3]]);
});

test('a failed flush rejects exactly the callers in it', async () => {
  const { flush } = recorder({ fail: (items) => items.includes(2) });
  const b = new MicroBatcher(flush, { maxRecords: 1, maxBytes: 1e6, lingerMs: 0 }, () => 1);
  const results = await Promise.allSettled([b.add([1]), b.add([2]), b.add([3])]);
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
});

test('failPending rejects queued items; drain waits for everything in flight', async () => {
  const { calls, flush } = recorder();
  const b = new MicroBatcher(flush, { maxRecords: 100, maxBytes: 1e6, lingerMs: 10_000 }, () => 1);
  const queued = b.add([1, 2]);
  b.failPending(new Error('kafka not ready'));
  await assert.rejects(queued, /kafka not ready/);
  assert.equal(calls.length, 0);

  const pending = b.add([3]);
  await b.drain();
  await pending;
  assert.deepEqual(calls, [[3]]);
  assert.equal(b.size, 0);
  await b.drain();
});

test('a caller whose items span several flushes resolves only when all are acked, fails if any fails', async () => {
  const { calls, flush } = recorder({ fail: (items) => items.includes(99) });
  const b = new MicroBatcher(flush, { maxRecords: 2, maxBytes: 1e6, lingerMs: 0 }, () => 1);
  await b.add([1, 2, 3, 4, 5]);
  assert.deepEqual(calls, [[1, 2], [3, 4], [5]]);
  await assert.rejects(b.add([6, 7, 99, 8]), /broker said no/);
  await b.add([]);
});
