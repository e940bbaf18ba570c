// POST /funnels against the brute-force reference (test/api/reference-funnel.ts) on random data:
// a few visitors (some signed in, one a bot) with bursts of events of few types, so steps repeat,
// events share a microsecond, windows close mid-way and visits split; random steps (repeated
// definitions, pages, metadata), order, unit, window, range, clock (open windows), filters and
// breakdowns.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { EventRow } from '../../pipeline/src/steps/normalize-event.ts';
import type { FunnelBody } from '../../api/src/query/funnel-query.ts';
import { runFunnel } from '../../api/src/routes/funnels.ts';
import { apiBed, enrichedRow, type ApiBed } from './api-bed.ts';
import { readMetadata, refFunnel, type RefFunnelQuery, type RefStep } from './reference-funnel.ts';
import { readRaw, refVisits } from './reference.ts';

let bed: ApiBed;
let nowMs = 0;
before(async () => {
  bed = await apiBed({ now: () => new Date(nowMs) });
});
after(() => bed.close());

const BASE_US = Date.parse('2026-11-19T00:00:00Z') * 1000;
const MINUTE_US = 60_000_000;
const isoUs = (us: number) => `${new Date(Math.floor(us / 1000)).toISOString().slice(0, 19)}.${String(us % 1_000_000).padStart(6, '0')}Z`;

const eventArb = fc.record({
  gapS: fc.oneof(fc.constant(0), fc.constantFrom(300, 1800), fc.integer({ min: 1, max: 900 }), fc.integer({ min: 1900, max: 4000 })),
  micros: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 999_999 })),
  type: fc.constantFrom('a', 'a', 'b', 'b', 'c', 'x'),
  page: fc.constantFrom('/', '/p', null),
  plan: fc.constantFrom(null, 'pro', 'free'),
  button: fc.constantFrom(null, null, 'buy', 'pay'),
});
const burstArb = fc.record({ visitor: fc.nat(11), startMin: fc.integer({ min: -60, max: 5 * 60 }), events: fc.array(eventArb, { minLength: 2, maxLength: 10 }) });
const dataArb = fc.array(burstArb, { minLength: 10, maxLength: 30 });
type Data = typeof dataArb extends fc.Arbitrary<infer T> ? T : never;

const USERS = ['user-0', 'user-1', null, null, null, null, 'user-6', 'user-7', 'user-8', null, null, null];
const REFERRERS = ['google.com', null, 'news.example', null, 'google.com', null, null, 'google.com', null, 'news.example', null, null];
const DEVICES = ['desktop', 'mobile', 'desktop', 'tablet', 'mobile', 'desktop', 'mobile', 'desktop', 'desktop', 'tablet', 'mobile', 'desktop'];

function rows(data: Data, projectId: string): EventRow[] {
  const out: EventRow[] = [];
  for (const burst of data) {
    let us = BASE_US + burst.startMin * MINUTE_US;
    for (const e of burst.events) {
      us += e.gapS * 1_000_000;
      const at = us - (us % 1_000_000) + e.micros;
      const user = USERS[burst.visitor]!;
      out.push(
        enrichedRow({
          project_id: projectId,
          visitor_id: user !== null ? `u:${user}` : `h:v${burst.visitor}`,
          user_id: user,
          timestamp: isoUs(at),
          event_type: e.type,
          page_url: `https://site.example${e.page ?? ''}`,
          page_path: e.page,
          button_id: e.button,
          metadata: e.plan === null ? '{}' : JSON.stringify({ plan: e.plan }),
          referrer_domain: REFERRERS[burst.visitor]!,
          device_type: DEVICES[burst.visitor]!,
          is_bot: burst.visitor === 11,
        }),
      );
    }
  }
  return out;
}

