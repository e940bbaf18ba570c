// GET /breakdown against the real PostgreSQL, on a fixture small enough to count by hand: every
// expected number below was worked out from the events listed here, not by the code under test.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventRow } from '../../pipeline/src/steps/normalize-event.ts';
import { apiBed, enrichedRow, type ApiBed } from './api-bed.ts';

let bed: ApiBed;
let url: string;
let key: string;

// The report's day: 2026-11-19 in Europe/Berlin (the shop's zone) is [11-18T23:00Z, 11-19T23:00Z).
const DAY = { from: '2026-11-19', to: '2026-11-19' };
const at = (hhmmss: string) => `2026-11-19T${hhmmss}Z`;

function event(visitor: string, time: string, type: string, path: string, over: Partial<EventRow> = {}): EventRow {
  return enrichedRow({
    project_id: bed.shop.project.id,
    event_type: type,
    timestamp: time,
    received_at: time,
    page_url: `https://shop.example${path}`,
    page_path: path,
    visitor_id: visitor,
    user_agent: 'Mozilla/5.0',
    ...over,
  });
}

const desktop = (browser: string, os: string) => ({ browser, os, device_type: 'desktop' });

/**
 * Visits of the shop on 2026-11-19 (entry → exit, page views, interactions, engaged, duration):
 *  A  h:v1 10:00 google.com, newsletter, Chrome/Windows desktop: /home → /pricing, 2 pv, 1 click (buy), 5 s, 180 s
 *  B  h:v1 14:00 direct, Chrome/Windows desktop: /pricing → /pricing, 1 pv, unload 3 s: bounced, 5 s
 *  C  h:v2 11:00 google.com, Firefox/Linux desktop: /home → /docs, 2 pv, 2 clicks (buy, signup), 60 s
 *  D  h:v3 12:00 direct, Safari/iOS mobile: /pricing → /pricing, 1 pv, unload 30 s: not bounced, 30 s
 *  E  h:bot 13:00 google.com, bot: /home → /pricing, 2 pv, 1 s
 *  F  h:v5 15:00 server event order_paid on /checkout, no browser, device unknown: 0 pv, 0 s
 *  G  h:v1 23:30 (Nov 20 in Berlin): outside the range
 */
function fixture(): EventRow[] {
  const chrome = desktop('Chrome', 'Windows');
  return [
    event('h:v1', at('10:00:00'), 'page_view', '/home', { ...chrome, referrer_domain: 'google.com', utm_source: 'newsletter' }),
    event('h:v1', at('10:01:00'), 'button_click', '/home', { ...chrome, button_id: 'buy' }),
    event('h:v1', at('10:02:00'), 'page_view', '/pricing', chrome),
    event('h:v1', at('10:03:00'), 'page_unload', '/pricing', { ...chrome, engaged_ms: 5000 }),
    event('h:v1', at('14:00:00'), 'page_view', '/pricing', chrome),
    event('h:v1', at('14:00:05'), 'page_unload', '/pricing', { ...chrome, engaged_ms: 3000 }),
    event('h:v2', at('11:00:00'), 'page_view', '/home', { ...desktop('Firefox', 'Linux'), referrer_domain: 'google.com' }),
    event('h:v2', at('11:00:20'), 'button_click', '/home', { ...desktop('Firefox', 'Linux'), button_id: 'buy' }),
    event('h:v2', at('11:00:30'), 'button_click', '/home', { ...desktop('Firefox', 'Linux'), button_id: 'signup' }),
    event('h:v2', at('11:01:00'), 'page_view', '/docs', desktop('Firefox', 'Linux')),
    event('h:v3', at('12:00:00'), 'page_view', '/pricing', { browser: 'Safari', os: 'iOS', device_type: 'mobile' }),
    event('h:v3', at('12:00:30'), 'page_unload', '/pricing', { browser: 'Safari', os: 'iOS', device_type: 'mobile', engaged_ms: 30_000 }),
    event('h:bot', at('13:00:00'), 'page_view', '/home', { ...desktop('Chrome', 'Linux'), referrer_domain: 'google.com', is_bot: true }),
    event('h:bot', at('13:00:01'), 'page_view', '/pricing', { ...desktop('Chrome', 'Linux'), is_bot: true }),
    event('h:v5', at('15:00:00'), 'order_paid', '/checkout', { device_type: 'unknown', user_agent: null }),
    event('h:v1', at('23:30:00'), 'page_view', '/home', chrome),
  ];
}

before(async () => {
  bed = await apiBed({ now: () => new Date('2026-11-25T12:00:00Z') });
  url = `/api/v1/projects/${bed.shop.project.id}/breakdown`;
  key = bed.shop.readKey;
  assert.equal(await bed.store(fixture()), 16);
  // The other tenant holds the same kind of events: none may show in the shop's rows.
  assert.equal(await bed.store(fixture().map((r) => ({ ...r, project_id: bed.blog.project.id, event_id: crypto.randomUUID() }))), 16);
});
after(async () => {
  await bed?.close();
});

