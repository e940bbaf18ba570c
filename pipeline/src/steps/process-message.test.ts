import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PROJECT_ID } from '#contract';
import { processMessage } from './process-message.ts';

const ctx = { topic: 't', partition: 0, offset: '1', timestamp: '1767225600000', key: null };
const valid = {
  event_id: '7d3c8a10-1b2c-4d5e-8f90-a1b2c3d4e5f6',
  event_type: 'page_view',
  page_url: 'https://x.example/',
  timestamp: '2026-01-01T00:00:00Z',
  received_at: '2026-01-01T00:00:00Z',
};

const PROJECT = '5b0c3c1e-7f2a-4d3b-9c4d-0123456789ab';
const json = (value: object) => Buffer.from(JSON.stringify(value));

test('processMessage composes parse, validate and normalize, and names the project even of a rejected record', () => {
  type Expected = { ok: boolean; normalized: boolean; reason?: string; projectId: string | null; rowProject?: string };
  const cases: [string, Buffer | null, Expected][] = [
    ['collector event, no project', json(valid), { ok: true, normalized: false, projectId: DEFAULT_PROJECT_ID, rowProject: DEFAULT_PROJECT_ID }],
    ['collector event of a project', json({ ...valid, project_id: PROJECT, user_id: 'u' }), { ok: true, normalized: false, projectId: PROJECT, rowProject: PROJECT }],
    ['other producer', Buffer.from('{"event_type":"x"}'), { ok: true, normalized: true, projectId: DEFAULT_PROJECT_ID, rowProject: DEFAULT_PROJECT_ID }],
    ['poison bytes: project unknown', Buffer.from('nope'), { ok: false, normalized: false, reason: 'invalid_json', projectId: null }],
    ['no type: project known', json({ page_url: 'https://x.example/', project_id: PROJECT }), { ok: false, normalized: true, reason: 'missing_event_type', projectId: PROJECT }],
    ['project_id not a UUID', json({ ...valid, project_id: 'acme' }), { ok: false, normalized: true, reason: 'invalid_project_id', projectId: null }],
    // Refused as the collector refuses them, never loaded as something else.
    ['nil event_id', json({ ...valid, event_id: '00000000-0000-0000-0000-000000000000' }), { ok: false, normalized: true, reason: 'invalid_event_id', projectId: DEFAULT_PROJECT_ID }],
    ['negative zero', Buffer.from(JSON.stringify(valid).replace('}', ',"metadata":{"n":-0.0}}')), { ok: false, normalized: false, reason: 'inexact_value', projectId: null }],
  ];
  for (const [name, input, expected] of cases) {
    const { outcome, normalized, projectId } = processMessage(input, ctx);
    assert.equal(outcome.ok, expected.ok, name);
    assert.equal(normalized, expected.normalized, name);
    assert.equal(projectId, expected.projectId, name);
    if (!outcome.ok) assert.equal(outcome.reason, expected.reason, name);
    else assert.equal(outcome.value.project_id, expected.rowProject, name);
  }
});

test('date-times timestamptz cannot read as written are loaded as the same instant', () => {
  const record = { ...valid, timestamp: '0000-01-01T00:00:00Z', received_at: '2026-11-20T10:00:00+16:00', client_timestamp: '1969-12-31T23:59:59.999999-23:59', timestamp_adjustment: 'clamped_past' };
  const { outcome, normalized } = processMessage(Buffer.from(JSON.stringify(record)), ctx);
  assert.equal(normalized, false);
  assert.ok(outcome.ok);
  assert.equal(outcome.value.timestamp, '0001-01-01 00:00:00+00 BC');
  assert.equal(outcome.value.received_at, '2026-11-19 18:00:00+00');
  assert.equal(outcome.value.client_timestamp, '1970-01-01 23:58:59.999999+00');
});

test('records without the collector\'s enrichment get it derived; a record that carries it keeps its values', () => {
  const ua = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36';
  const view = { ...valid, page_url: 'https://x.example/a/?ref=hn', referrer: 'https://news.example/', user_agent: ua, screen_width: 500 };
  // Written before enrichment existed: satisfies the contract, lacks page_path.
  const older = processMessage(json(view), ctx);
  assert.equal(older.normalized, false);
  assert.ok(older.outcome.ok);
  assert.deepEqual(
    { ...older.outcome.value, visitor_id: undefined },
    { ...older.outcome.value, visitor_id: undefined, page_path: '/a', utm_source: 'hn', referrer_domain: 'news.example', browser: 'Chrome', os: 'Linux', device_type: 'mobile', is_bot: true },
  );
  // Another producer's record, screen width as digits: normalized, then derived the same way.
  const foreign = processMessage(json({ event_type: 'page_view', page_url: view.page_url, user_agent: ua, screen_width: '500' }), ctx);
  assert.equal(foreign.normalized, true);
  assert.ok(foreign.outcome.ok);
  assert.equal(foreign.outcome.value.screen_width, 500);
  assert.equal(foreign.outcome.value.page_path, '/a');
  assert.equal(foreign.outcome.value.device_type, 'mobile');
  assert.equal(foreign.outcome.value.is_bot, true);
  // A collector record carries its enrichment: taken as is, nothing derived again.
  const collected = processMessage(json({ ...view, page_path: '/as-collected', device_type: 'desktop', is_bot: false }), ctx);
  assert.ok(collected.outcome.ok);
  assert.equal(collected.outcome.value.page_path, '/as-collected');
  assert.equal(collected.outcome.value.device_type, 'desktop');
  assert.equal(collected.outcome.value.is_bot, false);
  assert.equal(collected.outcome.value.utm_source, null);
});
