import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../../lib/logger.ts';
import type { LiveEvent } from './live-event.ts';
import { LiveHub } from './live-hub.ts';

const record = (offset: number, eventId: string, projectId = 'p'): LiveEvent => ({
  id: `0-${offset}`, partition: 0, offset, projectId, eventId, eventType: 'page_view', page: '/', sessionId: undefined, visitorId: 'v', isBot: false, at: 0, json: `{"event_id":"${eventId}"}`,
});

function hub(dedupIds?: number) {
  return new LiveHub({ topic: 't', ringSize: 100, queueSize: 100, heartbeatMs: 60_000, metricsIntervalMs: 60_000, seedMetrics: async () => [], now: () => new Date(), logger: createLogger('test', 'silent'), ...(dedupIds === undefined ? {} : { dedupIds }) });
}

const sentIds = (frames: string[]) => frames.filter((f) => f.startsWith('event: event')).map((f) => /^id: (.*)$/m.exec(f)![1]);

test('a resent event (the same event_id at a later offset) is sent and buffered once per project; another project may use the id', () => {
  const h = hub();
  const frames: string[] = [];
  const other: string[] = [];
  h.subscribe('p', { includeBots: false }, { write: (t) => frames.push(t) > 0, close() {} }, 'sse');
  h.subscribe('q', { includeBots: false }, { write: (t) => other.push(t) > 0, close() {} }, 'sse');
  h.publish([record(1, 'a'), record(2, 'b'), record(3, 'a')]);
  h.publish([record(4, 'a'), record(5, 'c'), record(6, 'a', 'q')]);
  assert.deepEqual(sentIds(frames), ['0-1', '0-2', '0-5']);
  assert.deepEqual(sentIds(other), ['0-6']);
  // Resuming from the buffer replays each event once too.
  const replay: string[] = [];
  h.subscribe('p', { includeBots: false }, { write: (t) => replay.push(t) > 0, close() {} }, 'sse', '0-1');
  assert.deepEqual(sentIds(replay), ['0-2', '0-5']);
  h.close();
});

test('the remembered ids are bounded: beyond dedupIds the oldest id is forgotten', () => {
  const h = hub(2);
  const frames: string[] = [];
  h.subscribe('p', { includeBots: false }, { write: (t) => frames.push(t) > 0, close() {} }, 'sse');
  h.publish([record(1, 'a'), record(2, 'b'), record(3, 'c'), record(4, 'a'), record(5, 'c')]);
  assert.deepEqual(sentIds(frames), ['0-1', '0-2', '0-3', '0-4']);
  h.close();
});
