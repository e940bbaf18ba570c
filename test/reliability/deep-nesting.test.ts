// Regression: metadata nested thousands of levels deep (a ~600 KB body, under the collector's
// body limit) made the contract's size check overflow the stack, so the collector answered 500.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateCollectedEvent, validateIncomingEvent } from '#contract';

const LEVELS = 100_000;
const nestedObjects = JSON.parse(`${'{"a":'.repeat(LEVELS)}1${'}'.repeat(LEVELS)}`) as unknown;
const nestedArrays = JSON.parse(`{"a":${'['.repeat(LEVELS)}${']'.repeat(LEVELS)}}`) as unknown;
const base = { event_id: '0b6c3f0e-5d2a-4f7e-9b1c-2a9d8e7f6a5b', event_type: 'page_view', page_url: 'http://a.example/', timestamp: '2026-01-31T12:00:00Z', received_at: '2026-01-31T12:00:00Z' };

for (const [name, metadata] of [['objects', nestedObjects], ['arrays', nestedArrays]] as const) {
  for (const [which, validate] of [['incoming', validateIncomingEvent], ['collected', validateCollectedEvent]] as const) {
    test(`${which} event with metadata of ${LEVELS} nested ${name}: refused by field, no stack overflow`, () => {
      const result = validate({ ...base, metadata });
      assert.equal(result.ok, false);
      if (!result.ok) assert.ok(result.errors.some((e) => e.field.startsWith('/metadata') && /nest deeper/.test(e.message)), JSON.stringify(result.errors));
    });
  }
}
