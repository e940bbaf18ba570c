// POST /funnels against the real PostgreSQL, one small hand fixture per rule of docs/metrics.md
// § Funnels. Every expected number is worked out from the events listed here. Each case uses its
// own event types, so the cases cannot see each other's events. The clock is fixed at
// 2026-11-19T23:30Z, so a window opened after 22:30 (PT1H) is still open.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventRow } from '../../pipeline/src/steps/normalize-event.ts';
import { apiBed, enrichedRow, type Answer, type ApiBed } from './api-bed.ts';

const NOW = new Date('2026-11-19T23:30:00Z');
let bed: ApiBed;
const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const BOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

const at = (hhmmss: string, day = 19) => `2026-11-${day}T${hhmmss}Z`;
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

function event(visitor: string, time: string, type: string, over: Partial<EventRow> = {}): EventRow {
  return enrichedRow({ project_id: bed.shop.project.id, event_type: type, timestamp: time, received_at: time, page_url: 'https://shop.example/', visitor_id: visitor, user_agent: CHROME, ...over });
}

async function funnel(body: Record<string, unknown>, key = bed.shop.readKey): Promise<Answer> {
  const res = await bed.app.inject({ method: 'POST', url: `/api/v1/projects/${bed.shop.project.id}/funnels`, headers: { 'x-api-key': key }, payload: { from: '2026-11-19', to: '2026-11-19', tz: 'UTC', window: 'PT1H', ...body } });
  return { status: res.statusCode, body: res.json() };
}

const steps = (...types: string[]) => types.map((event_type) => ({ event_type }));
const counts = (res: Answer) => res.body.data.steps.map((s: { count: number }) => s.count);

