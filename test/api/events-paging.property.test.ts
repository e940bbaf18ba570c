// Property: on random events (timestamps colliding to the microsecond, bots, visits, sessions,
// users, referrers, devices) and random ranges, filters, bot rules and page sizes, paging through
// GET /events gives exactly the counted events of the brute-force reference (test/api/reference.ts),
// newest first by (timestamp, event_id), each once; /visits gives its counted visits newest first;
// a session's journey gives the session's counted events oldest first. Real PostgreSQL, real loader.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { EventRow } from '../../pipeline/src/steps/normalize-event.ts';
import { USER_AGENTS } from '../support/user-agents.ts';
import { apiBed, enrichedRow, type ApiBed } from './api-bed.ts';
import { countedEvents, countedVisits, isoMicros, readRaw, refVisits, type RawEvent, type RefQuery, type RefVisit } from './reference.ts';

const NOW = new Date('2026-11-30T12:00:00Z');
// The default range of the shop (Europe/Berlin) at NOW: the last 7 local days, today included.
const DEFAULT_RANGE = { fromUs: isoMicros('2026-11-23T23:00:00Z'), toUs: NOW.getTime() * 1000 };
const T0_US = isoMicros('2026-11-21T00:00:00Z');
const ALL_TIME = { fromUs: 0, toUs: Number.MAX_SAFE_INTEGER };

const iso = (us: number) => `${new Date(Math.floor(us / 1000)).toISOString().slice(0, 19)}.${String(us % 1_000_000).padStart(6, '0')}Z`;

// Times on a coarse grid (every 6 hours over 10 days), with sub-second offsets that collide:
// many events share a microsecond, neighbours differ by one.
const timeArb = fc.tuple(fc.integer({ min: 0, max: 40 }), fc.constantFrom(0, 0, 0, 1, 2, 999_999)).map(([slot, us]) => T0_US + slot * 6 * 3_600_000_000 + us);
const eventArb = fc.record({
  id: fc.uuid().map((u) => u.toLowerCase()),
  us: timeArb,
  type: fc.constantFrom('page_view', 'page_view', 'button_click', 'custom', 'page_unload'),
  path: fc.constantFrom('/', '/a', '/b?utm_source=mail', '/c?utm_source=ads&utm_medium=cpc'),
  session: fc.constantFrom('s1', 's2', 's3', null),
  user: fc.constantFrom('u1', 'u2', null),
  agent: fc.constantFrom(USER_AGENTS.chromeWindows, USER_AGENTS.chromeWindows, USER_AGENTS.iphone, USER_AGENTS.googlebot),
  referrer: fc.constantFrom(null, null, 'https://www.google.com/', 'https://news.example/x'),
});
const eventsArb = fc.uniqueArray(eventArb, { minLength: 0, maxLength: 60, size: 'large', selector: (e) => e.id });

type Query = Record<string, string | number | boolean>;
const boundArb = fc.option(
  fc.tuple(timeArb, fc.constantFrom(0, 1, -1)).map(([us, d]) => us + d),
  { nil: undefined },
);
const FILTERS: [string, string][] = [
  ['event_type', 'page_view'],
  ['event_type', 'button_click'],
  ['page', '/'],
  ['page', '/b'],
  ['session_id', 's1'],
  ['user_id', 'u1'],
  ['referrer', 'google.com'],
  ['referrer', '(none)'],
  ['device', 'mobile'],
  ['utm_source', 'ads'],
  ['utm_source', '(none)'],
];
// Zero to two filters, so most queries still count events.
const queryArb = fc.record({
  range: fc.option(fc.tuple(boundArb, boundArb), { nil: undefined }),
  include_bots: fc.boolean(),
  filters: fc.uniqueArray(fc.constantFrom(...FILTERS), { maxLength: 2, selector: ([name]) => name }),
  limit: fc.integer({ min: 1, max: 7 }),
});

type GeneratedEvent = typeof eventArb extends fc.Arbitrary<infer T> ? T : never;
type GeneratedQuery = typeof queryArb extends fc.Arbitrary<infer T> ? T : never;

let bed: ApiBed;
let shop: string;
before(async () => {
  bed = await apiBed({ now: () => NOW });
  shop = bed.shop.project.id;
});
after(() => bed.close());

