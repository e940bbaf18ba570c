// GET /paths against the real PostgreSQL on a hand fixture (docs/metrics.md § Paths): every count
// below is worked out from the visits listed here.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiBed, enrichedRow, type ApiBed } from './api-bed.ts';

const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
let bed: ApiBed;

/** A visit of `visitor` starting at `hour`:00 UTC on 2026-11-19, one page view a minute (types other than page_view as `type@page`). */
function visit(visitor: string, hour: number, pages: string[], over: { is_bot?: boolean } = {}) {
  return pages.map((entry, i) => {
    const [type, page] = entry.includes('@') ? entry.split('@') : ['page_view', entry];
    const at = new Date(Date.UTC(2026, 10, 19, hour, i)).toISOString();
    return enrichedRow({ project_id: bed.shop.project.id, visitor_id: visitor, event_type: type!, timestamp: at, received_at: at, page_url: `https://shop.example${page}`, user_agent: over.is_bot ? 'Googlebot/2.1' : CHROME });
  });
}

before(async () => {
  bed = await apiBed();
  const rows = [
    ...visit('h:a', 10, ['/', '/pricing', '/signup']),
    ...visit('h:b', 10, ['/', '/', 'button_click@/', '/pricing', '/signup', '/done']), // a reload and a click: still / → /pricing → /signup
    ...visit('h:c', 11, ['/', '/docs', '/pricing']),
    ...visit('h:d', 12, ['/blog', '/', '/pricing', '/signup']),
    ...visit('h:e', 13, ['/pricing']),
    ...visit('h:bot', 14, ['/', '/pricing', '/signup'], { is_bot: true }),
  ];
  assert.equal(await bed.store(rows), rows.length);
});

after(() => bed?.close());

async function paths(query: Record<string, string | number>) {
  const res = await bed.get(`/api/v1/projects/${bed.shop.project.id}/paths`, bed.shop.readKey, { from: '2026-11-19', to: '2026-11-19', tz: 'UTC', ...query });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.data.map((r: { path: string[]; visits: number }) => [r.path.join(' > '), r.visits]);
}

test('page sequences of visits from their entry, repeats collapsed, most visits first then bytewise', async () => {
  assert.deepEqual(await paths({ steps: 3 }), [
    ['/ > /pricing > /signup', 2],
    ['/ > /docs > /pricing', 1],
    ['/blog > / > /pricing', 1],
    ['/pricing', 1],
  ]);
  assert.deepEqual(await paths({ steps: 1 }), [
    ['/', 3],
    ['/blog', 1],
    ['/pricing', 1],
  ]);
});

test('start_page starts each path at its first view; end_page cuts it there and leaves out visits that never reach it', async () => {
  assert.deepEqual(await paths({ steps: 2, start_page: '/pricing' }), [
    ['/pricing > /signup', 3],
    ['/pricing', 2],
  ]);
  assert.deepEqual(await paths({ steps: 4, end_page: '/pricing' }), [
    ['/ > /pricing', 2],
    ['/ > /docs > /pricing', 1],
    ['/blog > / > /pricing', 1],
    ['/pricing', 1],
  ]);
  // /signup is the 4th page of d's visit: beyond 3 steps.
  assert.deepEqual(await paths({ steps: 3, end_page: '/signup' }), [['/ > /pricing > /signup', 2]]);
});

test('bots count only when asked; a bad steps is a 400 naming it', async () => {
  assert.deepEqual((await paths({ steps: 3, include_bots: 'true' } as never))[0], ['/ > /pricing > /signup', 3]);
  const res = await bed.get(`/api/v1/projects/${bed.shop.project.id}/paths`, bed.shop.readKey, { steps: 11 });
  assert.equal(res.status, 400);
  assert.equal(res.body.errors[0].field, 'steps');
});
