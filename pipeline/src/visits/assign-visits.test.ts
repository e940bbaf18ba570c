// Hand fixtures, one per rule of docs/metrics.md § Visit, for the pure assignment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assignVisits, batchVisitors, type Visit, type VisitEvent } from './assign-visits.ts';
import { toMicros } from './instant.ts';
import { visitIdFor } from '../steps/deterministic-id.ts';
import { UNENRICHED } from '../steps/normalize-event.ts';

const P = '11111111-1111-4111-8111-111111111111';
const T0 = Date.UTC(2026, 0, 1, 10, 0, 0);
const MIN = 60_000;
let seq = 0;

/** An event `minutes` after T0 (fractions allowed), a page view unless said otherwise. */
function ev(minutes: number, over: Partial<VisitEvent> = {}): VisitEvent {
  seq += 1;
  return {
    project_id: P,
    event_id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    timestamp: new Date(T0 + minutes * MIN).toISOString(),
    event_type: 'page_view',
    user_id: 'alice',
    ...UNENRICHED,
    visitor_id: 'u:alice',
    page_path: `/p${seq}`,
    device_type: 'desktop',
    browser: 'Firefox',
    os: 'Linux',
    ...over,
  };
}

/** Assigns batches one after the other, carrying the stored visits like the loader does. */
function run(...batches: VisitEvent[][]): { ids: string[]; visits: Map<string, Visit> } {
  const stored = new Map<string, Visit>();
  const ids: string[] = [];
  for (const batch of batches) {
    const a = assignVisits([...stored.values()], batch);
    ids.push(...a.visitIds);
    for (const v of a.visits) stored.set(v.visit_id, v);
  }
  return { ids, visits: stored };
}

const us = (minutes: number) => toMicros(new Date(T0 + minutes * MIN).toISOString());

test('a gap of 29:59 joins the visit, a gap of 30:00 starts a new one', () => {
  const a = ev(0);
  const joins = ev(29 + 59 / 60);
  const splits = ev(29 + 59 / 60 + 30);
  const { ids, visits } = run([a, joins, splits]);
  assert.equal(ids[0], ids[1]);
  assert.notEqual(ids[1], ids[2]);
  assert.equal(ids[0], visitIdFor(P, 'u:alice', a.event_id), 'a new visit is named by its first event');
  assert.equal(ids[2], visitIdFor(P, 'u:alice', splits.event_id));
  assert.equal(visits.get(ids[0]!)!.events, 2);
  assert.equal(visits.get(ids[2]!)!.events, 1);
});

test('a visit never reaches 24 hours: the event that would make it 24 h long starts a new visit', () => {
  // An event every 20 minutes for 24 hours: no gap ever splits it, only the cap does.
  const events = Array.from({ length: 73 }, (_, i) => ev(i * 20, { event_type: 'custom' }));
  const { ids, visits } = run(events);
  assert.equal(new Set(ids.slice(0, 72)).size, 1, 'everything under 24 h is one visit');
  assert.notEqual(ids[72], ids[0], 'the event at exactly 24 h starts a new one');
  const first = visits.get(ids[0]!)!;
  assert.equal(first.visit_end - first.visit_start, us(71 * 20) - us(0));
});

test('a late event inside a visit joins it and moves nothing', () => {
  const { ids, visits } = run([ev(0), ev(20, { event_type: 'button_click' })], [ev(10, { event_type: 'button_click' })]);
  assert.equal(new Set(ids).size, 1);
  const v = visits.get(ids[0]!)!;
  assert.deepEqual([v.visit_start, v.visit_end, v.events, v.pageviews, v.interactions], [us(0), us(20), 3, 1, 2]);
});

test('a late event before a visit extends its start and, being its first page view, its entry', () => {
  const first = ev(10, { event_type: 'button_click', page_path: '/click' });
  const view = ev(20, { page_path: '/later' });
  const late = ev(-15, { page_path: '/landing', referrer_domain: 'news.example', utm_source: 'mail', device_type: 'mobile' });
  const { ids, visits } = run([first, view], [late]);
  assert.equal(new Set(ids).size, 1);
  const v = visits.get(ids[0]!)!;
  assert.equal(v.visit_start, us(-15));
  assert.deepEqual([v.entry_path, v.entry_event_id, v.referrer_domain, v.utm_source, v.device_type], ['/landing', late.event_id, 'news.example', 'mail', 'mobile']);
  assert.equal(v.exit_path, '/later', 'the last page view stays the exit');
});

test('a late event after a visit extends its end and exit', () => {
  const { ids, visits } = run([ev(0), ev(10)], [ev(35, { page_path: '/bye' })]);
  assert.equal(new Set(ids).size, 1);
  const v = visits.get(ids[0]!)!;
  assert.equal(v.visit_end, us(35));
  assert.equal(v.exit_path, '/bye');
});

test('a late event that bridges two visits joins the one that started last; visits never merge', () => {
  const { ids, visits } = run([ev(0), ev(10), ev(50), ev(60)], [ev(30, { event_type: 'custom' })]);
  const [a, , b, , late] = ids;
  assert.notEqual(a, b);
  assert.equal(late, b);
  assert.equal(visits.size, 2);
  assert.deepEqual([visits.get(a!)!.events, visits.get(b!)!.events, visits.get(b!)!.visit_start], [2, 3, us(30)]);
});

