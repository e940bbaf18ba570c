import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LiveEvent } from './live-event.ts';
import { Subscriber, type LiveTransport } from './subscriber.ts';

/** A client that reads only when told: write() reports backpressure after `room` frames. */
function slowClient(room: number) {
  const frames: string[] = [];
  let left = room;
  const transport: LiveTransport = {
    write(text) {
      frames.push(text);
      return --left > 0;
    },
    close() {},
  };
  return { transport, frames, read: (n: number) => (left = n) };
}

const event = (partition: number, offset: number): LiveEvent => ({
  id: `${partition}-${offset}`,
  partition,
  offset,
  projectId: 'p',
  eventId: `e${partition}-${offset}`,
  eventType: 'page_view',
  page: '/',
  sessionId: undefined,
  visitorId: 'v',
  isBot: false,
  at: 0,
  json: `{"event_id":"e${partition}-${offset}"}`,
});

const types = (frames: string[]) => frames.map((f) => /^event: (\w+)/.exec(f)![1] + (/^id: (.*)$/m.exec(f)?.[1] ? `:${/^id: (.*)$/m.exec(f)![1]}` : '') + (/"dropped":(\d+)/.exec(f) ? `:${/"dropped":(\d+)/.exec(f)![1]}` : ''));

test('a client that stops reading gets a bounded queue, then `dropped` with the count at the gap, then new events', () => {
  const client = slowClient(2);
  const s = new Subscriber('p', { includeBots: false }, client.transport, 'sse', 3);
  for (let i = 0; i < 10; i++) {
    s.offerEvent(event(0, i));
    s.flush();
  }
  // 2 written, 3 queued, 5 counted, never held.
  assert.deepEqual(types(client.frames), ['event:0-0', 'event:0-1']);
  assert.deepEqual(s.backlog, { queued: 3, dropped: 5 });
  client.read(100);
  s.resume();
  assert.deepEqual(types(client.frames).slice(2), ['event:0-2', 'event:0-3', 'event:0-4', 'dropped:5']);
  s.offerEvent(event(0, 10));
  s.flush();
  assert.deepEqual(types(client.frames).slice(-1), ['event:0-10']);
  assert.deepEqual(s.backlog, { queued: 0, dropped: 0 });
});

test('a dropped count is placed before the next event that fits, not after it', () => {
  const client = slowClient(1);
  const s = new Subscriber('p', { includeBots: false }, client.transport, 'ws', 1);
  s.offerEvent(event(0, 0));
  s.flush(); // written; the client is now slow
  s.offerEvent(event(0, 1)); // queued
  s.offerEvent(event(0, 2)); // dropped
  client.read(1);
  s.resume(); // 0-1 out, slow again
  s.offerEvent(event(0, 3)); // fits: the gap marker goes first
  client.read(100);
  s.resume();
  const sent = client.frames.map((f) => JSON.parse(f) as { type: string; id?: string; data: { dropped?: number } });
  assert.deepEqual(sent.map((m) => m.type + (m.id ? `:${m.id}` : m.data.dropped ? `:${m.data.dropped}` : '')), ['event:0-0', 'event:0-1', 'dropped:1', 'event:0-3']);
});

test('`stored` is announced once per watermark, only for partitions the client was sent, after the events it covers', () => {
  const client = slowClient(100);
  const s = new Subscriber('p', { includeBots: false }, client.transport, 'sse', 10);
  s.stored(1, 50); // nothing sent on partition 1: nothing to announce
  s.offerEvent(event(0, 5));
  s.offerEvent(event(0, 9));
  s.stored(0, 4); // below what was sent
  s.flush();
  assert.deepEqual(types(client.frames), ['event:0-5', 'event:0-9']);
  s.stored(0, 6);
  s.flush();
  s.stored(0, 6); // the same watermark again: nothing new
  s.stored(0, 9);
  s.flush();
  const stored = client.frames.filter((f) => f.startsWith('event: stored')).map((f) => JSON.parse(f.split('data: ')[1]!) as { partition: number; through_offset: number });
  assert.deepEqual(stored.map((x) => [x.partition, x.through_offset]), [[0, 6], [0, 9]]);
  s.stored(0, 20); // everything sent is announced: nothing more
  s.flush();
  assert.equal(client.frames.filter((f) => f.startsWith('event: stored')).length, 2);
});

test('heartbeats only on a stream idle for a whole interval: a busy stream (metrics every 2 s) gets none', () => {
  const client = slowClient(1000);
  const s = new Subscriber('p', undefined, client.transport, 'sse', 16);
  const beat = { type: 'heartbeat' as const, data: '{}' };
  const metrics = { type: 'metrics' as const, data: '{}' };
  s.offer(metrics);
  s.flush();
  s.heartbeat(beat); // metrics went out during this interval: none
  s.heartbeat(beat); // a whole interval with nothing: one
  s.offer(metrics);
  s.flush();
  s.heartbeat(beat);
  s.heartbeat(beat);
  s.heartbeat(beat); // idle on: one per interval
  assert.deepEqual(types(client.frames), ['metrics', 'heartbeat', 'metrics', 'heartbeat', 'heartbeat']);
});