const typeArb = fc.constantFrom('a', 'b', 'c');
const stepArb: fc.Arbitrary<RefStep> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ event_type: typeArb }) },
  { weight: 1, arbitrary: fc.record({ event_type: typeArb, page: fc.constantFrom('/', '/p') }) },
  // Buttons: read by the button index when every step of the type names one (funnel-reads.ts);
  // mostly on type c, so that two steps of one type often name two buttons.
  { weight: 3, arbitrary: fc.record({ event_type: fc.constantFrom('c', 'c', 'c', 'b'), button_id: fc.constantFrom('buy', 'pay') }) },
  { weight: 1, arbitrary: fc.record({ event_type: typeArb, page: fc.constantFrom('/', '/p'), button_id: fc.constantFrom('buy', 'pay') }) },
  { weight: 1, arbitrary: fc.record({ event_type: typeArb, metadata: fc.constantFrom({ plan: 'pro' }, { plan: 'free' }) }) },
);
const queryArb = fc.record({
  steps: fc.array(stepArb, { minLength: 2, maxLength: 4 }),
  order: fc.constantFrom('ordered' as const, 'strict' as const),
  unit: fc.constantFrom('visit' as const, 'visitor' as const, 'user' as const),
  windowMin: fc.constantFrom(5, 30, 120, 600),
  fromMin: fc.integer({ min: -30, max: 3 * 60 }),
  lengthMin: fc.oneof({ weight: 1, arbitrary: fc.integer({ min: 1, max: 60 }) }, { weight: 4, arbitrary: fc.integer({ min: 120, max: 10 * 60 }) }),
  nowAfterToMin: fc.integer({ min: 0, max: 700 }),
  includeBots: fc.boolean(),
  filter: fc.constantFrom({}, {}, {}, { device: 'desktop' }, { referrer: '(none)' }, { page: '/p' }),
  breakdown: fc.constantFrom(undefined, 'referrer' as const, 'device' as const),
  // The route splits the units into the default number of statements; also 1 (one statement) and 3.
  parts: fc.constantFrom(1, 3),
});

const byValue = (a: { value: string | null }, b: { value: string | null }) => String(a.value).localeCompare(String(b.value));

test('funnels equal the brute-force reference on random data', async () => {
  await fc.assert(
    fc.asyncProperty(dataArb, fc.array(queryArb, { minLength: 5, maxLength: 5 }), async (data, queries) => {
      await bed.db.pool.query('TRUNCATE analytics_events, analytics_event_ids, visits, visitor_first_seen, event_counts_15m');
      const stored = rows(data, bed.shop.project.id);
      assert.equal(await bed.store(stored), stored.length);
      const raw = await readRaw(bed.db.pool, bed.shop.project.id);
      const visits = refVisits(raw);
      const metadata = await readMetadata(bed.db.pool, bed.shop.project.id);
      for (const q of queries) {
        const fromUs = BASE_US + q.fromMin * MINUTE_US;
        const toUs = fromUs + q.lengthMin * MINUTE_US;
        nowMs = (toUs + q.nowAfterToMin * MINUTE_US) / 1000;
        const { device, referrer, page } = q.filter as Record<string, string | undefined>;
        const ref: RefFunnelQuery = {
          fromUs,
          toUs,
          includeBots: q.includeBots,
          eventFilters: page !== undefined ? { page } : {},
          visitFilters: { ...(device !== undefined ? { device } : {}), ...(referrer !== undefined ? { referrer } : {}) },
          steps: q.steps,
          order: q.order,
          unit: q.unit,
          windowUs: q.windowMin * MINUTE_US,
          nowUs: nowMs * 1000,
          ...(q.breakdown !== undefined ? { breakdown: q.breakdown } : {}),
        };
        const body = { from: isoUs(fromUs), to: isoUs(toUs), tz: 'UTC', include_bots: q.includeBots, ...q.filter, steps: q.steps, order: q.order, unit: q.unit, window: `PT${q.windowMin}M`, ...(q.breakdown !== undefined ? { breakdown: q.breakdown } : {}) };
        const res = await bed.app.inject({ method: 'POST', url: `/api/v1/projects/${bed.shop.project.id}/funnels`, headers: { 'x-api-key': bed.shop.readKey }, payload: body });
        assert.equal(res.statusCode, 200, res.body);
        const got = res.json().data;
        const want = refFunnel(raw, visits, metadata, ref);
        const strip = (steps: object[]) => steps.map((s) => Object.fromEntries(Object.entries(s).filter(([k]) => k !== "label")));
        const context = JSON.stringify(body);
        const split = (await runFunnel(bed.queryPool, body as FunnelBody, bed.shop.project, new Date(nowMs), q.parts)).data;
        const groups = (g: { value: string | null; steps: object[] }[]) => g.map((x) => ({ value: x.value, steps: strip(x.steps) })).sort(byValue);
        for (const [answer, how] of [[got, 'route'], [split, `${q.parts} part(s)`]] as const) {
          assert.deepEqual(strip(answer.steps), want.steps, `${how} ${context}`);
          if (q.breakdown !== undefined) assert.deepEqual(groups(answer.breakdown!), groups(want.breakdown!), `${how} breakdown ${context}`);
        }
      }
    }),
    { numRuns: 25, includeErrorInReport: true },
  );
});
