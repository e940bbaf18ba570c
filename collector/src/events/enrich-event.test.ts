import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PROJECT_ID, validateCollectedEvent } from '#contract';
import { enrichEvent, judgeTimestamp } from './enrich-event.ts';
import { toRecord } from '../kafka/to-record.ts';
import { USER_AGENTS } from '../../../test/support/user-agents.ts';

const receivedAt = new Date('2026-03-01T12:00:00.000Z');
const limits = { maxFutureSkewMs: 5 * 60_000, maxPastAgeMs: 7 * 24 * 3600_000 };
const ctx = { receivedAt, newId: () => '00000000-0000-4000-8000-000000000001', ...limits };
const base = { event_type: 'page_view', page_url: 'http://test.com/page' };

test('timestamps: kept, normalised or clamped', () => {
  const cases: [string, string, string, string | undefined][] = [
    ['same instant', '2026-03-01T12:00:00Z', '2026-03-01T12:00:00.000Z', undefined],
    ['offset is normalised to UTC', '2026-03-01T13:00:00+01:00', '2026-03-01T12:00:00.000Z', undefined],
    ['microseconds are kept', '2026-03-01T13:00:00.123456+01:00', '2026-03-01T12:00:00.123456Z', undefined],
    ['tenths of a millisecond are kept', '2026-03-01T11:59:59.9999-00:00', '2026-03-01T11:59:59.9999Z', undefined],
    ['slightly ahead (clock skew) kept', '2026-03-01T12:04:59Z', '2026-03-01T12:04:59.000Z', undefined],
    ['just over 5 min ahead clamped', '2026-03-01T12:05:01Z', '2026-03-01T12:00:00.000Z', 'clamped_future'],
    ['years ahead clamped', '2099-01-01T00:00:00Z', '2026-03-01T12:00:00.000Z', 'clamped_future'],
    ['6 days old kept', '2026-02-23T12:00:00Z', '2026-02-23T12:00:00.000Z', undefined],
    ['8 days old clamped', '2026-02-21T12:00:00Z', '2026-03-01T12:00:00.000Z', 'clamped_past'],
    ['epoch clamped', '1970-01-01T00:00:00Z', '2026-03-01T12:00:00.000Z', 'clamped_past'],
  ];
  for (const [name, input, timestamp, adjustment] of cases) {
    const judged = judgeTimestamp(input, receivedAt, limits);
    assert.equal(judged.timestamp, timestamp, name);
    assert.equal(judged.adjustment, adjustment, name);
  }
});

test('enrichment fills ids, times and user agent, and the result satisfies CollectedEvent', () => {
  const cases: { name: string; input: Record<string, unknown>; ua?: string; expect: Record<string, unknown> }[] = [
    {
      name: 'minimal event gets id, timestamp and received_at',
      input: base,
      expect: { event_id: '00000000-0000-4000-8000-000000000001', timestamp: receivedAt.toISOString(), received_at: receivedAt.toISOString() },
    },
    { name: 'client event_id is kept', input: { ...base, event_id: '6f1c1a52-3b7e-4d6a-9a55-0c1b2d3e4f50' }, expect: { event_id: '6f1c1a52-3b7e-4d6a-9a55-0c1b2d3e4f50' } },
    { name: 'user agent from header when absent', input: base, ua: 'Mozilla/5.0 test', expect: { user_agent: 'Mozilla/5.0 test' } },
    { name: 'user agent in body wins', input: { ...base, user_agent: 'curl/7.0' }, ua: 'Mozilla/5.0', expect: { user_agent: 'curl/7.0' } },
    { name: 'control characters stripped from header', input: base, ua: 'a\u0000b\u0007c', expect: { user_agent: 'abc' } },
    { name: 'over-long header truncated to the contract limit', input: base, ua: 'x'.repeat(900), expect: { user_agent: 'x'.repeat(500) } },
    // Node hands header bytes over as Latin-1 characters; UTF-8 bytes are decoded as sent.
    { name: 'a UTF-8 header is decoded, not stored as Latin-1', input: base, ua: Buffer.from('Navigateur/1.0 (é 😀)').toString('latin1'), expect: { user_agent: 'Navigateur/1.0 (é 😀)' } },
    { name: 'a Latin-1 header stays Latin-1', input: base, ua: 'Agent \u00e9', expect: { user_agent: 'Agent \u00e9' } },
    { name: 'a long header is cut on whole characters', input: base, ua: Buffer.from(`${'x'.repeat(499)}😀😀`).toString('latin1'), expect: { user_agent: `${'x'.repeat(499)}😀` } },
    {
      name: 'future timestamp clamped, original kept',
      input: { ...base, timestamp: '2030-01-01T00:00:00Z' },
      expect: { timestamp: receivedAt.toISOString(), client_timestamp: '2030-01-01T00:00:00Z', timestamp_adjustment: 'clamped_future' },
    },
    {
      name: 'past timestamp clamped, original kept',
      input: { ...base, timestamp: '2020-01-01T00:00:00Z' },
      expect: { timestamp: receivedAt.toISOString(), client_timestamp: '2020-01-01T00:00:00Z', timestamp_adjustment: 'clamped_past' },
    },
  ];
  for (const c of cases) {
    const out = enrichEvent(c.input as never, { ...ctx, userAgentHeader: c.ua });
    for (const [key, value] of Object.entries(c.expect)) assert.deepEqual((out as Record<string, unknown>)[key], value, `${c.name}: ${key}`);
    const valid = validateCollectedEvent(out);
    assert.ok(valid.ok, `${c.name}: ${JSON.stringify(valid)}`);
  }
});

