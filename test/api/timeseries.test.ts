// GET /timeseries against hand-computed buckets: Berlin's 23- and 25-hour days (the doubled 02:00
// hour), weeks across a change, Kathmandu's +05:45 days (starting 18:15 UTC), minutes, zero-fill,
// bots, and the parameters' errors.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventRow } from '../../pipeline/src/steps/normalize-event.ts';
import { apiBed, enrichedRow, type ApiBed, type Tenant } from './api-bed.ts';

let bed: ApiBed;

const ev = (tenant: Tenant, visitor: string, at: string, over: Partial<EventRow> = {}) =>
  enrichedRow({ project_id: tenant.project.id, visitor_id: visitor, timestamp: at, page_path: '/', referrer_domain: null, device_type: 'desktop', is_bot: false, ...over });

before(async () => {
  bed = await apiBed();
  const { shop, blog } = bed;
  await bed.store([
    // Berlin, 2026-03-29: 02:00 +01:00 becomes 03:00 +02:00 (at 01:00Z).
    ev(shop, 'F', '2026-03-29T00:30:00Z'), // 01:30 +01:00
    ev(shop, 'G', '2026-03-29T01:10:00Z'), // 03:10 +02:00
    ev(shop, 'H', '2026-03-29T01:20:00Z', { is_bot: true }), // 03:20 +02:00, a bot
    // Berlin, 2026-10-25: 03:00 +02:00 becomes 02:00 +01:00 (at 01:00Z).
    ev(shop, 'I', '2026-10-25T00:30:00Z'), // 02:30 +02:00
    ev(shop, 'J', '2026-10-25T01:30:00Z'), // 02:30 +01:00, bounced, 0 ms
    ev(shop, 'K', '2026-10-25T01:45:00Z'), // 02:45 +01:00: K's visit starts in the second 02:00 hour …
    ev(shop, 'K', '2026-10-25T02:05:00Z', { event_type: 'click' }), // … and its click is at 03:05 +01:00: not bounced, 1 200 000 ms
    // Kathmandu (+05:45): 2026-11-10 is 2026-11-09T18:15Z .. 2026-11-10T18:15Z.
    ev(blog, 'L', '2026-11-09T18:14:59Z'), // 23:59:59 on the 9th
    ev(blog, 'M', '2026-11-09T18:15:00Z'), // 00:00 on the 10th
    ev(blog, 'N', '2026-11-10T18:14:59.999999Z'), // the last microsecond of the 10th
    ev(blog, 'O', '2026-11-10T18:15:00Z'), // 00:00 on the 11th
    // Returning visitors around Berlin's 25-hour 2026-10-25 (docs/metrics.md § Which rows serve a report).
    ev(blog, 'R', '2026-10-23T06:00:00Z'), // 10-23 08:00 +02:00
    ev(blog, 'R', '2026-10-23T08:00:00Z'), // 2 h later, the same day: a repeat
    ev(blog, 'R', '2026-10-24T07:00:00Z'), // 23 h later, the next day: R's first of the 24th
    ev(blog, 'R', '2026-10-24T20:00:00Z'), // the same day again: a repeat
    ev(blog, 'R', '2026-10-24T22:30:00Z'), // 10-25 00:30 +02:00, 2.5 h later: R's first of the 25th
    ev(blog, 'R', '2026-10-25T22:45:00Z'), // 10-25 23:45 +01:00, 24 h 15 min later, still the 25th: a repeat
    ev(blog, 'W', '2026-10-22T21:30:00Z'), // 10-22 23:30 +02:00, before the range
    ev(blog, 'W', '2026-10-23T23:00:00Z'), // 10-24 01:00 +02:00, 25.5 h later: W's first of the 24th
  ]);
});
after(() => bed.close());

const series = async (tenant: Tenant, query: Record<string, string | boolean>) => {
  const answer = await bed.get(`/api/v1/projects/${tenant.project.id}/timeseries`, tenant.readKey, query);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body;
};
const ZERO = { visitors: 0, visits: 0, pageviews: 0, events: 0, bounce_rate: null, avg_visit_duration_ms: null };
const ONE_BOUNCE = { visitors: 1, visits: 1, pageviews: 1, events: 1, bounce_rate: 1, avg_visit_duration_ms: 0 };

