// The reads of an ordered funnel: one index range per step type (and its pages when every step of
// the type names one), with events without a page read when a step's page is /. The SQL's
// results against the reference are the property test's (test/api/funnels.property.test.ts).
import assert from 'node:assert/strict';
import test from 'node:test';
import { stepReads } from './funnel-reads.ts';
import { SqlParams } from './sql-params.ts';

const reads = (steps: Parameters<typeof stepReads>[0]) => {
  const p = new SqlParams();
  // Placeholders replaced by their values, so the test reads what the database would compare.
  return stepReads(steps, p).map((sql) => sql.replace(/\$(\d+)/g, (_, n: string) => JSON.stringify(p.values[Number(n) - 1])));
};

test('steps of one type that all name a page read those pages only; a page of / also reads events without a page', () => {
  assert.deepEqual(reads([{ event_type: 'page_view', page: '/' }, { event_type: 'page_view', page: '/pricing' }, { event_type: 'page_view', page: '/' }]), [
    'e.event_type = "page_view" AND e.page_path = ANY(["/","/pricing"]::text[])',
    'e.event_type = "page_view" AND e.page_path IS NULL',
  ]);
  assert.deepEqual(reads([{ event_type: 'page_view', page: '/pricing' }, { event_type: 'signup' }]), ['e.event_type = "page_view" AND e.page_path = ANY(["/pricing"]::text[])', 'e.event_type = "signup"']);
});

test('steps of one type that all name a button (and not all a page) read those buttons only', () => {
  assert.deepEqual(reads([{ event_type: 'page_view', page: '/' }, { event_type: 'button_click', button_id: 'buy' }, { event_type: 'button_click', button_id: 'pay' }, { event_type: 'button_click', button_id: 'buy' }]), [
    'e.event_type = "page_view" AND e.page_path = ANY(["/"]::text[])',
    'e.event_type = "page_view" AND e.page_path IS NULL',
    'e.event_type = "button_click" AND e.button_id = ANY(["buy","pay"]::text[])',
  ]);
  // Pages win when every step names both: one range per page.
  assert.deepEqual(reads([{ event_type: 'button_click', page: '/cart', button_id: 'buy' }, { event_type: 'page_view' }]), ['e.event_type = "button_click" AND e.page_path = ANY(["/cart"]::text[])', 'e.event_type = "page_view"']);
});

test('a step of a type with neither a page nor a button reads the whole type, whatever the other steps of that type name', () => {
  assert.deepEqual(reads([{ event_type: 'page_view', page: '/' }, { event_type: 'button_click', button_id: 'buy' }, { event_type: 'page_view' }, { event_type: 'button_click' }]), ['e.event_type = "page_view"', 'e.event_type = "button_click"']);
  assert.deepEqual(reads([{ event_type: 'button_click', button_id: 'buy' }, { event_type: 'button_click', page: '/cart' }]), ['e.event_type = "button_click"']);
});
