// /stats and /timeseries against the brute-force reference (test/api/reference.ts) on random
// data: visitors, bots, late events (a second batch on another Kafka partition), pages (and none),
// types, referrers, devices, around DST changes; random ranges (whole local days, or instants
// aligned to 15 minutes or not, with microseconds), zones, filters and intervals. The reference
// buckets are found here from Intl's local (date, hour, minute, offset) of each instant, apart
// from api/src/query/buckets.ts, so agreement is not the code checking itself.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { EventRow } from '../../pipeline/src/steps/normalize-event.ts';
import { apiBed, enrichedRow, type ApiBed } from './api-bed.ts';
import { readRaw, refExcludedBots, refStats, refVisits, type RawEvent, type RefQuery, type RefVisit } from './reference.ts';

let bed: ApiBed;
before(async () => {
  bed = await apiBed();
});
after(() => bed.close());

const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kathmandu', 'Australia/Lord_Howe'] as const;
// Four days from each anchor: Berlin's and New York's changes, Lord Howe's both ways, and none.
const ANCHORS = ['2026-03-27', '2026-10-23', '2026-10-30', '2026-04-03', '2026-10-02', '2026-11-16'];
const DAY_MS = 86_400_000;
const QUARTER_MS = 900_000;
const INTERVALS = ['minute', 'hour', 'day', 'week', 'month'] as const;

/** An instant in microseconds as an RFC 3339 UTC date-time with 6 fractional digits. */
const isoUs = (us: number) => `${new Date(Math.floor(us / 1000)).toISOString().slice(0, 19)}.${String(us % 1_000_000).padStart(6, '0')}Z`;

// --- Data ---------------------------------------------------------------------------------------
const eventArb = fc.record({
  gapS: fc.oneof(fc.integer({ min: 0, max: 600 }), fc.integer({ min: 1500, max: 2400 })),
  micros: fc.integer({ min: 0, max: 999_999 }),
  type: fc.constantFrom('page_view', 'page_view', 'page_view', 'click', 'page_unload', 'signup'),
  page: fc.constantFrom('/', '/a', '/b', null),
  referrer: fc.constantFrom(null, null, 'google.com', 'news.example'),
  engaged: fc.integer({ min: 0, max: 20_000 }),
  bot: fc.nat(19).map((n) => n === 0),
});
const burstArb = fc.record({
  visitor: fc.nat(5),
  startMin: fc.integer({ min: 0, max: 4 * 1440 - 1 }),
  late: fc.boolean(),
  events: fc.array(eventArb, { minLength: 1, maxLength: 6 }),
});
const dataArb = fc.record({ anchor: fc.constantFrom(...ANCHORS), bursts: fc.array(burstArb, { minLength: 2, maxLength: 14 }) });
type Data = typeof dataArb extends fc.Arbitrary<infer T> ? T : never;

const VISITOR_BOT = [false, false, false, false, true, false];
const VISITOR_DEVICE = ['desktop', 'mobile', 'desktop', 'tablet', 'desktop', 'mobile'];

function rows(data: Data, projectId: string): { onTime: EventRow[]; late: EventRow[] } {
  const base = Date.parse(`${data.anchor}T00:00:00Z`) * 1000;
  const onTime: EventRow[] = [];
  const late: EventRow[] = [];
  for (const burst of data.bursts) {
    let us = base + burst.startMin * 60_000_000;
    for (const e of burst.events) {
      us += e.gapS * 1_000_000;
      const at = us - (us % 1_000_000) + e.micros;
      (burst.late ? late : onTime).push(
        enrichedRow({
          project_id: projectId,
          visitor_id: `v${burst.visitor}`,
          timestamp: isoUs(at),
          event_type: e.type,
          page_path: e.page,
          referrer_domain: e.referrer,
          device_type: VISITOR_DEVICE[burst.visitor]!,
          is_bot: VISITOR_BOT[burst.visitor]! || e.bot,
          engaged_ms: e.type === 'page_unload' ? e.engaged : null,
        }),
      );
    }
  }
  return { onTime, late };
}

