// GET /realtime against the real PostgreSQL at a fixed clock: the 5-minute edge of current
// visitors, bots, filters, the 30 zero-filled minutes and the top pages, counted by hand.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventRow } from '../../pipeline/src/steps/normalize-event.ts';
import { eventsPerMinute, realtimeWindow } from '../../api/src/query/realtime-sql.ts';
import { apiBed, enrichedRow, type ApiBed } from './api-bed.ts';

// Now: 12:00:30.500 UTC. The current minute is 12:00, the first of the 30 is 11:31.
const NOW = new Date('2026-11-20T12:00:30.500Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();
const SEC = 1000;
const MIN = 60 * SEC;

let bed: ApiBed;
let url: string;

function event(visitor: string, time: string, path: string, over: Partial<EventRow> = {}): EventRow {
  return enrichedRow({ project_id: bed.shop.project.id, timestamp: time, received_at: time, page_url: `https://shop.example${path}`, page_path: path, visitor_id: visitor, ...over });
}

before(async () => {
  bed = await apiBed({ now: () => NOW });
  url = `/api/v1/projects/${bed.shop.project.id}/realtime`;
  const rows = [
    event('h:v1', ago(4 * MIN + 59 * SEC), '/home', { device_type: 'mobile' }), // 11:55:31.5: current
    event('h:v2', ago(5 * MIN + SEC), '/pricing'), // 11:55:29.5: not current, same minute
    event('h:v3', ago(2 * MIN), '/pricing', { device_type: 'mobile' }), // 11:58:30.5
    event('h:v4', ago(10 * SEC), '/pricing', { event_type: 'button_click', button_id: 'buy' }), // 12:00:20.5
    event('h:v4', NOW.toISOString(), '/pricing'), // exactly now: counted
    event('h:bot', ago(MIN), '/home', { is_bot: true }), // 11:59:30.5: a bot
    event('h:v5', '2026-11-20T11:31:00.000Z', '/old'), // the first minute's first instant
    event('h:v6', '2026-11-20T11:30:59.999Z', '/older'), // just before the window
    event('h:v7', ago(-SEC), '/future'), // a second after now: not yet
  ];
  assert.equal(await bed.store(rows), rows.length);
  // Another tenant's visitors now are not the shop's.
  await bed.store([{ ...event('h:v1', ago(SEC), '/home'), project_id: bed.blog.project.id }]);
});
after(async () => {
  await bed?.close();
});

test('current visitors: an event 4:59 ago counts, 5:01 ago does not, bots only when included; top pages by visitors', async () => {
  const res = await bed.get(url, bed.shop.readKey);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  // v1 (4:59 ago), v3, v4.
  assert.equal(res.body.current_visitors, 3);
  assert.deepEqual(res.body.top_pages, [
    { page: '/pricing', visitors: 2 },
    { page: '/home', visitors: 1 },
  ]);
  assert.deepEqual(res.body.window, { now: '2026-11-20T12:00:30.500Z', current_visitors_since: '2026-11-20T11:55:30.500Z' });
  assert.equal(res.body.meta.bots.excluded_events, 1);
  assert.equal(res.body.meta.range.from, '2026-11-20T12:31:00.000+01:00');

  const withBots = await bed.get(url, bed.shop.readKey, { include_bots: true });
  assert.equal(withBots.body.current_visitors, 4);
  assert.deepEqual(withBots.body.top_pages, [
    { page: '/home', visitors: 2 },
    { page: '/pricing', visitors: 2 },
  ]);
});

test('events per minute: 30 UTC minutes, the current one last, zero-filled', async () => {
  const res = await bed.get(url, bed.shop.readKey);
  const perMinute = res.body.events_per_minute as { minute: string; events: number }[];
  assert.equal(perMinute.length, 30);
  assert.equal(perMinute[0]!.minute, '2026-11-20T11:31:00.000Z');
  assert.equal(perMinute[29]!.minute, '2026-11-20T12:00:00.000Z');
  const nonZero = Object.fromEntries(perMinute.filter((m) => m.events > 0).map((m) => [m.minute.slice(11, 16), m.events]));
  assert.deepEqual(nonZero, { '11:31': 1, '11:55': 2, '11:58': 1, '12:00': 2 });
  assert.equal(
    perMinute.reduce((sum, m) => sum + m.events, 0),
    6,
  );
});

test('filters apply; from and to are ignored', async () => {
  const mobile = await bed.get(url, bed.shop.readKey, { device: 'mobile' });
  assert.equal(mobile.status, 200, JSON.stringify(mobile.body));
  assert.equal(mobile.body.current_visitors, 2);
  assert.deepEqual(mobile.body.top_pages, [
    { page: '/home', visitors: 1 },
    { page: '/pricing', visitors: 1 },
  ]);
  const clicks = await bed.get(url, bed.shop.readKey, { event_type: 'button_click' });
  assert.equal(clicks.body.current_visitors, 1);
  assert.equal(clicks.body.events_per_minute.filter((m: { events: number }) => m.events > 0).length, 1);
  const ranged = await bed.get(url, bed.shop.readKey, { from: '2020-01-01', to: '2020-01-02' });
  assert.equal(ranged.status, 200);
  assert.equal(ranged.body.current_visitors, 3);
  assert.equal(ranged.body.meta.range.from, '2026-11-20T12:31:00.000+01:00');
  assert.equal((await bed.get(url, bed.blog.readKey)).status, 404);
  assert.equal((await bed.get(url, bed.shop.readKey, { tz: 'Mars/Olympus' })).body.errors[0].field, 'tz');
});

test('the window at a minute boundary and zero-fill of counts', () => {
  const w = realtimeWindow(new Date('2026-11-20T12:00:00.000Z'));
  assert.equal(w.minutes.length, 30);
  assert.equal(w.minutes[0]!.toISOString(), '2026-11-20T11:31:00.000Z');
  assert.equal(w.range.toSql, '2026-11-20T12:00:00.000001Z');
  assert.deepEqual(eventsPerMinute(w, [{ minute: Date.parse('2026-11-20T11:31:00Z'), events: 4 }]).slice(0, 2), [
    { minute: '2026-11-20T11:31:00.000Z', events: 4 },
    { minute: '2026-11-20T11:32:00.000Z', events: 0 },
  ]);
});
