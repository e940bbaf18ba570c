// Saved funnels: created with a name (refused when the name is taken or the funnel invalid),
// listed per project only, and read back with their analytics for a range, equal to POST
// /funnels with the same definition; another project's saved funnel is a 404.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiBed, enrichedRow, type Answer, type ApiBed, type Tenant } from './api-bed.ts';

const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
let bed: ApiBed;

async function call(t: Tenant, method: 'GET' | 'POST', path: string, payload?: object): Promise<Answer> {
  const res = await bed.app.inject({ method, url: `/api/v1/projects/${t.project.id}${path}`, headers: { 'x-api-key': t.readKey }, ...(payload ? { payload } : {}) });
  return { status: res.statusCode, body: res.json() };
}

before(async () => {
  bed = await apiBed();
  const ev = (visitor: string, time: string, type: string) =>
    enrichedRow({ project_id: bed.shop.project.id, visitor_id: visitor, event_type: type, timestamp: time, received_at: time, page_url: 'https://shop.example/', user_agent: CHROME });
  const rows = [ev('h:a', '2026-11-19T10:00:00Z', 'view'), ev('h:a', '2026-11-19T10:05:00Z', 'buy'), ev('h:b', '2026-11-19T11:00:00Z', 'view'), ev('h:c', '2026-11-20T11:00:00Z', 'view')];
  assert.equal(await bed.store(rows), rows.length);
});

after(() => bed?.close());

const DEFINITION = { steps: [{ event_type: 'view', label: 'Viewed' }, { event_type: 'buy' }], window: 'PT1H', unit: 'visitor' };

test('a saved funnel is listed in its project only and reads as POST /funnels does, for any range', async () => {
  const created = await call(bed.shop, 'POST', '/saved-funnels', { name: 'View to buy', ...DEFINITION });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id = created.body.data.funnel_id;
  // Stored with the defaults filled in, so a later change of a default cannot change a saved funnel.
  assert.deepEqual(created.body.data.definition, { ...DEFINITION, order: 'ordered', include_bots: false });
  const list = await call(bed.shop, 'GET', '/saved-funnels');
  assert.deepEqual(list.body.data.map((f: { name: string }) => f.name), ['View to buy']);
  assert.deepEqual((await call(bed.blog, 'GET', '/saved-funnels')).body.data, []);

  for (const range of [{ from: '2026-11-19', to: '2026-11-19' }, { from: '2026-11-19', to: '2026-11-20' }]) {
    const query = new URLSearchParams({ ...range, tz: 'UTC' });
    const saved = await call(bed.shop, 'GET', `/saved-funnels/${id}?${query}`);
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    const direct = await call(bed.shop, 'POST', '/funnels', { ...DEFINITION, ...range, tz: 'UTC' });
    assert.deepEqual(saved.body.data, direct.body.data);
  }
  const day = await call(bed.shop, 'GET', `/saved-funnels/${id}?from=2026-11-19&to=2026-11-19&tz=UTC`);
  assert.deepEqual(day.body.data.steps.map((s: { count: number }) => s.count), [2, 1]);
  assert.equal(day.body.data.steps[0].label, 'Viewed');

  // Another project's key on its own project: the id is not there.
  assert.equal((await call(bed.blog, 'GET', `/saved-funnels/${id}`)).status, 404);
  // Not an id at all: a 400 naming the parameter, not a 404 as if it were an id the project lacks.
  const malformed = await call(bed.shop, 'GET', '/saved-funnels/not-a-uuid');
  assert.equal(malformed.status, 400);
  assert.equal(malformed.body.errors[0].field, 'funnel_id');
});

test('a taken name is a 409; an invalid funnel is a 400 naming the field, and nothing is saved', async () => {
  await call(bed.shop, 'POST', '/saved-funnels', { name: 'Twice', ...DEFINITION });
  const again = await call(bed.shop, 'POST', '/saved-funnels', { name: 'Twice', ...DEFINITION });
  assert.equal(again.status, 409);
  assert.equal(again.body.errors[0].field, 'name');
  for (const [body, field] of [
    [{ name: 'Bad window', ...DEFINITION, window: 'P1M' }, 'window'],
    [{ name: 'One step', steps: [{ event_type: 'view' }] }, 'steps'],
    [{ name: '', ...DEFINITION }, 'name'],
    [{ name: 'With a range', ...DEFINITION, from: '2026-11-19' }, 'from'],
  ] as const) {
    const res = await call(bed.shop, 'POST', '/saved-funnels', body);
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.equal(res.body.errors[0].field, field, JSON.stringify(res.body));
  }
  const names = (await call(bed.shop, 'GET', '/saved-funnels')).body.data.map((f: { name: string }) => f.name);
  assert.ok(!names.includes('Bad window') && !names.includes('One step'));
});

test('names compare in Unicode NFC: the decomposed form of a taken name is a 409; each name is stored as sent', async () => {
  const composed = 'Checkout \u00fc';
  const decomposed = 'Checkout u\u0308';
  const first = await call(bed.shop, 'POST', '/saved-funnels', { name: decomposed, ...DEFINITION });
  assert.equal(first.status, 201, JSON.stringify(first.body));
  assert.equal(first.body.data.name, decomposed);
  const again = await call(bed.shop, 'POST', '/saved-funnels', { name: composed, ...DEFINITION });
  assert.deepEqual([again.status, again.body.error, again.body.errors[0].field], [409, 'name_taken', 'name']);
  const stored = (await call(bed.shop, 'GET', '/saved-funnels')).body.data.filter((f: { name: string }) => f.name.normalize('NFC') === composed);
  assert.deepEqual(stored.map((f: { name: string }) => f.name), [decomposed]);
  // Another project may use the name.
  assert.equal((await call(bed.blog, 'POST', '/saved-funnels', { name: composed, ...DEFINITION })).status, 201);
});

test('a name of only whitespace (spaces, a tab, a no-break or zero-width space) is a 400 naming name', async () => {
  for (const name of ['   ', '\t', '\u00a0', '\u200b', ' \u3000 ']) {
    const res = await call(bed.shop, 'POST', '/saved-funnels', { name, ...DEFINITION });
    assert.deepEqual([res.status, res.body.error, res.body.errors?.[0]?.field], [400, 'invalid_parameter', 'name'], JSON.stringify(name));
  }
  // Spaces inside a name are part of it.
  assert.equal((await call(bed.shop, 'POST', '/saved-funnels', { name: ' Spaced  out ', ...DEFINITION })).status, 201);
});
