// GET /breakdown page by page: every limit walks the same rows in the same order as one big page,
// none lost or repeated, ties and the null row included; the cursor keeps the first page's range
// while new events arrive, and belongs to its parameters.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiBed, enrichedRow, type ApiBed } from './api-bed.ts';

let bed: ApiBed;
let url: string;
let clock = new Date('2026-11-19T18:00:00Z');

// Visits with their referrer (one visitor each unless said): a.example 3 visitors, b and c 2,
// d, e, f and direct (null) 1. Expected order by visitors, then value, null last.
const REFERRERS: [string | null, number][] = [
  ['c.example', 2],
  [null, 1],
  ['a.example', 3],
  ['f.example', 1],
  ['b.example', 2],
  ['e.example', 1],
  ['d.example', 1],
];
const EXPECTED = ['a.example', 'b.example', 'c.example', 'd.example', 'e.example', 'f.example', null];

before(async () => {
  bed = await apiBed({ now: () => clock });
  url = `/api/v1/projects/${bed.shop.project.id}/breakdown`;
  const rows = REFERRERS.flatMap(([referrer, visitors], i) =>
    Array.from({ length: visitors }, (_, v) =>
      enrichedRow({
        project_id: bed.shop.project.id,
        timestamp: `2026-11-19T${String(8 + i).padStart(2, '0')}:${String(v).padStart(2, '0')}:00Z`,
        page_url: `https://shop.example/p${i}`,
        page_path: `/p${i}`,
        visitor_id: `h:${i}-${v}`,
        referrer_domain: referrer,
      }),
    ),
  );
  assert.equal(await bed.store(rows), 11);
});
after(async () => {
  await bed?.close();
});

async function walk(query: Record<string, string | number | boolean>, limit: number) {
  const values: (string | null)[] = [];
  const ranges = new Set<string>();
  let cursor: string | undefined;
  for (let pages = 0; pages < 20; pages++) {
    const res = await bed.get(url, bed.shop.readKey, { ...query, limit, cursor });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.ok(res.body.data.length <= limit);
    assert.equal(res.body.total, EXPECTED.length);
    values.push(...res.body.data.map((r: { value: string | null }) => r.value));
    ranges.add(JSON.stringify(res.body.meta.range));
    cursor = res.body.next_cursor ?? undefined;
    if (cursor === undefined) return { values, ranges };
  }
  throw new Error('more than 20 pages');
}

test('every limit pages through the same rows in order, none lost or repeated', async () => {
  for (let limit = 1; limit <= EXPECTED.length + 1; limit++) {
    const { values } = await walk({ dimension: 'referrer', from: '2026-11-19', to: '2026-11-19' }, limit);
    assert.deepEqual(values, EXPECTED, `limit ${limit}`);
  }
});

test('a cursor answers only the parameters it was issued for', async () => {
  const first = await bed.get(url, bed.shop.readKey, { dimension: 'referrer', from: '2026-11-19', to: '2026-11-19', limit: 2 });
  const cursor = first.body.next_cursor as string;
  for (const other of [{ dimension: 'browser' }, { dimension: 'referrer', include_bots: true }, { dimension: 'referrer', tz: 'UTC' }]) {
    const res = await bed.get(url, bed.shop.readKey, { from: '2026-11-19', to: '2026-11-19', ...other, cursor });
    assert.equal(res.status, 400, JSON.stringify(other));
    assert.equal(res.body.errors[0].field, 'cursor');
  }
  // The limit may change between pages.
  const next = await bed.get(url, bed.shop.readKey, { dimension: 'referrer', from: '2026-11-19', to: '2026-11-19', limit: 100, cursor });
  assert.deepEqual(
    next.body.data.map((r: { value: string | null }) => r.value),
    EXPECTED.slice(2),
  );
  // An edited cursor is refused, not sent to the database: a range widened past the 3660 days a
  // request may span, a reversed one, a moved position, a letter appended.
  const [body, mac] = cursor.split('.') as [string, string];
  const wire = JSON.parse(Buffer.from(body, 'base64url').toString());
  const forge = (change: object) => `${Buffer.from(JSON.stringify({ ...wire, ...change })).toString('base64url')}.${mac}`;
  const wide = ['1970-01-01T00:00:00.000Z', '9999-12-31T00:00:00.000Z', '1970-01-01T00:00:00.000Z', '9999-12-31T00:00:00.000Z'];
  for (const tampered of [forge({ r: ['x', 'y', 'z', 'w'] }), forge({ r: wide }), forge({ r: [wire.r[1], wire.r[0], wire.r[3], wire.r[2]] }), forge({ m: 99, v: 'zz' }), `${cursor}x`]) {
    const res = await bed.get(url, bed.shop.readKey, { dimension: 'referrer', from: '2026-11-19', to: '2026-11-19', cursor: tampered });
    assert.equal(res.status, 400, tampered);
    assert.equal(res.body.errors[0].field, 'cursor');
  }
  // Another project's cursor, with the same parameters, is refused there.
  const blogUrl = `/api/v1/projects/${bed.blog.project.id}/breakdown`;
  const elsewhere = await bed.get(blogUrl, bed.blog.readKey, { dimension: 'referrer', from: '2026-11-19', to: '2026-11-19', cursor });
  assert.equal(elsewhere.status, 400);
  assert.equal(elsewhere.body.errors[0].field, 'cursor');
});

test('the cursor keeps the range of the first page: events after it do not move rows between pages', async () => {
  // Runs last: it adds events to the day the other tests page through.
  const query = { dimension: 'referrer' };
  const first = await bed.get(url, bed.shop.readKey, { ...query, limit: 3 });
  assert.deepEqual(
    first.body.data.map((r: { value: string }) => r.value),
    ['a.example', 'b.example', 'c.example'],
  );
  // Later, three new visitors arrive from f.example: a new first page would put it on top.
  clock = new Date('2026-11-19T19:00:00Z');
  await bed.store(
    [0, 1, 2].map((v) =>
      enrichedRow({ project_id: bed.shop.project.id, timestamp: `2026-11-19T18:30:0${v}Z`, page_path: '/late', visitor_id: `h:late-${v}`, referrer_domain: 'f.example' }),
    ),
  );
  const second = await bed.get(url, bed.shop.readKey, { ...query, limit: 10, cursor: first.body.next_cursor });
  assert.equal(second.status, 200);
  assert.deepEqual(second.body.meta.range, first.body.meta.range);
  assert.deepEqual(
    second.body.data.map((r: { value: string | null; visitors: number }) => [r.value, r.visitors]),
    [
      ['d.example', 1],
      ['e.example', 1],
      ['f.example', 1],
      [null, 1],
    ],
  );
  // A new first page sees them.
  const fresh = await bed.get(url, bed.shop.readKey, { ...query, limit: 1 });
  assert.deepEqual(fresh.body.data[0], { ...fresh.body.data[0], value: 'f.example', visitors: 4 });
});
