import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { validateCollectedEvent } from '#contract';
import { deriveEnrichment, type Enrichment, type EnrichmentInput } from './index.ts';
import { USER_AGENTS } from '../test/support/user-agents.ts';

test('deriveEnrichment: every per-event field from one event', () => {
  const cases: { name: string; input: EnrichmentInput; expected: Enrichment }[] = [
    {
      name: 'a page view from a campaign link, on a phone',
      input: {
        event_type: 'page_view',
        page_url: 'https://www.shop.example/Spring/sale/?utm_source=newsletter&utm_medium=email&utm_campaign=spring+sale#top',
        referrer: 'https://mail.google.com/mail/u/0/',
        user_agent: USER_AGENTS.iphone,
        screen_width: 390,
      },
      expected: {
        page_path: '/Spring/sale',
        utm_source: 'newsletter',
        utm_medium: 'email',
        utm_campaign: 'spring sale',
        referrer_domain: 'mail.google.com',
        browser: 'Safari',
        os: 'iOS',
        device_type: 'mobile',
        is_bot: false,
      },
    },
    {
      name: 'an internal navigation by a desktop browser, no screen width: the platform',
      input: { event_type: 'navigation_click', page_url: 'https://shop.example/cart', referrer: 'https://www.shop.example/', user_agent: USER_AGENTS.chromeWindows },
      expected: { page_path: '/cart', browser: 'Chrome', os: 'Windows', device_type: 'desktop', is_bot: false },
    },
    {
      name: 'a page_unload of a headless browser: engaged time, flagged as a bot',
      input: { event_type: 'page_unload', page_url: 'http://127.0.0.1:8080/', user_agent: USER_AGENTS.headlessChrome, screen_width: 1280, metadata: { time_on_page: 4200 } },
      expected: { page_path: '/', browser: 'Chrome', os: 'Linux', device_type: 'desktop', is_bot: true, engaged_ms: 4200 },
    },
    {
      name: "a backend's event (no user agent, nulls of a stored row): not a bot, unknown device",
      input: { event_type: 'order_paid', page_url: 'https://shop.example/checkout?ref=partner', referrer: null, user_agent: null, screen_width: null, metadata: { amount: 42 } },
      expected: { page_path: '/checkout', utm_source: 'partner', device_type: 'unknown', is_bot: false },
    },
    {
      name: 'a page_url that is not a URL (other producers): no path, no UTM; an external referrer still counts',
      input: { event_type: 'page_view', page_url: 'not a url', referrer: 'https://t.co/abc' },
      expected: { referrer_domain: 't.co', device_type: 'unknown', is_bot: false },
    },
  ];
  for (const c of cases) assert.deepEqual(deriveEnrichment(c.input), c.expected, c.name);
});

// Text that breaks parsers and databases: escapes, NUL, lone surrogates, controls, odd schemes.
const piece = fc.oneof(
  fc.constantFrom('%', '%00', '%FF', '%C3', '%E0%A4', '%2F', '%2e%2e', '%25', '/', '//', '.', '..', '?', '&', '=', '#', '+', '\\', '@', ':', '[', ']', '[::1]', 'www.', 'xn--', 'xn--bcher-kva', 'bücher', 'utm_source=', 'utm_term=', 'ref=', 'source=', 'time_on_page', '\u0000', '\u0001', '\u0085', '\t', '\n', ' ', '\uD800', '\uDC00', '😀', 'é', 'HeadlessChrome', 'Mozilla/5.0 (', 'javascript:', 'android-app://', 'data:'),
  fc.string({ unit: 'binary', maxLength: 20 }),
);
const hostileText = fc.array(piece, { maxLength: 60 }).map((parts) => parts.join(''));
const urlLike = fc.oneof(
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  hostileText.map((s) => `https://shop.example/${s}`),
  hostileText.map((s) => `https://shop.example/p?${s}`),
  hostileText.map((s) => `http://${s}/x`),
  fc.constantFrom('javascript:', 'android-app://', 'http://', 'https://').chain((scheme) => hostileText.map((s) => scheme + s)),
  hostileText,
);
const input = fc.record(
  {
    event_type: fc.constantFrom('page_view', 'page_unload', 'button_click', 'x'),
    page_url: urlLike,
    referrer: fc.oneof(urlLike, fc.constant(null)),
    user_agent: fc.oneof(fc.constantFrom(...Object.values(USER_AGENTS)), hostileText, fc.constant(null)),
    screen_width: fc.oneof(fc.integer({ min: -1, max: 200_000 }), fc.double(), fc.constant(null)),
    metadata: fc.oneof(fc.anything(), fc.record({ time_on_page: fc.oneof(fc.integer(), fc.double(), fc.string()) })),
  },
  { requiredKeys: ['event_type', 'page_url'] },
);

test('hostile input never throws, and every derived value is storable: the contract accepts it', () => {
  const base = { event_id: '6f1c1a52-3b7e-4d6a-9a55-0c1b2d3e4f50', event_type: 'page_view', page_url: 'https://shop.example/', timestamp: '2026-11-30T12:00:00.000Z', received_at: '2026-11-30T12:00:00.000Z' };
  fc.assert(
    fc.property(input, (event) => {
      const derived = deriveEnrichment(event);
      const valid = validateCollectedEvent({ ...base, ...derived });
      assert.ok(valid.ok, `${JSON.stringify(event)} -> ${JSON.stringify(derived)}: ${JSON.stringify(valid)}`);
      // Nothing invisible or unstorable in what reports show.
      for (const [key, value] of Object.entries(derived)) {
        // eslint-disable-next-line no-control-regex -- exactly what must not be there
        if (typeof value === 'string') assert.doesNotMatch(value, /[\u0000-\u001f\u007f-\u009f]/, `${key} of ${JSON.stringify(event)}`);
      }
    }),
    { numRuns: 3000 },
  );
});
