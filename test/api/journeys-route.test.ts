// The journeys against the real PostgreSQL, hand fixtures: GET /visits (counted visits newest
// first, the visit's stored measures), /visits/{id}, /sessions/{id} and /users/{id}/timeline
// (events oldest first, all time by default), cursors per journey, and 404 for an unknown id and
// for another project's, alike.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventRow } from '../../pipeline/src/steps/normalize-event.ts';
import { USER_AGENTS } from '../support/user-agents.ts';
import { apiBed, enrichedRow, type Answer, type ApiBed } from './api-bed.ts';

const NOW = new Date('2026-11-30T12:00:00Z');
const TIE = '2026-11-29T15:05:00.000001Z';
const E = {
  a1: 'a1000000-0000-4000-8000-000000000000',
  a2: 'a2000000-0000-4000-8000-000000000000',
  a3: 'a3000000-0000-4000-8000-000000000000',
  a4: 'a4000000-0000-4000-8000-000000000000',
  b1: 'b1000000-0000-4000-8000-000000000000',
  tieHigh: 'f0000000-0000-4000-8000-000000000000',
  tieLow: '0f000000-0000-4000-8000-000000000000',
  b3: 'b3000000-0000-4000-8000-000000000000',
  bob: 'c1000000-0000-4000-8000-000000000000',
  bot: 'd1000000-0000-4000-8000-000000000000',
  old: 'e1000000-0000-4000-8000-000000000000',
};

let bed: ApiBed;
const visitOf: Record<string, string> = {};
let blogVisit = '';
const base = (project: string) => `/api/v1/projects/${project}`;
const ids = (body: { data: { event_id: string }[] }) => body.data.map((e) => e.event_id);
const ok = (res: Answer) => {
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
};
const refusedOn = (res: Answer, field: string) => {
  assert.equal(res.status, 400, JSON.stringify(res.body));
  assert.equal(res.body.errors?.[0]?.field, field);
};
const notFound = (res: Answer) => {
  assert.equal(res.status, 404, JSON.stringify(res.body));
  assert.equal(res.body.error, 'not_found');
};

before(async () => {
  bed = await apiBed({ now: () => NOW });
  const shop = (over: Partial<EventRow>) => enrichedRow({ project_id: bed.shop.project.id, user_agent: USER_AGENTS.chromeWindows, ...over });
  const alice = { user_id: 'u-alice' };
  await bed.store([
    // Alice's first visit: from Google, two pages, a click, 5 s engaged.
    shop({ ...alice, session_id: 's-a1', event_id: E.a1, timestamp: '2026-11-28T09:00:00.000000Z', page_url: 'https://shop.example/', referrer: 'https://www.google.com/' }),
    shop({ ...alice, session_id: 's-a1', event_id: E.a2, timestamp: '2026-11-28T09:01:00.000000Z', event_type: 'button_click', button_id: 'plans', page_url: 'https://shop.example/' }),
    shop({ ...alice, session_id: 's-a1', event_id: E.a3, timestamp: '2026-11-28T09:02:00.000000Z', page_url: 'https://shop.example/pricing' }),
    shop({ ...alice, session_id: 's-a1', event_id: E.a4, timestamp: '2026-11-28T09:03:00.000000Z', event_type: 'page_unload', page_url: 'https://shop.example/pricing', metadata: '{"time_on_page":5000}' }),
    // Alice's second visit, a day later in another session; two events of one microsecond.
    shop({ ...alice, session_id: 's-a2', event_id: E.b1, timestamp: '2026-11-29T15:00:00.000000Z', page_url: 'https://shop.example/account' }),
    shop({ ...alice, session_id: 's-a2', event_id: E.tieHigh, timestamp: TIE, event_type: 'custom', page_url: 'https://shop.example/account' }),
    shop({ ...alice, session_id: 's-a2', event_id: E.tieLow, timestamp: TIE, event_type: 'custom', page_url: 'https://shop.example/account' }),
  ]);
  await bed.store(
    [
      shop({ session_id: 's-a2', user_id: 'u-alice', event_id: E.b3, timestamp: '2026-11-29T15:10:00.500000Z', page_url: 'https://shop.example/account/orders' }),
      shop({ session_id: 's-bob', event_id: E.bob, timestamp: '2026-11-27T08:00:00.000000Z', user_agent: USER_AGENTS.iphone, page_url: 'https://shop.example/' }),
      shop({ session_id: 's-bot', event_id: E.bot, timestamp: '2026-11-29T10:00:00.000000Z', user_agent: USER_AGENTS.googlebot, page_url: 'https://shop.example/' }),
      shop({ session_id: 's-old', event_id: E.old, timestamp: '2026-10-01T10:00:00.000000Z', page_url: 'https://shop.example/' }),
      // The same user and session ids in another tenant.
      enrichedRow({ project_id: bed.blog.project.id, user_agent: USER_AGENTS.firefoxLinux, user_id: 'u-alice', session_id: 's-a1', timestamp: '2026-11-28T09:00:00Z' }),
      enrichedRow({ project_id: bed.blog.project.id, user_agent: USER_AGENTS.firefoxLinux, session_id: 's-blog', timestamp: '2026-11-28T10:00:00Z' }),
    ],
    1,
  );
  const { rows } = await bed.db.pool.query(`SELECT event_id::text, visit_id::text, project_id::text FROM analytics_events`);
  for (const r of rows) {
    if (r.project_id === bed.shop.project.id) visitOf[r.event_id] = r.visit_id;
    else blogVisit = r.visit_id;
  }
  assert.equal(visitOf[E.a1], visitOf[E.a4], 'fixture: one visit');
  assert.equal(visitOf[E.b1], visitOf[E.b3], 'fixture: one visit');
  assert.notEqual(visitOf[E.a1], visitOf[E.b1], 'fixture: a new visit the next day');
});
after(() => bed.close());