async function replaceEvents(events: readonly GeneratedEvent[]) {
  for (const table of ['analytics_events', 'analytics_event_ids', 'visits', 'visitor_first_seen', 'event_counts_15m', 'event_type_counts_15m', 'visit_counts_15m', 'event_value_visits_15m']) {
    await bed.db.pool.query(`DELETE FROM ${table} WHERE project_id = $1`, [shop]);
  }
  const rows: EventRow[] = events.map((e) =>
    enrichedRow({
      project_id: shop,
      event_id: e.id,
      timestamp: iso(e.us),
      received_at: iso(e.us),
      event_type: e.type,
      page_url: `https://shop.example${e.path}`,
      session_id: e.session,
      user_id: e.user,
      user_agent: e.agent,
      referrer: e.referrer,
    }),
  );
  // Two loads on two shards, as two partitions' loaders would.
  const half = Math.floor(rows.length / 2);
  await bed.store(rows.slice(0, half), 0);
  await bed.store(rows.slice(half), 1);
}

/** Query parameters and the reference query they mean. */
function toQueries(q: GeneratedQuery): { params: Query; ref: RefQuery } | undefined {
  const params: Query = { include_bots: q.include_bots, limit: q.limit };
  const ref: RefQuery = { ...DEFAULT_RANGE, includeBots: q.include_bots, eventFilters: {}, visitFilters: {} };
  for (const [name, value] of q.filters) {
    params[name] = value;
    if (['event_type', 'page', 'session_id', 'user_id'].includes(name)) (ref.eventFilters as Record<string, string>)[name] = value;
    else (ref.visitFilters as Record<string, string>)[name] = value;
  }
  if (q.range !== undefined) {
    const [from, to] = q.range;
    if (from === undefined || to === undefined || from >= to) return undefined;
    params.from = iso(from);
    params.to = iso(to);
    ref.fromUs = from;
    ref.toUs = to;
  }
  return { params, ref };
}

const newestFirst = (a: { us: number; id: string }, b: { us: number; id: string }) => b.us - a.us || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

async function pageAll(url: string, params: Query): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let pages = 0;
  let cursor: string | undefined;
  do {
    const res = await bed.get(url, bed.shop.readKey, { ...params, ...(cursor ? { cursor } : {}) });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.ok(res.body.data.length <= Number(params.limit));
    for (const row of res.body.data) ids.push(row.event_id ?? row.visit_id);
    cursor = res.body.next_cursor ?? undefined;
    pages += 1;
  } while (cursor !== undefined);
  return { ids, pages };
}

test('paging /events, /visits and a session journey equals the reference', async () => {
  await fc.assert(
    fc.asyncProperty(eventsArb, fc.array(queryArb, { minLength: 1, maxLength: 3 }), async (events, queries) => {
      await replaceEvents(events);
      const raw: RawEvent[] = await readRaw(bed.db.pool, shop);
      const visits: Map<string, RefVisit> = refVisits(raw);
      for (const generated of queries) {
        const query = toQueries(generated);
        if (query === undefined) continue;
        const { params, ref } = query;

        const expected = countedEvents(raw, visits, ref).map((e) => ({ us: e.us, id: e.event_id })).sort(newestFirst).map((e) => e.id);
        const got = await pageAll(`/api/v1/projects/${shop}/events`, params);
        assert.deepEqual(got.ids, expected, `/events ${JSON.stringify(params)}`);
        assert.equal(got.pages, Math.max(1, Math.ceil(expected.length / Number(params.limit))), 'no empty last page');

        const expectedVisits = countedVisits(visits, ref).map((v) => ({ us: v.startUs, id: v.visit_id })).sort(newestFirst).map((v) => v.id);
        assert.deepEqual((await pageAll(`/api/v1/projects/${shop}/visits`, params)).ids, expectedVisits, `/visits ${JSON.stringify(params)}`);

        // A journey: all time unless from/to are given, oldest first.
        const { session_id: _session, from: _from, to: _to, ...rest } = params;
        const journeyRef: RefQuery = { ...ref, ...(params.from === undefined ? ALL_TIME : {}), eventFilters: { ...ref.eventFilters, session_id: 's3' } };
        const journeyParams = params.from === undefined ? rest : { ...rest, from: params.from, to: params.to! };
        const expectedJourney = countedEvents(raw, visits, journeyRef).map((e) => ({ us: e.us, id: e.event_id })).sort((a, b) => newestFirst(b, a)).map((e) => e.id);
        const session = await bed.get(`/api/v1/projects/${shop}/sessions/s3`, bed.shop.readKey, { limit: 1 });
        if (!raw.some((e) => e.session_id === 's3')) {
          assert.equal(session.status, 404);
          continue;
        }
        assert.deepEqual((await pageAll(`/api/v1/projects/${shop}/sessions/s3`, journeyParams)).ids, expectedJourney, `/sessions/s3 ${JSON.stringify(journeyParams)}`);
      }
    }),
    { numRuns: Number(process.env.PROPERTY_RUNS ?? 25), endOnFailure: true },
  );
});
