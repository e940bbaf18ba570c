// Which events an ordered funnel reads, as disjoint conditions on `analytics_events e`, one per
// index range of the step index (025, key project_id, event_type, page_path, "timestamp"): per
// event type of the steps, its steps' pages when every step of that type names one (a page of /
// also matches events without a page), else the whole type. The reads are UNION ALLed, so each
// must be one index range for an index-only scan; each event lies in at most one of them. They
// only narrow the read: each step's full definition is applied to what they return.
import type { FunnelStep } from './funnel-query.ts';
import type { SqlParams } from './sql-params.ts';

export function stepReads(steps: readonly FunnelStep[], p: SqlParams): string[] {
  const reads: string[] = [];
  for (const type of new Set(steps.map((s) => s.event_type))) {
    const ofType = steps.filter((s) => s.event_type === type);
    const typeSql = `e.event_type = ${p.add(type)}`;
    const pages = ofType.every((s) => s.page !== undefined) ? [...new Set(ofType.map((s) => s.page!))] : undefined;
    if (pages === undefined) {
      reads.push(typeSql);
      continue;
    }
    reads.push(`${typeSql} AND e.page_path = ANY(${p.add(pages)}::text[])`);
    if (pages.includes('/')) reads.push(`${typeSql} AND e.page_path IS NULL`);
  }
  return reads;
}