async function rows(query: Record<string, string | number | boolean>) {
  const res = await bed.get(url, key, { ...DAY, limit: 1000, ...query });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.data as Record<string, unknown>[];
}

const visitRow = (value: string | null, visitors: number, visits: number, pageviews: number, bounce: number | null, avgMs: number, perVisit: number) => ({
  value,
  visitors,
  visits,
  pageviews,
  bounce_rate: bounce,
  avg_visit_duration_ms: avgMs,
  views_per_visit: perVisit,
});
const eventRowOf = (value: string | null, events: number, pageviews: number, visitors: number, visits: number) => ({ value, events, pageviews, visitors, visits });

/** Ratios compared to 12 digits: the database computes them in float8 from exact counts. */
function assertRows(actual: Record<string, unknown>[], expected: Record<string, unknown>[]) {
  const round = (r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'number' ? Number(v.toPrecision(12)) : v]));
  assert.deepEqual(actual.map(round), expected.map(round));
}

test('referrer: direct visits are the null row; ordered by visitors, bots left out and counted in meta', async () => {
  const res = await bed.get(url, key, { ...DAY, dimension: 'referrer' });
  assert.equal(res.status, 200);
  assertRows(res.body.data, [
    // B, D, F: visitors v1, v3, v5; page views 1 + 1 + 0; B bounced, F has no page view.
    visitRow(null, 3, 3, 2, 1 / 2, (5000 + 30_000 + 0) / 3, 2 / 3),
    // A and C: two page views each, neither bounced.
    visitRow('google.com', 2, 2, 4, 0, (180_000 + 60_000) / 2, 2),
  ]);
  assert.equal(res.body.total, 2);
  assert.equal(res.body.next_cursor, null);
  assert.equal(res.body.dimension, 'referrer');
  assert.equal(res.body.meta.bots.excluded_events, 2);
  assert.equal(res.body.meta.range.from, '2026-11-19T00:00:00.000+01:00');
});

test('referrer with bots: the bot visit joins google.com, and the tie at 3 visitors puts the null row last', async () => {
  assertRows(await rows({ dimension: 'referrer', include_bots: true }), [
    visitRow('google.com', 3, 3, 6, 0, (180_000 + 60_000 + 1000) / 3, 2),
    visitRow(null, 3, 3, 2, 1 / 2, (5000 + 30_000 + 0) / 3, 2 / 3),
  ]);
});

test('entry and exit pages', async () => {
  assertRows(await rows({ dimension: 'entry_page' }), [
    visitRow('/home', 2, 2, 4, 0, 120_000, 2),
    visitRow('/pricing', 2, 2, 2, 1 / 2, 17_500, 1),
    // F has no page view: no bounce denominator.
    visitRow('/checkout', 1, 1, 0, null, 0, 0),
  ]);
  assertRows(await rows({ dimension: 'exit_page' }), [
    // A, B (v1) and D (v3).
    visitRow('/pricing', 2, 3, 4, 1 / 3, (180_000 + 5000 + 30_000) / 3, 4 / 3),
    visitRow('/checkout', 1, 1, 0, null, 0, 0),
    visitRow('/docs', 1, 1, 2, 0, 60_000, 2),
  ]);
});

test('utm_source, browser, os and device', async () => {
  assertRows(await rows({ dimension: 'utm_source' }), [visitRow(null, 4, 4, 4, 1 / 3, (5000 + 60_000 + 30_000 + 0) / 4, 1), visitRow('newsletter', 1, 1, 2, 0, 180_000, 2)]);
  assert.deepEqual(
    (await rows({ dimension: 'utm_medium' })).map((r) => [r.value, r.visitors, r.visits]),
    [[null, 4, 5]],
  );
  // Every browser has one visitor: the value decides, the null row last.
  assert.deepEqual(
    (await rows({ dimension: 'browser' })).map((r) => [r.value, r.visitors, r.visits]),
    [
      ['Chrome', 1, 2],
      ['Firefox', 1, 1],
      ['Safari', 1, 1],
      [null, 1, 1],
    ],
  );
  assert.deepEqual(
    (await rows({ dimension: 'os' })).map((r) => [r.value, r.visitors]),
    [
      ['Linux', 1],
      ['Windows', 1],
      ['iOS', 1],
      [null, 1],
    ],
  );
  assert.deepEqual(
    (await rows({ dimension: 'device' })).map((r) => [r.value, r.visitors, r.visits, r.pageviews]),
    [
      ['desktop', 2, 3, 5],
      ['mobile', 1, 1, 1],
      ['unknown', 1, 1, 0],
    ],
  );
  assert.deepEqual(await rows({ dimension: 'utm_campaign' }), (await rows({ dimension: 'utm_medium' })));
});

