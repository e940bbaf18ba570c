// The fields the collector derives (docs/metrics.md § Per event), checked on the Kafka records of
// real requests: hostile URLs, referrers and user agents are accepted exactly as sent, and what is
// derived from them is the expected value (written out here, not computed by the code under test)
// and storable (within the columns, no NUL, no lone surrogate).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { LIMITS } from '#contract';
import { collectorBed, consumeRecords } from './helpers.ts';
import { USER_AGENTS } from '../support/user-agents.ts';

const bed = await collectorBed('collector-enrichment', { rateLimitMax: 0 });
const { app, kafka, topic } = bed;
after(() => bed.close());

const DERIVED = ['page_path', 'referrer_domain', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content', 'browser', 'os', 'device_type', 'is_bot', 'engaged_ms'];

// name, the event's own fields, the User-Agent header, and every derived field (absent ones omitted).
// Cases without any user agent are bots: the browser route flags a request no browser would send.
const cases: { name: string; fields: Record<string, unknown>; header?: string; derived: Record<string, unknown> }[] = [
  {
    name: 'a campaign page view from an external site on a phone',
    fields: { page_url: 'https://www.shop.example/Sale/?utm_source=news&utm_medium=email&utm_campaign=%C3%A9t%C3%A9&utm_term=a+b&utm_content=top', referrer: 'https://WWW.Example.org:8443/x', screen_width: 390 },
    header: USER_AGENTS.iphone,
    derived: { page_path: '/Sale', utm_source: 'news', utm_medium: 'email', utm_campaign: 'été', utm_term: 'a b', utm_content: 'top', referrer_domain: 'example.org', browser: 'Safari', os: 'iOS', device_type: 'mobile', is_bot: false },
  },
  {
    name: 'HeadlessChrome is a bot, stored and flagged',
    fields: { page_url: 'http://127.0.0.1:8080/', user_agent: USER_AGENTS.headlessChrome },
    derived: { page_path: '/', browser: 'Chrome', os: 'Linux', device_type: 'desktop', is_bot: true },
  },
  {
    name: 'percent-escapes that are not UTF-8 stay escaped in the path and become U+FFFD in a parameter',
    fields: { page_url: 'https://shop.example/%FF%C3%A9x/%00/%2F?utm_source=%FF%00bad', user_agent: USER_AGENTS.firefoxLinux },
    derived: { page_path: '/%FFéx/%00/%2F', utm_source: '\uFFFDbad', browser: 'Firefox', os: 'Linux', device_type: 'desktop', is_bot: false },
  },
  {
    name: 'a javascript: referrer is no referrer domain, and is stored as sent',
    fields: { page_url: 'https://shop.example/a', referrer: 'javascript:alert(document.cookie)', screen_width: 1000 },
    derived: { page_path: '/a', device_type: 'tablet', is_bot: true },
  },
  {
    name: 'an IDN referrer in its punycode form; an internal referrer of the same site is none',
    fields: { page_url: 'https://bücher.example/b//c/', referrer: 'https://münchen.example/' },
    derived: { page_path: '/b/c', referrer_domain: 'xn--mnchen-3ya.example', device_type: 'unknown', is_bot: true },
  },
  {
    name: 'internal referrer (www. on one side only)',
    fields: { page_url: 'https://www.shop.example/x', referrer: 'https://shop.example/' },
    derived: { page_path: '/x', device_type: 'unknown', is_bot: true },
  },
  {
    name: 'an IPv6 referrer with a port; an app referrer',
    fields: { page_url: 'https://[2001:db8::2]:8443/', referrer: 'http://[2001:DB8::1]:8080/p' },
    derived: { page_path: '/', referrer_domain: '[2001:db8::1]', device_type: 'unknown', is_bot: true },
  },
  {
    name: 'android-app referrer: the package name',
    fields: { page_url: 'https://shop.example/', referrer: 'android-app://com.google.android.gm/' },
    derived: { page_path: '/', referrer_domain: 'com.google.android.gm', device_type: 'unknown', is_bot: true },
  },
  {
    name: 'a referrer that is not a URL, control characters in a UTM value, ref for utm_source',
    fields: { page_url: 'https://shop.example/?ref=%0Ahn%09', referrer: 'not a url \u0001' },
    derived: { page_path: '/', utm_source: 'hn', device_type: 'unknown', is_bot: true },
  },
  {
    name: 'a page_unload: engaged time from metadata.time_on_page',
    fields: { event_type: 'page_unload', page_url: 'https://shop.example/p', metadata: { time_on_page: 12_000 } },
    header: USER_AGENTS.chromeWindows,
    derived: { page_path: '/p', engaged_ms: 12_000, browser: 'Chrome', os: 'Windows', device_type: 'desktop', is_bot: false },
  },
  {
    name: 'an unknown user agent of odd text: its first token, cut to the column on whole characters',
    fields: { page_url: 'https://shop.example/', user_agent: `${'😀'.repeat(60)}/1.0 (\u0007x)` },
    derived: { page_path: '/', browser: '😀'.repeat(LIMITS.browser), device_type: 'unknown', is_bot: false },
  },
  {
    name: 'a URL at its limit whose path outgrows the column is cut on a whole escape',
    fields: { page_url: `https://s.example/ab${'\u0001x'.repeat(239)}` },
    derived: { page_path: `/ab${'%01x'.repeat(124)}`, device_type: 'unknown', is_bot: true },
  },
  {
    name: 'no user agent at all on the browser route: a script, flagged as a bot (every browser sends one)',
    fields: { page_url: 'https://shop.example/plain' },
    derived: { page_path: '/plain', device_type: 'unknown', is_bot: true },
  },
];

test('derived fields on the Kafka record: the expected values, every field the client sent kept as sent', async () => {
  const sent: Record<string, unknown>[] = [];
  for (const c of cases) {
    const event = { event_id: randomUUID(), event_type: 'page_view', session_id: 's-enrich', ...c.fields };
    // No header is an empty one: inject would otherwise send its own user agent.
    const headers = { 'content-type': 'application/json', 'user-agent': c.header ?? '' };
    const res = await app.inject({ method: 'POST', url: '/analytics', headers, payload: JSON.stringify(event) });
    assert.equal(res.statusCode, 200, `${c.name}: ${res.body}`);
    sent.push(event);
  }
  const records = await consumeRecords(kafka, topic, cases.length);
  const byId = new Map(records.map((r) => [String(r.value.event_id), r.value]));
  for (const [i, c] of cases.entries()) {
    const event = sent[i]!;
    const record = byId.get(String(event.event_id));
    assert.ok(record, c.name);
    for (const [key, value] of Object.entries(event)) assert.deepEqual(record[key], value, `${c.name}: ${key} as sent`);
    const derived = Object.fromEntries(DERIVED.filter((key) => key in record).map((key) => [key, record[key]]));
    assert.deepEqual(derived, c.derived, c.name);
  }
});
