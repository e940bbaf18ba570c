// callItems over an object stream standing in for a grpc-js call (both are Node Readables in
// object mode): numbering, pausing at the high-water mark, the idle timeout, a call cancelled
// mid-stream and close(). test/collector/grpc-*.test.ts drive it through real gRPC calls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type { StreamItem } from '../events/ingest-stream.ts';
import { CallAborted, callItems } from './call-items.ts';
import { IdleTimeout } from './ingest-status.ts';

const message = (n: number) => ({ event_type: 'page_view', page_url: `https://example.com/${n}` });

async function read(iterator: AsyncIterator<StreamItem>, n: number): Promise<StreamItem[]> {
  const out: StreamItem[] = [];
  for (let i = 0; i < n; i++) {
    const next = await iterator.next();
    if (next.done === true) break;
    out.push(next.value);
  }
  return out;
}

test('messages become items numbered from 1, then the stream ends', async () => {
  const call = new PassThrough({ objectMode: true });
  for (let n = 1; n <= 3; n++) call.write(message(n));
  call.end();
  const items: StreamItem[] = [];
  for await (const item of callItems(call, { idleMs: 1000, highWater: 10 })) items.push(item);
  assert.deepEqual(items, [1, 2, 3].map((n) => ({ line: n, value: message(n) })));
});

test('at highWater unread messages the call is paused; reading resumes it', async () => {
  const call = new PassThrough({ objectMode: true, highWaterMark: 1 });
  const source = callItems(call, { idleMs: 1000, highWater: 4 });
  const iterator = source[Symbol.asyncIterator]();
  for (let n = 1; n <= 20; n++) call.write(message(n));
  await new Promise((r) => setImmediate(r));
  assert.equal(call.isPaused(), true);
  // Paused: the writer's side fills up instead of the queue growing.
  assert.ok(call.writableLength > 0, 'the writer is held while the call is paused');
  const first = await read(iterator, 3);
  assert.deepEqual(first.map((i) => i.line), [1, 2, 3]);
  assert.equal(call.isPaused(), false);
  call.end();
  const rest = await read(iterator, 100);
  assert.deepEqual(rest.map((i) => i.line), Array.from({ length: 17 }, (_, i) => i + 4));
});

test('a read waiting longer than idleMs fails with IdleTimeout', async () => {
  const call = new PassThrough({ objectMode: true });
  const iterator = callItems(call, { idleMs: 30, highWater: 4 })[Symbol.asyncIterator]();
  call.write(message(1));
  assert.equal((await iterator.next()).value?.line, 1);
  await assert.rejects(iterator.next(), IdleTimeout);
});

test('a call closed before its end: the messages that came first are read, then CallAborted', async () => {
  const call = new PassThrough({ objectMode: true });
  const iterator = callItems(call, { idleMs: 1000, highWater: 10 })[Symbol.asyncIterator]();
  call.write(message(1));
  call.write(message(2));
  await new Promise((r) => setImmediate(r));
  call.destroy(); // what grpc-js does when the client cancels
  assert.deepEqual((await read(iterator, 2)).map((i) => i.line), [1, 2]);
  await assert.rejects(iterator.next(), CallAborted);
});

test('close() ends a waiting read and destroys the call', async () => {
  const call = new PassThrough({ objectMode: true });
  const source = callItems(call, { idleMs: 1000, highWater: 10 });
  const pending = source[Symbol.asyncIterator]().next();
  source.close();
  assert.deepEqual(await pending, { done: true, value: undefined });
  assert.equal(call.destroyed, true);
});
