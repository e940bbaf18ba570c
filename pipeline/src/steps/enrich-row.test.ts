import { test } from 'node:test';
import assert from 'node:assert/strict';
import { enrichRow } from './enrich-row.ts';
import { UNENRICHED, type EventRow } from './normalize-event.ts';
import { USER_AGENTS } from '../../../test/support/user-agents.ts';

const row = (fields: Partial<EventRow>): EventRow => ({
  project_id: '5b0c3c1e-7f2a-4d3b-9c4d-0123456789ab',
  event_id: '7d3c8a10-1b2c-4d5e-8f90-a1b2c3d4e5f6',
  timestamp: '2026-01-01T00:00:00.000Z',
  event_type: 'page_view',
  page_url: 'https://www.shop.example/pricing/?utm_source=ads&utm_campaign=x',
  page_title: null,
  button_id: null,
  session_id: 's',
  user_agent: USER_AGENTS.iphone,
  site_id: null,
  metadata: '{}',
  received_at: '2026-01-01T00:00:00.000Z',
  client_timestamp: null,
  timestamp_adjustment: null,
  user_id: null,
  anonymous_id: null,
  referrer: 'https://news.example/',
  screen_width: null,
  ...UNENRICHED,
  ...fields,
});

test('enrichRow derives the per-event fields of rows that lack them, as the collector would', () => {
  const cases: [string, Partial<EventRow>, Partial<EventRow>][] = [
    [
      'an unenriched page view',
      {},
      { page_path: '/pricing', utm_source: 'ads', utm_campaign: 'x', utm_medium: null, referrer_domain: 'news.example', browser: 'Safari', os: 'iOS', device_type: 'mobile', is_bot: false, engaged_ms: null },
    ],
    ['the screen width of the record decides the device', { screen_width: 1400 }, { device_type: 'desktop' }],
    ['a headless browser is a bot', { user_agent: USER_AGENTS.headlessChrome }, { is_bot: true, browser: 'Chrome', os: 'Linux' }],
    ['a page_unload: engaged time from the stored metadata', { event_type: 'page_unload', metadata: '{"time_on_page":8000}' }, { engaged_ms: 8000 }],
    ['other events read no engaged time', { event_type: 'button_click', metadata: '{"time_on_page":8000}' }, { engaged_ms: null }],
    ['no user agent: unknown device, not a bot', { user_agent: null }, { browser: null, os: null, device_type: 'unknown', is_bot: false }],
    ['a page_url that is not a URL: no path, no UTM', { page_url: '' }, { page_path: null, utm_source: null, referrer_domain: 'news.example' }],
    // A record that carried some fields but not page_path: what it carried is kept.
    ['carried fields kept', { utm_source: 'carried', browser: 'Carried', device_type: 'tv' }, { page_path: '/pricing', utm_source: 'carried', browser: 'Carried', device_type: 'tv' }],
    ['a carried bot flag is kept', { is_bot: true }, { is_bot: true }],
  ];
  for (const [name, fields, expected] of cases) {
    const out = enrichRow(row(fields));
    for (const [key, value] of Object.entries(expected)) assert.deepEqual(out[key as keyof EventRow], value, `${name}: ${key}`);
  }
});

test('a row that has a page_path (a collector record) is returned as it is', () => {
  const enriched = row({ page_path: '/kept', browser: null, is_bot: false });
  assert.equal(enrichRow(enriched), enriched);
});
