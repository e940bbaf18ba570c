// The visitor of a row that arrived without one (other producers' records: no IP address, so no
// hash), by docs/metrics.md § Visitor rules 1, 4 and 5. Collector records carry their visitor_id.
import type { EventRow } from '../steps/normalize-event.ts';

export function visitorIdOf(row: Pick<EventRow, 'visitor_id' | 'user_id' | 'anonymous_id' | 'session_id' | 'event_id'>): string {
  if (row.visitor_id) return row.visitor_id;
  if (row.user_id) return `u:${row.user_id}`;
  if (row.anonymous_id) return `a:${row.anonymous_id}`;
  if (row.session_id) return `s:${row.session_id}`;
  return `e:${row.event_id.toLowerCase()}`;
}