describe('GET /visits', () => {
  test('counted visits newest first, each with its stored measures', async () => {
    const body = ok(await bed.get(`${base(bed.shop.project.id)}/visits`, bed.shop.readKey));
    assert.deepEqual(
      body.data.map((v: { visit_id: string }) => v.visit_id),
      [visitOf[E.b1], visitOf[E.a1], visitOf[E.bob]],
    );
    assert.equal(body.next_cursor, null);
    const first = body.data[1];
    const { rows } = await bed.db.pool.query(`SELECT visitor_id FROM visits WHERE visit_id = $1`, [visitOf[E.a1]]);
    assert.deepEqual(first, {
      visit_id: visitOf[E.a1],
      visitor_id: rows[0].visitor_id,
      user_id: 'u-alice',
      visit_start: '2026-11-28T09:00:00.000000Z',
      visit_end: '2026-11-28T09:03:00.000000Z',
      duration_ms: 180_000,
      events: 4,
      pageviews: 2,
      interactions: 1,
      engaged_ms: 5000,
      bounced: false,
      entry_path: '/',
      entry_at: '2026-11-28T09:00:00.000000Z',
      exit_path: '/pricing',
      exit_at: '2026-11-28T09:02:00.000000Z',
      referrer_domain: 'google.com',
      utm_source: null,
      utm_medium: null,
      utm_campaign: null,
      utm_term: null,
      utm_content: null,
      device_type: 'desktop',
      browser: 'Chrome',
      os: 'Windows',
      is_bot: false,
    });
    assert.equal(body.data[2].bounced, true, "Bob's single page view bounced");
    assert.equal(body.data[2].device_type, 'mobile');
  });

  const cases: [string, Record<string, string | boolean>, string[]][] = [
    ['include_bots', { include_bots: true }, [E.b1, E.bot, E.a1, E.bob]],
    ['referrer (visit filter)', { referrer: 'google.com' }, [E.a1]],
    ['event_type (a visit with such an event)', { event_type: 'button_click' }, [E.a1]],
    ['device', { device: 'mobile' }, [E.bob]],
    ['user_id', { user_id: 'u-alice' }, [E.b1, E.a1]],
    ['a range: visits that started in it', { from: '2026-09-01', to: '2026-10-31' }, [E.old]],
  ];
  for (const [name, query, expected] of cases) {
    test(`filters: ${name}`, async () => {
      const body = ok(await bed.get(`${base(bed.shop.project.id)}/visits`, bed.shop.readKey, query));
      assert.deepEqual(
        body.data.map((v: { visit_id: string }) => v.visit_id),
        expected.map((e) => visitOf[e]),
      );
    });
  }

  test('pages of one visit give the same list; the cursor is refused on another list', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const body = ok(await bed.get(`${base(bed.shop.project.id)}/visits`, bed.shop.readKey, { limit: 1, include_bots: true, ...(cursor ? { cursor } : {}) }));
      seen.push(...body.data.map((v: { visit_id: string }) => v.visit_id));
      cursor = body.next_cursor ?? undefined;
    } while (cursor !== undefined);
    assert.deepEqual(
      seen,
      [E.b1, E.bot, E.a1, E.bob].map((e) => visitOf[e]),
    );
    const first = ok(await bed.get(`${base(bed.shop.project.id)}/visits`, bed.shop.readKey, { limit: 1 }));
    refusedOn(await bed.get(`${base(bed.shop.project.id)}/events`, bed.shop.readKey, { cursor: first.next_cursor }), 'cursor');
    refusedOn(await bed.get(`${base(bed.shop.project.id)}/visits/${visitOf[E.a1]}`, bed.shop.readKey, { cursor: first.next_cursor }), 'cursor');
  });
});

