// A batch's rows of event_value_visits_15m (migrations 023, 026): per project, event dimension,
// value, visit and 15-minute bucket, the batch's non-bot events and page views. Pure. The values
// are those the breakdown groups by (api/src/query/breakdown-dimensions.ts): the page as the
// counters key it ('/' for a missing path), the event type, and the button id of events that
// carry one (an empty id was sent as such and is a value).
import { COUNTER_BUCKET_MS, PAGE_VIEW } from '#contract';
import { UNKNOWN_PATH } from '../visits/assign-visits.ts';

export interface ValueEvent {
  project_id: string;
  event_type: string;
  page_path: string | null;
  button_id: string | null;
  is_bot: boolean;
  visitor_id: string;
}

export type EventValueDimension = 'page' | 'event_type' | 'button_id';

export interface EventValueRow {
  project_id: string;
  dimension: EventValueDimension;
  value: string;
  visit_id: string;
  /** Bucket start, microseconds. */
  bucket: number;
  visitor_id: string;
  events: number;
  pageviews: number;
}

const BUCKET_US = COUNTER_BUCKET_MS * 1000;

/** The rows of `events` (bots left out), `times[i]` each event's instant in microseconds, `visitIds[i]` its visit. */
export function eventValueRows(events: readonly ValueEvent[], times: readonly number[], visitIds: readonly string[]): EventValueRow[] {
  const rows = new Map<string, EventValueRow>();
  const add = (e: ValueEvent, dimension: EventValueDimension, value: string, visit_id: string, bucket: number) => {
    const key = `${e.project_id}\n${dimension}\n${value}\n${visit_id}\n${bucket}`;
    const pageview = e.event_type === PAGE_VIEW ? 1 : 0;
    const row = rows.get(key);
    if (row) {
      row.events += 1;
      row.pageviews += pageview;
    } else rows.set(key, { project_id: e.project_id, dimension, value, visit_id, bucket, visitor_id: e.visitor_id, events: 1, pageviews: pageview });
  };
  for (const [i, e] of events.entries()) {
    if (e.is_bot) continue;
    const bucket = Math.floor(times[i]! / BUCKET_US) * BUCKET_US;
    const visit = visitIds[i]!;
    add(e, 'page', e.page_path ?? UNKNOWN_PATH, visit, bucket);
    add(e, 'event_type', e.event_type, visit, bucket);
    if (e.button_id !== null) add(e, 'button_id', e.button_id, visit, bucket);
  }
  return [...rows.values()];
}
