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