// --- Queries ------------------------------------------------------------------------------------
const filtersArb = fc.oneof(
  fc.constant({}),
  fc.record(
    { page: fc.constantFrom('/', '/a'), event_type: fc.constantFrom('page_view', 'click'), referrer: fc.constantFrom('google.com', '(none)'), device: fc.constantFrom('mobile', 'desktop') },
    { requiredKeys: [] },
  ),
);
const queryArb = fc.record({
  tz: fc.constantFrom(...ZONES),
  days: fc.boolean(),
  firstDay: fc.integer({ min: -1, max: 4 }),
  dayCount: fc.integer({ min: 1, max: 3 }),
  fromQuarter: fc.integer({ min: -96, max: 4 * 96 }),
  fromExtraUs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: QUARTER_MS * 1000 - 1 })),
  lengthUs: fc.oneof(fc.integer({ min: 1, max: 3 * DAY_MS * 1000 }), fc.integer({ min: 1, max: 2 * 96 }).map((q) => q * QUARTER_MS * 1000)),
  interval: fc.constantFrom(...INTERVALS),
  includeBots: fc.boolean(),
  compare: fc.boolean(),
  filters: filtersArb,
});
type Query = typeof queryArb extends fc.Arbitrary<infer T> ? T : never;

// --- Reference local time (Intl) ----------------------------------------------------------------
const formatters = new Map<string, Intl.DateTimeFormat>();
/** Local wall-clock parts and offset of an instant (ms) in tz, read from Intl. */
function local(ms: number, tz: string) {
  let f = formatters.get(tz);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'longOffset' });
    formatters.set(tz, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, hour: p.hour!, minute: p.minute!, wall: `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}`, offset: p.timeZoneName! };
}

/** The bucket key of an instant: instants with equal keys share a bucket (docs/metrics.md § Time buckets). */
function key(ms: number, tz: string, interval: (typeof INTERVALS)[number]): string {
  const l = local(ms, tz);
  switch (interval) {
    case 'minute':
      return `${l.date} ${l.hour}:${l.minute} ${l.offset}`;
    case 'hour':
      return `${l.date} ${l.hour} ${l.offset}`;
    case 'day':
      return l.date;
    case 'week': {
      const day = Date.parse(`${l.date}T00:00:00Z`);
      return new Date(day - ((new Date(day).getUTCDay() + 6) % 7) * DAY_MS).toISOString().slice(0, 10);
    }
    case 'month':
      return l.date.slice(0, 7);
  }
}

/** The reference buckets of [fromUs, toUs): where the key changes, on a grid every offset change and local unit start lies on. */
function refBuckets(fromUs: number, toUs: number, tz: string, interval: (typeof INTERVALS)[number]) {
  const step = interval === 'minute' ? 60_000 : QUARTER_MS;
  let t = Math.floor(fromUs / 1000 / step) * step;
  while (key(t - step, tz, interval) === key(t, tz, interval)) t -= step;
  const starts: number[] = [t];
  for (t += step; t * 1000 < toUs; t += step) if (key(t, tz, interval) !== key(t - step, tz, interval)) starts.push(t);
  return starts.map((start, i) => ({ start, wall: local(start, tz).wall, fromUs: Math.max(start * 1000, fromUs), toUs: Math.min((starts[i + 1] ?? Infinity) * 1000, toUs) }));
}

/** The first instant (ms) of a local date, found on the quarter-hour grid. */
function refDayStart(date: string, tz: string): number {
  let t = Date.parse(`${date}T00:00:00Z`) - 16 * 3_600_000;
  while (local(t, tz).date !== date) t += QUARTER_MS;
  return t;
}

/** compare=previous: as many local days before when both bounds are local day starts, else the same duration before. */
function refPreviousFrom(fromUs: number, toUs: number, tz: string): number {
  const [f, t] = [local(fromUs / 1000, tz).date, local(toUs / 1000, tz).date];
  if (fromUs % 1000 === 0 && toUs % 1000 === 0 && refDayStart(f, tz) * 1000 === fromUs && refDayStart(t, tz) * 1000 === toUs) {
    const days = Math.round((Date.parse(t) - Date.parse(f)) / DAY_MS);
    return refDayStart(new Date(Date.parse(f) - days * DAY_MS).toISOString().slice(0, 10), tz) * 1000;
  }
  return 2 * fromUs - toUs;
}

