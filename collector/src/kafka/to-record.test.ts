// A record's value is one flat string: a writer that appended its ~75 pieces left a tree of
// concatenations several times its size in the heap (bench/HISTORY.md §§ 23, 27).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DEFAULT_PROJECT_ID, writeCanonicalRecord, type CollectedEvent } from '#contract';
import { toRecord } from './to-record.ts';

const eventOf = (i: number): CollectedEvent => ({
  event_id: crypto.randomUUID(),
  event_type: 'page_view',
  page_url: `https://shop.example/products/${i}?utm_source=newsletter`,
  page_title: `Product ${i}`,
  referrer: 'https://www.google.com/',
  session_id: `session-${i}`,
  user_agent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  screen_width: 1280,
  timestamp: new Date(1_700_000_000_000 + i).toISOString(),
  received_at: new Date(1_700_000_000_000 + i).toISOString(),
  project_id: DEFAULT_PROJECT_ID,
  visitor_id: `h:${String(i).padStart(32, '0')}`,
  page_path: `/products/${i}`,
  utm_source: 'newsletter',
  referrer_domain: 'google.com',
  browser: 'Chrome',
  os: 'Linux',
  device_type: 'desktop',
  is_bot: false,
});

/** Heap bytes per value of `make`'s values, all kept alive, after a full collection. */
function heapPerValue(make: (e: CollectedEvent) => string, events: CollectedEvent[], gc: () => void): { bytes: number; chars: number } {
  gc();
  const before = process.memoryUsage().heapUsed;
  const values = events.map(make);
  gc();
  const bytes = (process.memoryUsage().heapUsed - before) / values.length;
  return { bytes, chars: values[0]!.length };
}

test('the record value is the canonical JSON, held in about its own size rather than as pieces', () => {
  // A full garbage collection on demand (V8's gc(), exposed for this test only).
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const events = Array.from({ length: 5000 }, (_, i) => eventOf(i));
  assert.equal(toRecord(events[0]!).value, writeCanonicalRecord(events[0]!));
  const written = heapPerValue(writeCanonicalRecord, events, gc);
  const record = heapPerValue((e) => toRecord(e).value, events, gc);
  // A tree of the pieces measured 4x the characters (2,931 bytes for 703).
  assert.ok(written.bytes < 1.5 * written.chars, `the writer's value: ${written.bytes.toFixed(0)} bytes for ${written.chars} characters`);
  assert.ok(record.bytes < 1.5 * record.chars, `a record value: ${record.bytes.toFixed(0)} bytes for ${record.chars} characters`);
});