before(async () => {
  bed = await apiBed({ now: () => NOW });
  const rows = [
    // Repeated step definitions: r_view, r_view, r_buy.
    event('h:r1', at('10:00:00'), 'r_view'),
    event('h:r2', at('10:00:00'), 'r_view'),
    event('h:r2', at('10:05:00'), 'r_view'),
    event('h:r3', at('10:00:00'), 'r_view'),
    event('h:r3', at('10:05:00'), 'r_view'),
    event('h:r3', at('10:10:00'), 'r_buy'),
    event('h:r4', at('10:00:00'), 'r_view'),
    event('h:r4', at('10:01:00'), 'r_buy'),
    event('h:r4', at('10:02:00'), 'r_view'),
    // Identical timestamps: the event id decides the order.
    event('h:t1', at('10:00:00.123456'), 't_a', { event_id: id(1) }),
    event('h:t1', at('10:00:00.123456'), 't_b', { event_id: id(2) }),
    event('h:t2', at('10:00:00.123456'), 't_a', { event_id: id(4) }),
    event('h:t2', at('10:00:00.123456'), 't_b', { event_id: id(3) }),
    // The window runs from step 1.
    event('h:w1', at('10:00:00'), 'w_a'),
    event('h:w1', at('10:40:00'), 'w_b'),
    event('h:w1', at('11:10:00'), 'w_c'),
    event('h:w2', at('10:00:00'), 'w_a'),
    event('h:w2', at('10:30:00'), 'w_a'),
    event('h:w2', at('10:40:00'), 'w_b'),
    event('h:w2', at('11:20:00'), 'w_c'),
    event('h:w3', at('10:00:00'), 'w_a'),
    event('h:w3', at('11:00:00'), 'w_b'),
    // Strict order.
    event('h:s1', at('10:00:00'), 's_a'),
    event('h:s1', at('10:01:00'), 's_x'),
    event('h:s1', at('10:02:00'), 's_b'),
    event('h:s2', at('10:00:00'), 's_a'),
    event('h:s2', at('10:01:00'), 's_b'),
    event('h:s3', at('10:00:00'), 's_a'),
    event('h:s3', at('10:01:00'), 's_a'),
    event('h:s3', at('10:02:00'), 's_b'),
    // Range edges and open windows.
    event('h:p1', at('23:00:00'), 'p_a'),
    event('h:p2', at('21:00:00'), 'p_a'),
    event('h:p3', at('23:50:00', 18), 'p_a'),
    event('h:p3', at('00:10:00'), 'p_b'),
    event('h:p5', at('11:50:00'), 'p_a'),
    event('h:p5', at('12:10:00'), 'p_b'),
    // Units: u1 is a signed-in user with two visits (a 55-minute gap), u2 anonymous.
    event('u:user-u1', at('10:00:00'), 'u_a', { user_id: 'user-u1' }),
    event('u:user-u1', at('10:55:00'), 'u_b', { user_id: 'user-u1' }),
    event('h:u2', at('10:00:00'), 'u_a'),
    event('h:u2', at('10:05:00'), 'u_b'),
    // Bots, metadata, breakdown.
    event('h:b1', at('10:00:00'), 'b_a', { user_agent: BOT }),
    event('h:b1', at('10:01:00'), 'b_b', { user_agent: BOT }),
    event('h:b2', at('10:00:00'), 'b_a'),
    event('h:m1', at('10:00:00'), 'm_a', { metadata: '{"plan":"pro","seats":5}' }),
    event('h:m1', at('10:01:00'), 'm_b'),
    event('h:m2', at('10:00:00'), 'm_a', { metadata: '{"plan":"free"}' }),
    event('h:m2', at('10:01:00'), 'm_b'),
    event('h:k1', at('10:00:00'), 'k_a', { referrer_domain: 'google.com' }),
    event('h:k1', at('10:01:00'), 'k_b'),
    event('h:k2', at('10:00:00'), 'k_a', { referrer_domain: 'google.com' }),
    event('h:k3', at('10:00:00'), 'k_a'),
    event('h:k3', at('10:01:00'), 'k_b'),
    // Steps by page and by button (each read as its own index range): c1 views /cart, clicks buy,
    // then pay; c2 clicks pay before buy; c3 views another page, clicks buy, then a button of no step.
    event('h:c1', at('10:00:00'), 'c_view', { page_url: 'https://shop.example/cart', page_path: '/cart' }),
    event('h:c1', at('10:01:00'), 'c_click', { button_id: 'buy' }),
    event('h:c1', at('10:02:00'), 'c_click', { button_id: 'pay' }),
    event('h:c2', at('10:00:00'), 'c_view', { page_url: 'https://shop.example/cart', page_path: '/cart' }),
    event('h:c2', at('10:01:00'), 'c_click', { button_id: 'pay' }),
    event('h:c2', at('10:02:00'), 'c_click', { button_id: 'buy' }),
    event('h:c3', at('10:00:00'), 'c_view', { page_url: 'https://shop.example/other', page_path: '/other' }),
    event('h:c3', at('10:01:00'), 'c_click', { button_id: 'buy' }),
    event('h:c3', at('10:02:00'), 'c_click', { button_id: 'help' }),
  ];
  assert.equal(await bed.store(rows), rows.length);
});

after(() => bed?.close());

test('a step that repeats an earlier definition needs a distinct, later event', async () => {
  const res = await funnel({ steps: [{ event_type: 'r_view', label: 'View' }, { event_type: 'r_view', label: 'View again' }, { event_type: 'r_buy' }] });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const [s1, s2, s3] = res.body.data.steps;
  // r1 one view; r2 two views; r3 two views then a buy; r4 view, buy, view (the buy is not after the second view).
  assert.deepEqual(counts(res), [4, 3, 1]);
  assert.equal(s1.label, 'View');
  assert.equal(s2.conversion_rate, 0.75);
  assert.equal(s3.step_conversion_rate, 1 / 3);
  assert.deepEqual([s1.drop_off, s2.drop_off, s3.drop_off], [0, 1, 2]);
  // Shortest time from step 1 to step 2: 5, 5 and 2 minutes; to step 3: r3's 10 minutes.
  assert.equal(s2.median_time_to_convert_ms, 300_000);
  assert.equal(s2.avg_time_to_convert_ms, 240_000);
  assert.equal(s3.median_time_to_convert_ms, 600_000);
  assert.equal(s1.median_time_to_convert_ms, null);
});

test('events of the same microsecond are ordered by event_id', async () => {
  const res = await funnel({ steps: steps('t_a', 't_b') });
  assert.deepEqual(counts(res), [2, 1]);
  assert.equal(res.body.data.steps[1].median_time_to_convert_ms, 0);
});