describe('GET /timeseries', () => {
  test('Berlin spring day: 23 hours, no 02:00 bucket; the bot left out', async () => {
    const body = await series(bed.shop, { from: '2026-03-29', to: '2026-03-29', interval: 'hour' });
    assert.equal(body.data.length, 23);
    assert.equal(body.interval, 'hour');
    assert.deepEqual(body.data[0], { bucket: '2026-03-29T00:00:00.000+01:00', ...ZERO });
    assert.deepEqual(body.data[1], { bucket: '2026-03-29T01:00:00.000+01:00', ...ONE_BOUNCE });
    assert.deepEqual(body.data[2], { bucket: '2026-03-29T03:00:00.000+02:00', ...ONE_BOUNCE });
    assert.equal(body.data[22].bucket, '2026-03-29T23:00:00.000+02:00');
    assert.equal(body.data.reduce((sum: number, b: { events: number }) => sum + b.events, 0), 2);
    assert.deepEqual(body.meta.bots, { included: false, excluded_events: 1 });
    const bots = await series(bed.shop, { from: '2026-03-29', to: '2026-03-29', interval: 'hour', include_bots: true });
    assert.deepEqual(bots.data[2], { bucket: '2026-03-29T03:00:00.000+02:00', visitors: 2, visits: 2, pageviews: 2, events: 2, bounce_rate: 1, avg_visit_duration_ms: 0 });
  });

  test('Berlin autumn day: 25 hours, 02:00 twice with its two offsets', async () => {
    const body = await series(bed.shop, { from: '2026-10-25', to: '2026-10-25' });
    assert.equal(body.interval, 'hour', 'default for a day');
    assert.equal(body.data.length, 25);
    assert.deepEqual(body.data[2], { bucket: '2026-10-25T02:00:00.000+02:00', ...ONE_BOUNCE });
    // J bounced (0 ms), K did not (20 minutes).
    assert.deepEqual(body.data[3], { bucket: '2026-10-25T02:00:00.000+01:00', visitors: 2, visits: 2, pageviews: 2, events: 2, bounce_rate: 0.5, avg_visit_duration_ms: 600_000 });
    // K's click: an event in the bucket, its visit counted where it started.
    assert.deepEqual(body.data[4], { bucket: '2026-10-25T03:00:00.000+01:00', ...ZERO, events: 1 });
    assert.equal(body.data[24].bucket, '2026-10-25T23:00:00.000+01:00');
  });

  test('days and Monday weeks across the changes', async () => {
    const days = await series(bed.shop, { from: '2026-03-28', to: '2026-03-30', interval: 'day' });
    assert.deepEqual(days.data.map((b: { bucket: string; events: number }) => [b.bucket, b.events]), [
      ['2026-03-28T00:00:00.000+01:00', 0],
      ['2026-03-29T00:00:00.000+01:00', 2],
      ['2026-03-30T00:00:00.000+02:00', 0],
    ]);
    const weeks = await series(bed.shop, { from: '2026-10-19', to: '2026-11-01', interval: 'week' });
    assert.deepEqual(weeks.data, [
      { bucket: '2026-10-19T00:00:00.000+02:00', visitors: 3, visits: 3, pageviews: 3, events: 4, bounce_rate: 2 / 3, avg_visit_duration_ms: 400_000 },
      { bucket: '2026-10-26T00:00:00.000+01:00', ...ZERO },
    ]);
    // The spring week lasts 167 hours; F and G bounced with 0 ms each.
    const spring = await series(bed.shop, { from: '2026-03-23', to: '2026-04-05', interval: 'week' });
    assert.deepEqual(spring.data, [
      { bucket: '2026-03-23T00:00:00.000+01:00', visitors: 2, visits: 2, pageviews: 2, events: 2, bounce_rate: 1, avg_visit_duration_ms: 0 },
      { bucket: '2026-03-30T00:00:00.000+02:00', ...ZERO },
    ]);
    const defaulted = await series(bed.shop, { from: '2026-10-19', to: '2026-11-01' });
    assert.equal(defaulted.interval, 'day');
    assert.equal(defaulted.data.length, 14);
  });

  test('visitors of a day are its visits less the visits whose visitor came earlier that day, a 25-hour day too', async () => {
    const counts = (body: { data: { bucket: string; visitors: number; visits: number; events: number }[] }) => body.data.map((b) => [b.bucket, b.visitors, b.visits, b.events]);
    const expected = [
      ['2026-10-23T00:00:00.000+02:00', 1, 2, 2],
      ['2026-10-24T00:00:00.000+02:00', 2, 3, 3],
      ['2026-10-25T00:00:00.000+02:00', 1, 2, 2],
    ];
    // Without bots: visits less repeats over visits_near_repeat_idx; with them, a count per day of
    // first visits; with a filter, distinct visitor ids of the raw visits. One answer.
    assert.deepEqual(counts(await series(bed.blog, { tz: 'Europe/Berlin', from: '2026-10-23', to: '2026-10-25', interval: 'day' })), expected);
    assert.deepEqual(counts(await series(bed.blog, { tz: 'Europe/Berlin', from: '2026-10-23', to: '2026-10-25', interval: 'day', include_bots: true })), expected);
    assert.deepEqual(counts(await series(bed.blog, { tz: 'Europe/Berlin', from: '2026-10-23', to: '2026-10-25', interval: 'day', device: 'desktop' })), expected);
  });

  test('Kathmandu days start at 18:15 UTC; hours at :15; minutes', async () => {
    const days = await series(bed.blog, { from: '2026-11-09', to: '2026-11-11', interval: 'day' });
    assert.deepEqual(days.data.map((b: { bucket: string; events: number; visits: number }) => [b.bucket, b.events, b.visits]), [
      ['2026-11-09T00:00:00.000+05:45', 1, 1],
      ['2026-11-10T00:00:00.000+05:45', 2, 2],
      ['2026-11-11T00:00:00.000+05:45', 1, 1],
    ]);
    const hours = await series(bed.blog, { from: '2026-11-10', to: '2026-11-10', interval: 'hour' });
    assert.equal(hours.data.length, 24);
    assert.deepEqual(hours.data[0], { bucket: '2026-11-10T00:00:00.000+05:45', ...ONE_BOUNCE });
    assert.deepEqual(hours.data[23], { bucket: '2026-11-10T23:00:00.000+05:45', ...ONE_BOUNCE });
    const minutes = await series(bed.blog, { from: '2026-11-10T23:58', to: '2026-11-11T00:01', interval: 'minute' });
    assert.deepEqual(minutes.data.map((b: { bucket: string; events: number }) => [b.bucket, b.events]), [
      ['2026-11-10T23:58:00.000+05:45', 0],
      ['2026-11-10T23:59:00.000+05:45', 1],
      ['2026-11-11T00:00:00.000+05:45', 1],
    ]);
  });

  test('another zone than the project: the same events in UTC days', async () => {
    const days = await series(bed.blog, { from: '2026-11-09', to: '2026-11-10', interval: 'day', tz: 'UTC' });
    assert.deepEqual(days.data.map((b: { bucket: string; events: number }) => [b.bucket, b.events]), [
      ['2026-11-09T00:00:00.000Z', 2],
      ['2026-11-10T00:00:00.000Z', 2],
    ]);
  });

  test('400 names the parameter: interval (unknown, too many buckets), tz, from', async () => {
    const url = `/api/v1/projects/${bed.shop.project.id}/timeseries`;
    for (const [query, field] of [
      [{ interval: 'fortnight' }, 'interval'],
      [{ from: '2026-01-01', to: '2026-12-31', interval: 'minute' }, 'interval'],
      [{ tz: 'Europe/Atlantis' }, 'tz'],
      [{ from: 'yesterday' }, 'from'],
    ] as const) {
      const answer = await bed.get(url, bed.shop.readKey, query);
      assert.equal(answer.status, 400, JSON.stringify(query));
      assert.equal(answer.body.error, 'invalid_parameter');
      assert.equal(answer.body.errors[0].field, field);
    }
  });
});