describe('GET /visits/{visit_id}', () => {
  const visitUrl = (project: string, id: string) => `${base(project)}/visits/${id}`;

  test('the visit and its events oldest first, paged', async () => {
    const body = ok(await bed.get(visitUrl(bed.shop.project.id, visitOf[E.a1]!), bed.shop.readKey));
    assert.equal(body.visit.visit_id, visitOf[E.a1]);
    assert.equal(body.visit.events, 4);
    assert.deepEqual(ids(body), [E.a1, E.a2, E.a3, E.a4]);
    assert.equal(body.data[0].timestamp, '2026-11-28T09:00:00.000000Z');
    const pages: string[] = [];
    let cursor: string | undefined;
    do {
      const page = ok(await bed.get(visitUrl(bed.shop.project.id, visitOf[E.b1]!), bed.shop.readKey, { limit: 1, ...(cursor ? { cursor } : {}) }));
      assert.equal(page.visit.visit_id, visitOf[E.b1]);
      pages.push(...ids(page));
      cursor = page.next_cursor ?? undefined;
    } while (cursor !== undefined);
    assert.deepEqual(pages, [E.b1, E.tieLow, E.tieHigh, E.b3], 'same microsecond: event_id order');
  });

  test('all time by default; filters and the bot rule apply to the events listed', async () => {
    assert.deepEqual(ids(ok(await bed.get(visitUrl(bed.shop.project.id, visitOf[E.old]!), bed.shop.readKey))), [E.old]);
    assert.deepEqual(ids(ok(await bed.get(visitUrl(bed.shop.project.id, visitOf[E.a1]!), bed.shop.readKey, { event_type: 'page_view' }))), [E.a1, E.a3]);
    assert.deepEqual(ids(ok(await bed.get(visitUrl(bed.shop.project.id, visitOf[E.a1]!), bed.shop.readKey, { to: '2026-11-28T09:02:00Z' }))), [E.a1, E.a2]);
    const bot = ok(await bed.get(visitUrl(bed.shop.project.id, visitOf[E.bot]!), bed.shop.readKey));
    assert.equal(bot.visit.is_bot, true);
    assert.deepEqual(ids(bot), []);
    assert.deepEqual(ids(ok(await bed.get(visitUrl(bed.shop.project.id, visitOf[E.bot]!), bed.shop.readKey, { include_bots: true }))), [E.bot]);
  });

  test('404 for an unknown visit and for one of another project, alike; 400 for a malformed id', async () => {
    const unknown = await bed.get(visitUrl(bed.shop.project.id, '00000000-0000-4000-8000-00000000dead'), bed.shop.readKey);
    const foreign = await bed.get(visitUrl(bed.shop.project.id, blogVisit), bed.shop.orgReadKey);
    notFound(unknown);
    notFound(foreign);
    assert.deepEqual(unknown.body, foreign.body);
    ok(await bed.get(visitUrl(bed.blog.project.id, blogVisit), bed.blog.readKey));
    notFound(await bed.get(visitUrl(bed.blog.project.id, blogVisit), bed.shop.readKey));
    refusedOn(await bed.get(visitUrl(bed.shop.project.id, 'not-a-uuid'), bed.shop.readKey), 'visit_id');
  });

  test("one visit's cursor is refused on another visit", async () => {
    const page = ok(await bed.get(visitUrl(bed.shop.project.id, visitOf[E.a1]!), bed.shop.readKey, { limit: 1 }));
    refusedOn(await bed.get(visitUrl(bed.shop.project.id, visitOf[E.b1]!), bed.shop.readKey, { cursor: page.next_cursor }), 'cursor');
    assert.deepEqual(ids(ok(await bed.get(visitUrl(bed.shop.project.id, visitOf[E.a1]!), bed.shop.readKey, { limit: 1, cursor: page.next_cursor }))), [E.a2]);
  });
});

