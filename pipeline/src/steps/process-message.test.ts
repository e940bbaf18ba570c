import { test } from 'node:test';
import assert from 'node:assert/strict';
import { processMessage } from './process-message.ts';

const ctx = { topic: 't', partition: 0, offset: '1', timestamp: '1767225600000', key: null };
const valid = {
  event_id: '7d3c8a10-1b2c-4d5e-8f90-a1b2c3d4e5f6',
  event_type: 'page_view',
  page_url: 'https://x.example/',
  timestamp: '2026-01-01T00:00:00Z',
  received_at: '2026-01-01T00:00:00Z',
};

test('processMessage composes parse, validate and normalize', () => {
  const cases: [string, Buffer | null, { ok: boolean; normalized: boolean; reason?: string }][] = [
    ['collector event', Buffer.from(JSON.stringify(valid)), { ok: true, normalized: false }],
    ['other producer', Buffer.from('{"event_type":"x"}'), { ok: true, normalized: true }],
    ['poison bytes', Buffer.from('nope'), { ok: false, normalized: false, reason: 'invalid_json' }],
    ['no type', Buffer.from('{"page_url":"https://x.example/"}'), { ok: false, normalized: true, reason: 'missing_event_type' }],
  ];
  for (const [name, input, expected] of cases) {
    const { outcome, normalized } = processMessage(input, ctx);
    assert.equal(outcome.ok, expected.ok, name);
    assert.equal(normalized, expected.normalized, name);
    if (!outcome.ok) assert.equal(outcome.reason, expected.reason, name);
  }
});
