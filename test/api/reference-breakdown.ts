// Brute-force /breakdown (docs/metrics.md § Breakdowns) over the reference's counted events and
// visits (reference.ts): group, measure, order. Written from the definitions, sharing nothing
// with api/src.
import { PAGE_VIEW } from '#contract';
import { countedEvents, countedVisits, refVisits, visitMeasures, type RawEvent, type RefQuery, type RefVisit, type VisitFilterName } from './reference.ts';

export type RefDimension =
  | 'page'
  | 'entry_page'
  | 'exit_page'
  | 'referrer'
  | 'utm_source'
  | 'utm_medium'
  | 'utm_campaign'
  | 'browser'
  | 'os'
  | 'device'
  | 'event_type'
  | 'button_id';

export const REF_DIMENSIONS: readonly RefDimension[] = ['page', 'entry_page', 'exit_page', 'referrer', 'utm_source', 'utm_medium', 'utm_campaign', 'browser', 'os', 'device', 'event_type', 'button_id'];

export type RefBreakdownRow = { value: string | null } & Record<string, number | string | null>;

/** Value order: bytewise UTF-8 ascending, null last. */
function compareValues(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function group<T>(items: readonly T[], key: (item: T) => string | null): Map<string | null, T[]> {
  const groups = new Map<string | null, T[]>();
  for (const item of items) {
    const k = key(item);
    (groups.get(k) ?? groups.set(k, []).get(k)!).push(item);
  }
  return groups;
}

const visitValue = (dimension: RefDimension, v: RefVisit): string | null =>
  dimension === 'entry_page' ? v.entry_path : dimension === 'exit_page' ? v.exit_path : v.attributes[dimension as VisitFilterName];

const distinct = (values: (string | null)[]) => new Set(values.filter((v) => v !== null)).size;

/** Every row of the breakdown by `dimension`, in the answer's order. */
export function refBreakdown(events: readonly RawEvent[], q: RefQuery, dimension: RefDimension, visits = refVisits(events)): RefBreakdownRow[] {
  let rows: RefBreakdownRow[];
  let main: string;
  if (dimension === 'page' || dimension === 'event_type' || dimension === 'button_id') {
    const counted = countedEvents(events, visits, q).filter((e) => dimension !== 'button_id' || e.button_id !== null);
    const value = (e: RawEvent) => (dimension === 'page' ? e.page : dimension === 'event_type' ? e.event_type : e.button_id);
    rows = [...group(counted, value)].map(([v, list]) => ({
      value: v,
      events: list.length,
      pageviews: list.filter((e) => e.event_type === PAGE_VIEW).length,
      visitors: distinct(list.map((e) => e.visitor_id)),
      visits: distinct(list.map((e) => e.visit_id)),
    }));
    main = dimension === 'page' ? 'pageviews' : 'events';
  } else {
    rows = [...group(countedVisits(visits, q), (v) => visitValue(dimension, v))].map(([v, list]) => {
      const m = visitMeasures(list);
      return {
        value: v,
        visitors: m.visitors,
        visits: m.visits,
        pageviews: list.reduce((s, x) => s + x.pageviews, 0),
        bounce_rate: m.bounce_rate,
        avg_visit_duration_ms: m.avg_visit_duration_ms,
        views_per_visit: m.views_per_visit,
      };
    });
    main = 'visitors';
  }
  return rows.sort((a, b) => (b[main] as number) - (a[main] as number) || compareValues(a.value, b.value));
}