test('page: ordered by page views; visitors and visits distinct over the page\'s events', async () => {
  assert.deepEqual(await rows({ dimension: 'page' }), [
    eventRowOf('/pricing', 6, 3, 2, 3),
    eventRowOf('/home', 5, 2, 2, 2),
    eventRowOf('/docs', 1, 1, 1, 1),
    eventRowOf('/checkout', 1, 0, 1, 1),
  ]);
  assert.deepEqual(await rows({ dimension: 'page', include_bots: true }), [
    eventRowOf('/pricing', 7, 4, 3, 4),
    eventRowOf('/home', 6, 3, 3, 3),
    eventRowOf('/docs', 1, 1, 1, 1),
    eventRowOf('/checkout', 1, 0, 1, 1),
  ]);
});

test('event_type and button_id: ordered by events, ties by value; button_id only for events that carry one', async () => {
  assert.deepEqual(await rows({ dimension: 'event_type' }), [
    eventRowOf('page_view', 6, 6, 3, 4),
    eventRowOf('button_click', 3, 0, 2, 2),
    eventRowOf('page_unload', 3, 0, 2, 3),
    eventRowOf('order_paid', 1, 0, 1, 1),
  ]);
  assert.deepEqual(await rows({ dimension: 'button_id' }), [eventRowOf('buy', 2, 0, 2, 2), eventRowOf('signup', 1, 0, 1, 1)]);
});

test('an event dimension under a visit filter counts the events of the matching visits', async () => {
  // Visits A and C came from google.com: all their events, not only the entry.
  assert.deepEqual(await rows({ dimension: 'page', referrer: 'google.com' }), [
    eventRowOf('/home', 5, 2, 2, 2),
    eventRowOf('/docs', 1, 1, 1, 1),
    eventRowOf('/pricing', 2, 1, 1, 1),
  ]);
  // (none): the direct visits B, D and F.
  assert.deepEqual(await rows({ dimension: 'event_type', referrer: '(none)' }), [
    // A tie at 2 events: page_unload sorts before page_view.
    eventRowOf('page_unload', 2, 0, 2, 2),
    eventRowOf('page_view', 2, 2, 2, 2),
    eventRowOf('order_paid', 1, 0, 1, 1),
  ]);
});

test('a visit dimension under an event filter counts the visits with a matching event', async () => {
  assert.deepEqual(
    (await rows({ dimension: 'referrer', event_type: 'button_click' })).map((r) => [r.value, r.visitors, r.visits, r.pageviews]),
    [['google.com', 2, 2, 4]],
  );
  // Events on /pricing: A (google.com), B and D (direct).
  assert.deepEqual(
    (await rows({ dimension: 'referrer', page: '/pricing' })).map((r) => [r.value, r.visitors, r.visits]),
    [
      [null, 2, 2],
      ['google.com', 1, 1],
    ],
  );
  assert.deepEqual(await rows({ dimension: 'entry_page', browser: 'Firefox' }), [visitRow('/home', 1, 1, 2, 0, 60_000, 2)]);
});

test('an empty breakdown has no rows, total 0 and no cursor', async () => {
  const res = await bed.get(url, key, { ...DAY, dimension: 'page', event_type: 'never_sent' });
  assert.equal(res.status, 200);
  assert.deepEqual([res.body.data, res.body.total, res.body.next_cursor], [[], 0, null]);
});

test('parameters: dimension required and known, limit 1..1000, unknown parameters refused, other tenants 404', async () => {
  const cases: [Record<string, string | number>, string][] = [
    [{}, 'dimension'],
    [{ dimension: 'country' }, 'dimension'],
    [{ dimension: 'page', limit: 0 }, 'limit'],
    [{ dimension: 'page', limit: 1001 }, 'limit'],
    [{ dimension: 'page', offset: 10 }, 'offset'],
    [{ dimension: 'page', cursor: 'not-a-cursor' }, 'cursor'],
  ];
  for (const [query, field] of cases) {
    const res = await bed.get(url, key, query);
    assert.equal(res.status, 400, JSON.stringify(query));
    assert.equal(res.body.error, 'invalid_parameter');
    assert.equal(res.body.errors[0].field, field, JSON.stringify(res.body));
  }
  // An unknown dimension is told which exist.
  const unknown = await bed.get(url, key, { dimension: 'country' });
  for (const value of ['page', 'referrer', 'browser']) assert.match(unknown.body.message, new RegExp(`"${value}"`), unknown.body.message);
  assert.equal((await bed.get(url, bed.blog.readKey, { dimension: 'page' })).status, 404);
  assert.equal((await bed.get(url, undefined, { dimension: 'page' })).status, 401);
  // A missing parameter is called required; a repeated one is said to be repeated.
  assert.equal((await bed.get(url, key, {})).body.message, 'dimension: is required');
  const twice = await bed.app.inject({ method: 'GET', url: `${url}?dimension=page&dimension=os`, headers: { 'x-api-key': key } });
  assert.equal(twice.statusCode, 400);
  assert.deepEqual(twice.json().errors, [{ field: 'dimension', message: 'dimension: was given 2 times; send it once' }]);
  const pages = await bed.app.inject({ method: 'GET', url: `${url}?dimension=page&page=/a&page=/b&page=/c`, headers: { 'x-api-key': key } });
  assert.equal(pages.json().message, 'page: was given 3 times; send it once');
});
