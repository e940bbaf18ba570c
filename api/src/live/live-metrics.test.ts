import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MetricsWindow, type WindowEvent } from './live-metrics.ts';

const NOW = Date.parse('2026-11-30T12:00:00Z');

test('hand fixture: the 5-minute window is closed at both ends, the minute is (now − 60 s, now], an event_id counts once', () => {
  const w = new MetricsWindow();
  const e = (eventId: string, visitorId: string, page: string, agoMs: number): WindowEvent => ({ eventId, visitorId, page, at: NOW - agoMs });
  w.add(e('1', 'a', '/x', 300_000)); // exactly 5 min ago: counted
  w.add(e('2', 'b', '/x', 300_001)); // just before: not
  w.add(e('3', 'a', '/y', 60_000)); // exactly 60 s ago: outside the minute
  w.add(e('4', 'c', '/y', 59_999));
  w.add(e('4', 'c', '/y', 59_999)); // a duplicate event_id
  w.add(e('5', 'd', '/z', -1000)); // in the future: not yet
  const m = w.compute(new Date(NOW));
  assert.equal(m.current_visitors, 2); // a, c
  assert.equal(m.events_last_minute, 1);
  assert.equal(m.events_per_second, 1 / 60);
  assert.deepEqual(m.top_pages, [{ page: '/y', visitors: 2 }, { page: '/x', visitors: 1 }]);
  assert.equal(m.current_visitors_since, '2026-11-30T11:55:00.000Z');
});

test('property: equals a brute-force count over random events', () => {
  const arbEvent = fc.record({ eventId: fc.integer({ min: 0, max: 60 }).map(String), visitorId: fc.constantFrom('a', 'b', 'c', 'd', 'e'), page: fc.constantFrom('/', '/a', '/b', '/c'), at: fc.integer({ min: NOW - 400_000, max: NOW + 5000 }) });
  fc.assert(
    fc.property(fc.array(arbEvent, { maxLength: 80 }), (events) => {
      const w = new MetricsWindow();
      for (const e of events) w.add(e);
      const m = w.compute(new Date(NOW));
      // Reference: first copy of each event_id, then the definitions written out.
      const once = [...new Map(events.reverse().map((e) => [e.eventId, e])).values()];
      const inWindow = once.filter((e) => e.at >= NOW - 300_000 && e.at <= NOW);
      assert.equal(m.current_visitors, new Set(inWindow.map((e) => e.visitorId)).size);
      assert.equal(m.events_last_minute, inWindow.filter((e) => e.at > NOW - 60_000).length);
      const pages = [...new Set(inWindow.map((e) => e.page))].map((page) => ({ page, visitors: new Set(inWindow.filter((e) => e.page === page).map((e) => e.visitorId)).size }));
      pages.sort((x, y) => y.visitors - x.visitors || x.page.localeCompare(y.page));
      assert.deepEqual(m.top_pages, pages.slice(0, 10));
    }),
  );
});
