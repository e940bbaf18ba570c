// GET /events against the real PostgreSQL, hand fixtures: newest first with the event_id
// tiebreak inside one microsecond, timestamps and metadata exactly as stored, paging that
// yields every counted event once (also while events arrive), filters and bots, cursors of
// other lists refused, limit bounds, other tenants' events never listed, and the plan: the
// index (project_id, "timestamp", event_id) serves order and cursor without a sort.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventPageSql } from '../../api/src/query/event-list-sql.ts';
import { parseReportQuery } from '../../api/src/query/report-query.ts';
import { SqlParams } from '../../api/src/query/sql-params.ts';
import type { EventRow } from '../../pipeline/src/steps/normalize-event.ts';
import { USER_AGENTS } from '../support/user-agents.ts';
import { apiBed, enrichedRow, type ApiBed } from './api-bed.ts';

const NOW = new Date('2026-11-30T12:00:00Z');
const SAME = '2026-11-28T09:30:00.123456Z';
const ID = {
  low: '00000000-0000-4000-8000-000000000001',
  mid: '7fffffff-0000-4000-8000-000000000000',
  high: 'ffffffff-0000-4000-8000-000000000000',
  after: '11111111-0000-4000-8000-000000000000',
  before: 'eeeeeeee-0000-4000-8000-000000000000',
  mobile: '22222222-0000-4000-8000-000000000000',
  bot: '33333333-0000-4000-8000-000000000000',
  old: '44444444-0000-4000-8000-000000000000',
};
const METADATA = '{"plan":"pro","cart":{"items":[{"sku":"A-1","qty":2,"price":19.99}],"coupon":null},"ok":true,"n":-0.5,"text":"é😀 \\"quoted\\"\\ttab","empty":{},"list":[]}';

let bed: ApiBed;
let shopRow: (over: Partial<EventRow>) => EventRow;
let blogRow: (over: Partial<EventRow>) => EventRow;
const url = (project: string) => `/api/v1/projects/${project}/events`;

before(async () => {
  bed = await apiBed({ now: () => NOW });
  shopRow = (over) => enrichedRow({ project_id: bed.shop.project.id, user_agent: USER_AGENTS.chromeWindows, session_id: 's-alice', ...over });
  blogRow = (over) => enrichedRow({ project_id: bed.blog.project.id, user_agent: USER_AGENTS.chromeWindows, session_id: 's-blog', ...over });
  await bed.store([
    // Stored out of order and in two transactions: the answer's order is the database's, not the insertion's.
    shopRow({ event_id: ID.mid, timestamp: SAME, received_at: '2026-11-28T09:30:01.000007Z', event_type: 'page_view', page_url: 'https://shop.example/cart?x=1', page_title: 'Cart', metadata: METADATA, screen_width: 1440 }),
    shopRow({ event_id: ID.before, timestamp: '2026-11-28T09:30:00.123455Z', event_type: 'button_click', button_id: 'buy', page_url: 'https://shop.example/cart' }),
    shopRow({ event_id: ID.high, timestamp: SAME, event_type: 'custom', page_url: 'https://shop.example/cart' }),
    shopRow({ event_id: ID.old, timestamp: '2026-11-10T10:00:00Z', page_url: 'https://shop.example/old' }),
  ]);
  await bed.store(
    [
      shopRow({ event_id: ID.low, timestamp: SAME, event_type: 'custom', page_url: 'https://shop.example/cart' }),
      shopRow({ event_id: ID.after, timestamp: '2026-11-28T09:30:00.123457Z', event_type: 'page_unload', page_url: 'https://shop.example/cart', metadata: '{"time_on_page":4200}' }),
      shopRow({ event_id: ID.mobile, timestamp: '2026-11-27T08:00:00.000001Z', user_agent: USER_AGENTS.iphone, session_id: 's-bob', page_url: 'https://shop.example/', referrer: 'https://www.google.com/search' }),
      shopRow({ event_id: ID.bot, timestamp: '2026-11-29T10:00:00.999999Z', user_agent: USER_AGENTS.googlebot, session_id: 's-bot', page_url: 'https://shop.example/' }),
      blogRow({ timestamp: SAME }),
    ],
    1,
  );
});
after(() => bed.close());

const ids = (body: { data: { event_id: string }[] }) => body.data.map((e) => e.event_id);
const DEFAULT_ORDER = [ID.after, ID.high, ID.mid, ID.low, ID.before, ID.mobile];

async function pageThrough(project: string, key: string, query: Record<string, string | number | boolean>): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | undefined;
  do {
    const res = await bed.get(url(project), key, { ...query, ...(cursor ? { cursor } : {}) });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    pages.push(ids(res.body));
    cursor = res.body.next_cursor ?? undefined;
    assert.ok(pages.length < 100, 'paging ends');
  } while (cursor !== undefined);
  return pages;
}

