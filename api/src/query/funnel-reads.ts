// Which events an ordered funnel reads, as disjoint conditions on `analytics_events e`, one per
// index range: per event type of the steps, its steps' pages when every step of that type names
// one (index 025, key project_id, event_type, page_path, "timestamp"; a page of / also matches
// events without a page), else its steps' buttons when every step of that type names one (index
// 027, key project_id, event_type, button_id, "timestamp"), else the whole type. The reads are
// UNION ALLed, so each must be one index range for an index-only scan; each event lies in at most
// one of them. They only narrow the read: each step's full definition is applied to what they return.
import type { FunnelStep } from './funnel-query.ts';
import type { SqlParams } from './sql-params.ts';

export function stepReads(steps: readonly FunnelStep[], p: SqlParams): string[] {
  const reads: string[] = [];
  for (const type of new Set(steps.map((s) => s.event_type))) {
    const ofType = steps.filter((s) => s.event_type === type);
    const typeSql = `e.event_type = ${p.add(type)}`;
    const pages = ofType.every((s) => s.page !== undefined) ? [...new Set(ofType.map((s) => s.page!))] : undefined;
    if (pages === undefined) {
      const buttons = ofType.every((s) => s.button_id !== undefined) ? [...new Set(ofType.map((s) => s.button_id!))] : undefined;
      reads.push(buttons === undefined ? typeSql : `${typeSql} AND e.button_id = ANY(${p.add(buttons)}::text[])`);
      continue;
    }
    reads.push(`${typeSql} AND e.page_path = ANY(${p.add(pages)}::text[])`);
    if (pages.includes('/')) reads.push(`${typeSql} AND e.page_path IS NULL`);
  }
  return reads;
}