function parameters(q: Query, anchor: string): { query: Record<string, string | boolean>; fromUs: number; toUs: number } {
  const base = Date.parse(`${anchor}T00:00:00Z`);
  let query: Record<string, string | boolean>;
  let fromUs: number;
  let toUs: number;
  if (q.days) {
    const day = (n: number) => new Date(base + n * DAY_MS).toISOString().slice(0, 10);
    const [first, last] = [day(q.firstDay), day(q.firstDay + q.dayCount - 1)];
    query = { from: first, to: last };
    fromUs = refDayStart(first, q.tz) * 1000;
    toUs = refDayStart(day(q.firstDay + q.dayCount), q.tz) * 1000;
  } else {
    fromUs = (base + q.fromQuarter * QUARTER_MS) * 1000 + q.fromExtraUs;
    toUs = fromUs + q.lengthUs;
    query = { from: isoUs(fromUs), to: isoUs(toUs) };
  }
  query = { ...query, tz: q.tz, include_bots: q.includeBots, ...q.filters };
  return { query, fromUs, toUs };
}

const refQuery = (q: Query, fromUs: number, toUs: number): RefQuery => {
  const { referrer, device, page, event_type } = q.filters as Record<string, string | undefined>;
  return {
    fromUs,
    toUs,
    includeBots: q.includeBots,
    eventFilters: { ...(page !== undefined ? { page } : {}), ...(event_type !== undefined ? { event_type } : {}) },
    visitFilters: { ...(referrer !== undefined ? { referrer } : {}), ...(device !== undefined ? { device } : {}) },
  };
};

async function check(raw: RawEvent[], visits: Map<string, RefVisit>, q: Query, anchor: string): Promise<void> {
  const project = bed.shop.project.id;
  const { query, fromUs, toUs } = parameters(q, anchor);
  const rq = refQuery(q, fromUs, toUs);
  const context = JSON.stringify(query);

  const stats = await bed.get(`/api/v1/projects/${project}/stats`, bed.shop.readKey, { ...query, ...(q.compare ? { compare: 'previous' } : {}) });
  assert.equal(stats.status, 200, `${context} ${JSON.stringify(stats.body)}`);
  assert.deepEqual(stats.body.data, refStats(raw, rq, visits), `stats ${context}`);
  assert.equal(stats.body.meta.bots.excluded_events, refExcludedBots(raw, rq), `bots ${context}`);
  if (q.compare) assert.deepEqual(stats.body.previous, refStats(raw, { ...rq, fromUs: refPreviousFrom(fromUs, toUs, q.tz), toUs: fromUs }, visits), `previous ${context}`);

  const series = await bed.get(`/api/v1/projects/${project}/timeseries`, bed.shop.readKey, { ...query, interval: q.interval });
  assert.equal(series.status, 200, `${context} ${JSON.stringify(series.body)}`);
  const buckets = refBuckets(fromUs, toUs, q.tz, q.interval);
  assert.deepEqual(
    series.body.data.map((b: { bucket: string }) => [b.bucket.slice(0, 19), Date.parse(b.bucket)]),
    buckets.map((b) => [b.wall, b.start]),
    `buckets ${q.interval} ${context}`,
  );
  for (const [i, b] of buckets.entries()) {
    const { visitors, visits: n, pageviews, events, bounce_rate, avg_visit_duration_ms } = refStats(raw, { ...rq, fromUs: b.fromUs, toUs: b.toUs }, visits);
    const { bucket: _, ...got } = series.body.data[i];
    assert.deepEqual(got, { visitors, visits: n, pageviews, events, bounce_rate, avg_visit_duration_ms }, `bucket ${b.wall} ${q.interval} ${context}`);
  }
}

test('stats and time series equal the reference on random data, zones and ranges', async () => {
  await fc.assert(
    fc.asyncProperty(dataArb, fc.array(queryArb, { minLength: 4, maxLength: 4 }), async (data, queries) => {
      await bed.db.pool.query('TRUNCATE analytics_events, analytics_event_ids, visits, visitor_first_seen, event_counts_15m, event_type_counts_15m, visit_counts_15m, event_value_visits_15m');
      const { onTime, late } = rows(data, bed.shop.project.id);
      await bed.store(onTime, 0);
      await bed.store(late, 1);
      const raw = await readRaw(bed.db.pool, bed.shop.project.id);
      assert.equal(raw.length, onTime.length + late.length);
      const visits = refVisits(raw);
      for (const q of queries) await check(raw, visits, q, data.anchor);
    }),
    { numRuns: 12, includeErrorInReport: true },
  );
});