test('a late event near no visit starts its own', () => {
  const { ids } = run([ev(0), ev(10)], [ev(-40)]);
  assert.notEqual(ids[2], ids[0]);
});

test('identical timestamps are ordered by event id for entry and exit', () => {
  const x = ev(5, { event_id: '00000000-0000-4000-8000-00000000000b', page_path: '/b' });
  const y = ev(5, { event_id: '00000000-0000-4000-8000-00000000000A', page_path: '/a' });
  const { ids, visits } = run([x, y]);
  const v = visits.get(ids[0]!)!;
  assert.equal(v.entry_path, '/a', 'the lower id (compared in lower case, as stored) enters');
  assert.equal(v.entry_event_id, '00000000-0000-4000-8000-00000000000a');
  assert.equal(v.exit_path, '/b');
});

test('entry and exit: the first and last page view; plain events only while the visit has none', () => {
  const click = ev(0, { event_type: 'button_click', page_path: '/c', utm_source: 'ads' });
  const unload = ev(2, { event_type: 'page_unload', page_path: '/u', engaged_ms: 4_000 });
  const noViews = run([click, unload]);
  const v0 = noViews.visits.get(noViews.ids[0]!)!;
  assert.deepEqual([v0.entry_path, v0.exit_path, v0.utm_source, v0.pageviews], ['/c', '/u', 'ads', 0]);

  // A late page view in the middle becomes both entry and exit: page views beat other events.
  const view = ev(1, { page_path: '/v', utm_source: null });
  const withView = run([click, unload], [view]);
  const v1 = withView.visits.get(withView.ids[0]!)!;
  assert.deepEqual([v1.entry_path, v1.exit_path, v1.utm_source, v1.pageviews, v1.engaged_ms, v1.interactions], ['/v', '/v', null, 1, 4_000, 1]);
  assert.equal(v1.visit_start, us(0), 'the visit still starts at its first event');
});

test('a visit with any bot event is a bot visit; engaged time sums page_unloads only', () => {
  const { ids, visits } = run([
    ev(0),
    ev(1, { event_type: 'page_unload', engaged_ms: 1_500 }),
    ev(2, { is_bot: true, event_type: 'custom', engaged_ms: 99 }),
    ev(3, { event_type: 'page_unload', engaged_ms: null }),
  ]);
  const v = visits.get(ids[0]!)!;
  assert.equal(v.is_bot, true);
  assert.equal(v.engaged_ms, 1_500);
  assert.deepEqual([v.events, v.pageviews, v.interactions], [4, 1, 1]);
});

test('visitors and projects never share a visit', () => {
  const other = '22222222-2222-4222-8222-222222222222';
  const { ids } = run([ev(0), ev(1, { visitor_id: 'u:bob' }), ev(2, { project_id: other })]);
  assert.equal(new Set(ids).size, 3);
});

test('stored visits passed in are not changed; the result holds only touched visits', () => {
  const first = run([ev(0), ev(100)]);
  const before = structuredClone([...first.visits.values()]);
  const a = assignVisits([...first.visits.values()], [ev(101)]);
  assert.deepEqual([...first.visits.values()], before);
  assert.equal(a.visits.length, 1);
  assert.equal(a.visits[0]!.events, 2);
});

test('first seen: each visitor\'s earliest event of the batch, ties by event id, with the visit it would start', () => {
  const late = ev(-5, { event_id: '00000000-0000-4000-8000-0000000000ff' });
  const tie = ev(-5, { event_id: '00000000-0000-4000-8000-0000000000fe' });
  const { firstSeen } = batchVisitors([ev(0), late, tie, ev(3, { visitor_id: 'u:bob' })]);
  const byVisitor = new Map(firstSeen.map((f) => [f.visitor_id, f]));
  const alice = byVisitor.get('u:alice')!;
  assert.deepEqual([alice.first_event_id, alice.first_seen, alice.index, alice.first_visit_id], [tie.event_id, us(-5), 2, visitIdFor(P, 'u:alice', tie.event_id)]);
  assert.equal(byVisitor.get('u:bob')!.first_seen, us(3));
});

test('counters: 15-minute UTC buckets by type, path (unknown path as /) and bot flag', () => {
  const a = assignVisits([], [
    ev(0, { page_path: '/x' }),
    ev(14.99, { page_path: '/x' }),
    ev(15, { page_path: '/x' }),
    ev(1, { page_path: null }),
    ev(2, { page_path: '/x', is_bot: true }),
    ev(3, { page_path: '/x', event_type: 'custom' }),
  ]);
  const got = a.counts.map((c) => `${(c.bucket / 1000 - T0) / MIN} ${c.event_type} ${c.page_path} ${c.is_bot} ${c.events}`).sort();
  assert.deepEqual(got, ['0 custom /x false 1', '0 page_view / false 1', '0 page_view /x false 2', '0 page_view /x true 1', '15 page_view /x false 1']);
});

test('candidate windows span each visitor\'s batch events ± 30 minutes', () => {
  const { windows, times } = batchVisitors([ev(10), ev(-5), ev(0, { visitor_id: 'u:bob' })]);
  assert.deepEqual(times, [us(10), us(-5), us(0)]);
  assert.deepEqual(
    windows.map((x) => [x.visitor_id, x.from, x.to]),
    [
      ['u:alice', us(-35), us(40)],
      ['u:bob', us(-30), us(30)],
    ],
  );
});