describe('GET /sessions/{session_id}', () => {
  const sessionUrl = (project: string, id: string) => `${base(project)}/sessions/${encodeURIComponent(id)}`;

  test("the session's events oldest first (event_id within a microsecond), all time by default", async () => {
    const body = ok(await bed.get(sessionUrl(bed.shop.project.id, 's-a2'), bed.shop.readKey));
    assert.equal(body.session_id, 's-a2');
    assert.deepEqual(ids(body), [E.b1, E.tieLow, E.tieHigh, E.b3]);
    assert.equal(body.data[3].timestamp, '2026-11-29T15:10:00.500000Z');
    assert.deepEqual(ids(ok(await bed.get(sessionUrl(bed.shop.project.id, 's-old'), bed.shop.readKey))), [E.old]);
    assert.deepEqual(ids(ok(await bed.get(sessionUrl(bed.shop.project.id, 's-old'), bed.shop.readKey, { from: '2026-11-01' }))), [], 'from alone bounds the start');
    assert.deepEqual(ids(ok(await bed.get(sessionUrl(bed.shop.project.id, 's-a2'), bed.shop.readKey, { event_type: 'custom', limit: 1 }))), [E.tieLow]);
  });

  test('a bot session: 200 with no events unless bots are included', async () => {
    assert.deepEqual(ids(ok(await bed.get(sessionUrl(bed.shop.project.id, 's-bot'), bed.shop.readKey))), []);
    assert.deepEqual(ids(ok(await bed.get(sessionUrl(bed.shop.project.id, 's-bot'), bed.shop.readKey, { include_bots: true }))), [E.bot]);
  });

  test('paged; the cursor of one session is refused on another', async () => {
    const first = ok(await bed.get(sessionUrl(bed.shop.project.id, 's-a2'), bed.shop.readKey, { limit: 2 }));
    assert.deepEqual(ids(first), [E.b1, E.tieLow]);
    const second = ok(await bed.get(sessionUrl(bed.shop.project.id, 's-a2'), bed.shop.readKey, { limit: 2, cursor: first.next_cursor }));
    assert.deepEqual(ids(second), [E.tieHigh, E.b3]);
    assert.equal(second.next_cursor, null);
    refusedOn(await bed.get(sessionUrl(bed.shop.project.id, 's-a1'), bed.shop.readKey, { cursor: first.next_cursor }), 'cursor');
    refusedOn(await bed.get(sessionUrl(bed.shop.project.id, 's-a2'), bed.shop.readKey, { limit: 0 }), 'limit');
  });

  test("404 for an unknown session and another project's, alike; the same id in each project is that project's", async () => {
    const unknown = await bed.get(sessionUrl(bed.shop.project.id, 'no-such-session'), bed.shop.readKey);
    const foreign = await bed.get(sessionUrl(bed.shop.project.id, 's-blog'), bed.shop.orgReadKey);
    notFound(unknown);
    notFound(foreign);
    assert.deepEqual(unknown.body, foreign.body);
    notFound(await bed.get(sessionUrl(bed.blog.project.id, 's-blog'), bed.shop.readKey));
    const blog = ok(await bed.get(sessionUrl(bed.blog.project.id, 's-a1'), bed.blog.readKey));
    assert.equal(blog.data.length, 1);
    assert.ok(!ids(blog).some((id) => Object.values(E).includes(id)));
    assert.deepEqual(ids(ok(await bed.get(sessionUrl(bed.shop.project.id, 's-a1'), bed.shop.readKey))), [E.a1, E.a2, E.a3, E.a4]);
  });
});