describe('order and values', () => {
  test('newest first; one microsecond apart keeps time order, the same microsecond orders by event_id; bots and old events left out', async () => {
    const res = await bed.get(url(bed.shop.project.id), bed.shop.readKey);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(ids(res.body), DEFAULT_ORDER);
    assert.equal(res.body.next_cursor, null);
    assert.equal(res.body.meta.project.id, bed.shop.project.id);
    assert.equal(res.body.meta.bots.excluded_events, 1);
  });

  test('every field exactly as stored: microsecond timestamps, enrichment, the metadata object', async () => {
    const res = await bed.get(url(bed.shop.project.id), bed.shop.readKey, { from: SAME, to: '2026-11-28T09:30:00.123457Z' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(ids(res.body), [ID.high, ID.mid, ID.low], 'bounds are exact to the microsecond: from inclusive, to exclusive');
    const { rows } = await bed.db.pool.query(`SELECT visitor_id, visit_id::text FROM analytics_events WHERE event_id = $1`, [ID.mid]);
    assert.deepEqual(res.body.data[1], {
      event_id: ID.mid,
      event_type: 'page_view',
      timestamp: SAME,
      received_at: '2026-11-28T09:30:01.000007Z',
      session_id: 's-alice',
      user_id: null,
      visitor_id: rows[0].visitor_id,
      visit_id: rows[0].visit_id,
      page_url: 'https://shop.example/cart?x=1',
      page_path: '/cart',
      page_title: 'Cart',
      button_id: null,
      referrer: null,
      referrer_domain: null,
      utm_source: null,
      utm_medium: null,
      utm_campaign: null,
      utm_term: null,
      utm_content: null,
      browser: 'Chrome',
      os: 'Windows',
      device_type: 'desktop',
      screen_width: 1440,
      is_bot: false,
      engaged_ms: null,
      metadata: JSON.parse(METADATA),
    });
    assert.ok(rows[0].visit_id !== null && rows[0].visitor_id !== null);
    const unload = await bed.get(url(bed.shop.project.id), bed.shop.readKey, { event_type: 'page_unload' });
    assert.equal(unload.body.data[0].engaged_ms, 4200);
    assert.equal(unload.body.data[0].timestamp, '2026-11-28T09:30:00.123457Z');
  });
});

describe('paging', () => {
  test('every page size pages through every counted event exactly once, in order', async () => {
    for (const limit of [1, 2, 3, 5, 6, 7]) {
      const pages = await pageThrough(bed.shop.project.id, bed.shop.readKey, { limit });
      assert.deepEqual(pages.flat(), DEFAULT_ORDER, `limit ${limit}`);
      assert.ok(pages.every((p) => p.length <= limit));
      assert.equal(pages.length, Math.max(1, Math.ceil(DEFAULT_ORDER.length / limit)), `limit ${limit}: no empty last page`);
    }
  });

  test('with filters and bots too', async () => {
    const all = await pageThrough(bed.shop.project.id, bed.shop.readKey, { limit: 2, include_bots: true });
    assert.deepEqual(all.flat(), [ID.bot, ...DEFAULT_ORDER]);
    const custom = await pageThrough(bed.shop.project.id, bed.shop.readKey, { limit: 1, event_type: 'custom' });
    assert.deepEqual(custom.flat(), [ID.high, ID.low]);
  });
});

describe('filters and bots', () => {
  const cases: [string, Record<string, string | boolean>, string[]][] = [
    ['event_type', { event_type: 'button_click' }, [ID.before]],
    ['page (page_path)', { page: '/' }, [ID.mobile]],
    ['session_id', { session_id: 's-bob' }, [ID.mobile]],
    ['device (the visit’s)', { device: 'mobile' }, [ID.mobile]],
    ['referrer (the visit’s)', { referrer: 'google.com' }, [ID.mobile]],
    ['referrer (none): direct visits', { referrer: '(none)' }, [ID.after, ID.high, ID.mid, ID.low, ID.before]],
    ['include_bots', { include_bots: true }, [ID.bot, ...DEFAULT_ORDER]],
    ['bots and a filter', { include_bots: true, page: '/' }, [ID.bot, ID.mobile]],
    ['a range that holds the old event', { from: '2026-11-01', to: '2026-11-15' }, [ID.old]],
    ['no match', { event_type: 'nothing' }, []],
  ];
  for (const [name, query, expected] of cases) {
    test(name, async () => {
      const res = await bed.get(url(bed.shop.project.id), bed.shop.readKey, query);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(ids(res.body), expected);
    });
  }
  test('meta says whether bots were counted', async () => {
    assert.deepEqual((await bed.get(url(bed.shop.project.id), bed.shop.readKey, { include_bots: true })).body.meta.bots, { included: true, excluded_events: 0 });
  });
});

describe('cursors and limits refused by name', () => {
  const refusedOn = (res: { status: number; body: { errors?: { field: string }[] } }, field: string) => {
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.equal(res.body.errors?.[0]?.field, field, JSON.stringify(res.body));
  };

  test('an altered cursor, one of another project and one of another route', async () => {
    const first = await bed.get(url(bed.shop.project.id), bed.shop.readKey, { limit: 2 });
    const cursor = first.body.next_cursor as string;
    const flipped = cursor.slice(0, 10) + (cursor[10] === 'A' ? 'B' : 'A') + cursor.slice(11);
    refusedOn(await bed.get(url(bed.shop.project.id), bed.shop.readKey, { limit: 2, cursor: flipped }), 'cursor');
    refusedOn(await bed.get(url(bed.shop.project.id), bed.shop.readKey, { cursor: 'not-a-cursor' }), 'cursor');
    refusedOn(await bed.get(url(bed.shop.project.id), bed.shop.readKey, { cursor: 'x'.repeat(500) }), 'cursor');

    await bed.store([blogRow({ timestamp: '2026-11-28T10:00:00Z' }), blogRow({ timestamp: '2026-11-28T11:00:00Z' })], 2);
    const blog = await bed.get(url(bed.blog.project.id), bed.blog.readKey, { limit: 1 });
    assert.equal(blog.status, 200);
    refusedOn(await bed.get(url(bed.shop.project.id), bed.shop.readKey, { cursor: blog.body.next_cursor }), 'cursor');

    const visits = await bed.get(`/api/v1/projects/${bed.shop.project.id}/visits`, bed.shop.readKey, { limit: 1 });
    assert.equal(visits.status, 200, JSON.stringify(visits.body));
    assert.ok(visits.body.next_cursor !== null);
    refusedOn(await bed.get(url(bed.shop.project.id), bed.shop.readKey, { cursor: visits.body.next_cursor }), 'cursor');

    const same = await bed.get(url(bed.shop.project.id), bed.shop.readKey, { limit: 2, cursor });
    assert.deepEqual(ids(same.body), DEFAULT_ORDER.slice(2, 4), 'the untouched cursor still works');
    // A cursor continues only its own list: another filter, range or bot rule would page a
    // different list from the middle.
    for (const changed of [{ page: '/' }, { from: '2026-11-01' }, { include_bots: true }, { tz: 'UTC' }]) {
      refusedOn(await bed.get(url(bed.shop.project.id), bed.shop.readKey, { limit: 2, cursor, ...changed }), 'cursor');
    }
  });

  test('limit is 1..1000, an integer', async () => {
    for (const limit of [0, 1001, -1, 2.5, 'ten']) refusedOn(await bed.get(url(bed.shop.project.id), bed.shop.readKey, { limit }), 'limit');
    assert.equal((await bed.get(url(bed.shop.project.id), bed.shop.readKey, { limit: 1000 })).status, 200);
    refusedOn(await bed.get(url(bed.shop.project.id), bed.shop.readKey, { limt: 5 }), 'limt');
  });

  test('without limit a page holds 100 events', async () => {
    const rows = Array.from({ length: 101 }, (_, i) => blogRow({ timestamp: `2026-10-05T10:00:00.${String(i).padStart(6, '0')}Z`, session_id: 's-hundred' }));
    await bed.store(rows, 0);
    const first = await bed.get(url(bed.blog.project.id), bed.blog.readKey, { session_id: 's-hundred', from: '2026-10-05', to: '2026-10-05' });
    assert.equal(first.body.data.length, 100);
    assert.equal(first.body.data[0].timestamp, '2026-10-05T10:00:00.000100Z');
    const last = await bed.get(url(bed.blog.project.id), bed.blog.readKey, { session_id: 's-hundred', from: '2026-10-05', to: '2026-10-05', cursor: first.body.next_cursor });
    assert.deepEqual(
      last.body.data.map((e: { timestamp: string }) => e.timestamp),
      ['2026-10-05T10:00:00.000000Z'],
    );
    assert.equal(last.body.next_cursor, null);
  });
});

describe('isolation', () => {
  test("another project's events are never listed, and its project answers 404", async () => {
    const shop = await bed.get(url(bed.shop.project.id), bed.shop.orgReadKey, { include_bots: true, from: '2026-01-01' });
    const { rows } = await bed.db.pool.query(`SELECT event_id::text FROM analytics_events WHERE project_id = $1`, [bed.shop.project.id]);
    assert.deepEqual(new Set(ids(shop.body)), new Set(rows.map((r) => r.event_id)));
    assert.equal((await bed.get(url(bed.blog.project.id), bed.shop.readKey)).status, 404);
    assert.equal((await bed.get(url(bed.blog.project.id), bed.shop.orgReadKey)).status, 404);
    assert.equal((await bed.get(url(bed.shop.project.id), await bed.viewerToken())).status, 200);
  });
});

describe('arrivals between pages', () => {
  test('events stored while paging: each counted event once; newer ones wait for the next first page', async () => {
    const t = (h: number) => `2026-11-2${h}T0${h}:00:00.000000Z`;
    const initial = [1, 2, 3, 4, 5, 6, 7, 8].map((h) => blogRow({ event_id: `aaaaaaaa-0000-4000-8000-00000000000${h}`, timestamp: t(h) }));
    // A separate session, so these are the only events of the listed range's filter.
    for (const r of initial) r.session_id = 's-arrivals';
    await bed.store(initial, 0);
    const seen: string[] = [];
    let res = await bed.get(url(bed.blog.project.id), bed.blog.readKey, { limit: 3, session_id: 's-arrivals' });
    seen.push(...ids(res.body));
    // A newer event (above the cursor) and a late one with an old time (below it) arrive.
    const newer = blogRow({ event_id: 'bbbbbbbb-0000-4000-8000-000000000001', timestamp: '2026-11-29T11:00:00Z', session_id: 's-arrivals' });
    const late = blogRow({ event_id: 'bbbbbbbb-0000-4000-8000-000000000002', timestamp: '2026-11-24T04:30:00Z', session_id: 's-arrivals' });
    await bed.store([newer, late], 1);
    while (res.body.next_cursor !== null) {
      res = await bed.get(url(bed.blog.project.id), bed.blog.readKey, { limit: 3, session_id: 's-arrivals', cursor: res.body.next_cursor });
      assert.equal(res.status, 200);
      seen.push(...ids(res.body));
      // Another arrival below the cursor after every page.
    }
    assert.equal(new Set(seen).size, seen.length, 'no event twice');
    const inRange = initial.filter((r) => r.timestamp >= '2026-11-23T18:15:00Z').map((r) => r.event_id);
    for (const id of inRange) assert.ok(seen.includes(id), `${id} listed`);
    assert.ok(!seen.includes(newer.event_id), 'the newer event is before the first page');
    assert.ok(seen.includes(late.event_id), 'the late event below the cursor is listed once');
    const fresh = await bed.get(url(bed.blog.project.id), bed.blog.readKey, { limit: 1, session_id: 's-arrivals' });
    assert.deepEqual(ids(fresh.body), [newer.event_id]);
  });
});

type PlanNode = Record<string, unknown> & { Plans?: PlanNode[] };
const planNodes = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(planNodes)];

describe('plan', () => {
  // With sorts and sequential scans priced out, a Sort left in the plan means the index cannot
  // give the order, and a keyset condition outside "Index Cond" means the scan reads from the top.
  for (const [name, query] of [
    ['no filter', {}],
    ['event_type', { event_type: 'page_view' }],
    ['device (visit filter)', { device: 'mobile' }],
    ['include_bots', { include_bots: true }],
  ] as const) {
    test(`newest first with a cursor is one backward index range scan: ${name}`, async () => {
      const q = parseReportQuery(query, bed.shop.project, NOW);
      const p = new SqlParams();
      const sql = eventPageSql(q, p, { order: 'newest_first', after: { at: SAME, id: ID.mid }, rows: 101 });
      const client = await bed.db.pool.connect();
      try {
        await client.query('SET enable_seqscan = off; SET enable_sort = off; SET enable_bitmapscan = off');
        const { rows } = await client.query(`EXPLAIN (FORMAT JSON) ${sql}`, p.values);
        const nodes = planNodes(rows[0]['QUERY PLAN'][0].Plan);
        const text = JSON.stringify(rows[0]['QUERY PLAN']);
        assert.ok(!nodes.some((n) => String(n['Node Type']).includes('Sort')), text);
        const scan = nodes.find((n) => n['Relation Name'] === 'analytics_events');
        assert.equal(scan?.['Index Name'], 'analytics_events_dedup_key', text);
        assert.equal(scan?.['Scan Direction'], 'Backward', text);
        assert.match(String(scan?.['Index Cond']), /project_id = .*ROW\("timestamp", event_id\) < ROW/, text);
      } finally {
        client.release();
      }
    });
  }
});