test('the window is measured from step 1, inclusive, and any step-1 event may start the attempt that counts', async () => {
  const res = await funnel({ steps: steps('w_a', 'w_b', 'w_c') });
  // w1: w_c 70 min after its only start; w2: the second start reaches w_c in 50 min; w3: w_b exactly 60 min after.
  assert.deepEqual(counts(res), [3, 3, 1]);
  const [, s2, s3] = res.body.data.steps;
  assert.deepEqual([s2.median_time_to_convert_ms, s3.median_time_to_convert_ms], [2_400_000, 3_000_000]);
  assert.equal(s2.avg_time_to_convert_ms, (2_400_000 + 600_000 + 3_600_000) / 3);
  const wider = await funnel({ steps: steps('w_a', 'w_b', 'w_c'), window: 'PT70M' });
  assert.deepEqual(counts(wider), [3, 3, 2]);
});

test('strict order allows no other event of the unit between steps', async () => {
  assert.deepEqual(counts(await funnel({ steps: steps('s_a', 's_b'), order: 'strict' })), [3, 2]);
  assert.deepEqual(counts(await funnel({ steps: steps('s_a', 's_b'), order: 'ordered' })), [3, 3]);
});

test('step 1 must fall in the range, later steps up to its end plus the window; open windows are in progress, not dropped', async () => {
  const day = await funnel({ steps: steps('p_a', 'p_b') });
  // p1 (23:00, window open at 23:30): in progress; p2 (21:00): dropped; p3 started the day before: not counted; p5 converted.
  assert.deepEqual(counts(day), [3, 1]);
  assert.equal(day.body.data.steps[1].in_progress, 1);
  assert.equal(day.body.data.steps[1].drop_off, 1);
  // Ending at noon: p5's p_a (11:50) is in the range, its p_b (12:10) after the end but within the window.
  const noon = await funnel({ steps: steps('p_a', 'p_b'), to: '2026-11-19T12:00:00Z' });
  assert.deepEqual(counts(noon), [1, 1]);
});

test('the unit: a visit, a visitor, or a signed-in user', async () => {
  const body = { steps: steps('u_a', 'u_b'), window: 'PT2H' };
  assert.deepEqual(counts(await funnel({ ...body, unit: 'visitor' })), [2, 2]);
  // u1's u_b is in its second visit.
  assert.deepEqual(counts(await funnel({ ...body, unit: 'visit' })), [2, 1]);
  // u2 has no user_id.
  assert.deepEqual(counts(await funnel({ ...body, unit: 'user' })), [1, 1]);
});

test('bots count only when asked; metadata conditions compare text', async () => {
  assert.deepEqual(counts(await funnel({ steps: steps('b_a', 'b_b') })), [1, 0]);
  assert.deepEqual(counts(await funnel({ steps: steps('b_a', 'b_b'), include_bots: true })), [2, 1]);
  assert.deepEqual(counts(await funnel({ steps: [{ event_type: 'm_a', metadata: { plan: 'pro', seats: '5' } }, { event_type: 'm_b' }] })), [1, 1]);
  assert.deepEqual(counts(await funnel({ steps: [{ event_type: 'm_a', metadata: { plan: 'enterprise' } }, { event_type: 'm_b' }] })), [0, 0]);
  assert.equal((await funnel({ steps: [{ event_type: 'm_a', metadata: { plan: 'enterprise' } }, { event_type: 'm_b' }] })).body.data.steps[0].conversion_rate, null);
});

test('steps naming pages and buttons match exactly those, in order', async () => {
  const view = (page: string) => ({ event_type: 'c_view', page });
  const click = (button_id: string) => ({ event_type: 'c_click', button_id });
  assert.deepEqual(counts(await funnel({ steps: [view('/cart'), click('buy'), click('pay')] })), [2, 2, 1]);
  assert.deepEqual(counts(await funnel({ steps: [view('/cart'), click('pay'), click('buy')] })), [2, 2, 1]);
  assert.deepEqual(counts(await funnel({ steps: [click('buy'), click('pay')] })), [3, 1]);
  assert.deepEqual(counts(await funnel({ steps: [click('buy'), click('help')] })), [3, 1]);
  // A step of the type without a button reads every click.
  assert.deepEqual(counts(await funnel({ steps: [view('/other'), click('buy'), { event_type: 'c_click' }] })), [1, 1, 1]);
  assert.deepEqual(counts(await funnel({ steps: [{ event_type: 'c_view' }, click('pay'), click('buy')], order: 'strict' })), [3, 1, 1]);
});