describe('GET /users/{user_id}/timeline', () => {
  const userUrl = (project: string, id: string) => `${base(project)}/users/${encodeURIComponent(id)}/timeline`;

  test("the user's events oldest first across visits and sessions, with the visits of the page", async () => {
    const body = ok(await bed.get(userUrl(bed.shop.project.id, 'u-alice'), bed.shop.readKey));
    assert.equal(body.user_id, 'u-alice');
    assert.deepEqual(ids(body), [E.a1, E.a2, E.a3, E.a4, E.b1, E.tieLow, E.tieHigh, E.b3]);
    assert.deepEqual(
      body.visits.map((v: { visit_id: string }) => v.visit_id),
      [visitOf[E.a1], visitOf[E.b1]],
    );
    assert.equal(body.visits[0].duration_ms, 180_000);
  });

  test('paged: each page carries the visits of its own events', async () => {
    const first = ok(await bed.get(userUrl(bed.shop.project.id, 'u-alice'), bed.shop.readKey, { limit: 3 }));
    assert.deepEqual(ids(first), [E.a1, E.a2, E.a3]);
    assert.deepEqual(
      first.visits.map((v: { visit_id: string }) => v.visit_id),
      [visitOf[E.a1]],
    );
    const second = ok(await bed.get(userUrl(bed.shop.project.id, 'u-alice'), bed.shop.readKey, { limit: 3, cursor: first.next_cursor }));
    assert.deepEqual(ids(second), [E.a4, E.b1, E.tieLow]);
    assert.deepEqual(
      second.visits.map((v: { visit_id: string }) => v.visit_id),
      [visitOf[E.a1], visitOf[E.b1]],
    );
    const third = ok(await bed.get(userUrl(bed.shop.project.id, 'u-alice'), bed.shop.readKey, { limit: 3, cursor: second.next_cursor }));
    assert.deepEqual(ids(third), [E.tieHigh, E.b3]);
    assert.equal(third.next_cursor, null);
    refusedOn(await bed.get(`${base(bed.shop.project.id)}/sessions/s-a1`, bed.shop.readKey, { cursor: first.next_cursor }), 'cursor');
  });

  test("the same user id in another project is that project's; unknown users answer 404 like other projects' ones", async () => {
    const blog = ok(await bed.get(userUrl(bed.blog.project.id, 'u-alice'), bed.blog.readKey));
    assert.equal(blog.data.length, 1);
    assert.equal(blog.visits[0].visit_id, blog.data[0].visit_id);
    notFound(await bed.get(userUrl(bed.blog.project.id, 'u-alice'), bed.shop.readKey));
    const unknown = await bed.get(userUrl(bed.shop.project.id, 'u-nobody'), bed.shop.readKey);
    notFound(unknown);
    assert.deepEqual(ids(ok(await bed.get(userUrl(bed.shop.project.id, 'u-alice'), bed.shop.readKey, { event_type: 'nothing' }))), [], 'known user, nothing counted: 200');
  });
});