test('an unadjusted event carries no client_timestamp or adjustment', () => {
  const out = enrichEvent({ ...base, timestamp: '2026-03-01T11:59:00Z' }, ctx);
  assert.equal('client_timestamp' in out, false);
  assert.equal('timestamp_adjustment' in out, false);
});

test('Kafka record: keyed by project and visitor id (session, anonymous, user, event id when it has none); stamped with receipt time', () => {
  const project = { projectId: '11111111-1111-4111-8111-111111111111' };
  const withSession = enrichEvent({ ...base, session_id: 's-1', timestamp: '2099-01-01T00:00:00Z' }, ctx, project);
  const record = toRecord(withSession);
  assert.equal(record.key, `${project.projectId}:s-1`);
  assert.equal(record.timestamp, String(receivedAt.getTime()));
  assert.deepEqual(JSON.parse(record.value), withSession);
  assert.equal(JSON.parse(record.value).project_id, project.projectId);
  assert.equal(toRecord(enrichEvent(base, ctx)).key, `${DEFAULT_PROJECT_ID}:00000000-0000-4000-8000-000000000001`);
  const visitor = { ...base, anonymous_id: 'anon-9', user_id: 'u-3' };
  assert.equal(toRecord(enrichEvent(visitor, ctx, project)).key, `${project.projectId}:anon-9`);
  assert.equal(toRecord(enrichEvent({ ...base, user_id: 'u-3' }, ctx, project)).key, `${project.projectId}:u-3`);
  // Every event the collector publishes has its visitor id: that is the key.
  assert.equal(toRecord({ ...withSession, anonymous_id: 'anon-9', visitor_id: 'h:0123456789abcdef0123456789abcdef' }).key, `${project.projectId}:h:0123456789abcdef0123456789abcdef`);
  // The same session id in two projects: two keys.
  assert.notEqual(toRecord(enrichEvent({ ...base, session_id: 's-1' }, ctx)).key, record.key);
});

test('server events: identity fields kept, ip never written, backfill limit per project', () => {
  const out = enrichEvent(
    { ...base, user_id: 'u-1', anonymous_id: 'a-1', ip: '203.0.113.9', timestamp: '2026-01-01T00:00:00Z' },
    ctx,
    { projectId: DEFAULT_PROJECT_ID, maxPastAgeMs: 90 * 86_400_000 },
  );
  assert.equal(out.user_id, 'u-1');
  assert.equal(out.anonymous_id, 'a-1');
  assert.equal('ip' in out, false);
  assert.equal(out.timestamp, '2026-01-01T00:00:00.000Z');
  assert.equal(out.timestamp_adjustment, undefined);
  // The same timestamp without the project's retention is clamped at the service's 7 days.
  assert.equal(enrichEvent({ ...base, timestamp: '2026-01-01T00:00:00Z' }, ctx).timestamp_adjustment, 'clamped_past');
  assert.ok(validateCollectedEvent(out).ok);
});

test('the per-event fields of docs/metrics.md are derived from the event, with the user agent the record carries', () => {
  const view = {
    event_type: 'page_view',
    page_url: 'https://www.shop.example/pricing/?utm_source=news&ref=x',
    referrer: 'https://www.Google.com/search?q=shop',
    screen_width: 800,
  };
  const fromHeader = enrichEvent(view, { ...ctx, userAgentHeader: USER_AGENTS.android });
  assert.deepEqual(
    { ...fromHeader, event_id: undefined, timestamp: undefined, received_at: undefined },
    {
      ...view,
      event_id: undefined,
      timestamp: undefined,
      received_at: undefined,
      project_id: DEFAULT_PROJECT_ID,
      user_agent: USER_AGENTS.android,
      page_path: '/pricing',
      utm_source: 'news',
      referrer_domain: 'google.com',
      browser: 'Chrome',
      os: 'Android',
      device_type: 'tablet',
      is_bot: false,
    },
  );
  // The body's user agent wins over the header, for the derived fields too.
  const headless = enrichEvent({ ...view, user_agent: USER_AGENTS.headlessChrome }, { ...ctx, userAgentHeader: USER_AGENTS.android });
  assert.equal(headless.is_bot, true);
  assert.equal(headless.os, 'Linux');
  // A backend's page_unload: engaged time, no user agent, so not a bot and no device.
  const unload = enrichEvent({ event_type: 'page_unload', page_url: 'https://shop.example/', metadata: { time_on_page: 15_000 } }, ctx);
  assert.equal(unload.engaged_ms, 15_000);
  assert.equal(unload.is_bot, false);
  assert.equal(unload.device_type, 'unknown');
  for (const key of ['browser', 'os', 'referrer_domain', 'utm_source']) assert.equal(key in unload, false, key);
  assert.ok(validateCollectedEvent(fromHeader).ok && validateCollectedEvent(unload).ok);
  // The same event on the browser route with no user agent at all: a script, not a browser.
  assert.equal(enrichEvent(view, { ...ctx, fromBrowser: true }).is_bot, true);
  assert.equal(enrichEvent(view, { ...ctx, fromBrowser: true, userAgentHeader: '   ' }).is_bot, true);
  assert.equal(enrichEvent(view, { ...ctx, fromBrowser: true, userAgentHeader: USER_AGENTS.android }).is_bot, false);
  assert.equal(enrichEvent({ ...view, user_agent: USER_AGENTS.android }, { ...ctx, fromBrowser: true }).is_bot, false);
});