test('a breakdown groups units by their first start’s visit, most units first, null last', async () => {
  const res = await funnel({ steps: steps('k_a', 'k_b'), breakdown: 'referrer' });
  assert.deepEqual(counts(res), [3, 2]);
  assert.deepEqual(
    res.body.data.breakdown.map((g: { value: string | null; steps: { count: number }[] }) => [g.value, g.steps.map((s) => s.count)]),
    [
      ['google.com', [2, 1]],
      [null, [1, 1]],
    ],
  );
});

test('a bad funnel is a 400 naming the field', async () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ steps: steps('a') }, 'steps'],
    [{ steps: steps('a', 'b'), window: 'P1M' }, 'window'],
    [{ steps: steps('a', 'b'), window: 'P91D' }, 'window'],
    [{ steps: steps('a', 'b'), window: 'soon' }, 'window'],
    // Finer than a millisecond: refused, not cut (PT2160H0.000001S would otherwise pass as P90D).
    [{ steps: steps('a', 'b'), window: 'PT2.376545S' }, 'window'],
    [{ steps: steps('a', 'b'), window: 'PT0.000001S' }, 'window'],
    [{ steps: steps('a', 'b'), window: 'PT2160H0.000001S' }, 'window'],
    // An event type no event can have (the contract's rule) is refused, not answered with zeros.
    [{ steps: [{ event_type: 'page view' }, { event_type: 'b' }] }, 'steps/0/event_type'],
    [{ steps: steps('a', 'b'), event_type: 'page view' }, 'event_type'],
    [{ steps: steps('a', 'b'), order: 'any' }, 'order'],
    [{ steps: steps('a', 'b'), user_id: 'a\u0000b' }, 'user_id'],
    [{ steps: steps('a', 'b'), tz: 'Mars/Olympus' }, 'tz'],
    // A metadata key no event's metadata could hold (longer than its 32 KiB): refused as a long value is.
    [{ steps: [{ event_type: 'a', metadata: { ['k'.repeat(100_000)]: 'v' } }, { event_type: 'b' }] }, 'steps/0/metadata'],
    [{ steps: [{ event_type: 'a', metadata: { '': 'v' } }, { event_type: 'b' }] }, 'steps/0/metadata'],
  ];
  for (const [body, field] of cases) {
    const res = await funnel(body);
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.equal(res.body.errors[0].field, field, JSON.stringify(res.body));
  }
  // The long key is never repeated in the answer.
  const long = await funnel({ steps: [{ event_type: 'a', metadata: { ['k'.repeat(100_000)]: 'v' } }, { event_type: 'b' }] });
  assert.ok(JSON.stringify(long.body).length < 600, JSON.stringify(long.body).slice(0, 300));
  // A comma as the decimal sign is a window as a point is.
  assert.equal((await funnel({ steps: steps('a', 'b'), window: 'PT1,5H' })).status, 200);
  const nul = await funnel({ steps: [{ event_type: 'a\u0000' }, { event_type: 'b' }] });
  assert.equal(nul.status, 400);
});

test('a field with a fixed set of values lists them when refused', async () => {
  const breakdown = await funnel({ steps: steps('a', 'b'), breakdown: 'planet' });
  assert.equal(breakdown.body.errors[0].field, 'breakdown');
  for (const value of ['entry_page', 'referrer', 'device']) assert.match(breakdown.body.message, new RegExp(`"${value}"`), breakdown.body.message);
  const order = await funnel({ steps: steps('a', 'b'), order: 'any' });
  assert.equal(order.body.message, 'order: must be one of "ordered", "strict"');
  const unit = await funnel({ steps: steps('a', 'b'), unit: 'household' });
  assert.equal(unit.body.message, 'unit: must be one of "visit", "visitor", "user"');
});
