// The visitor of a row that arrived without one (other producers' records), by the one visitor
// rule (enrichment/visitor-id.ts, docs/metrics.md § Visitor). Such records never carry an IP
// address, so no salt is needed and the project's mode cannot change the result: u:user_id,
// a:anonymous_id, s:session_id, else e:event_id. Collector records carry their visitor_id.
import { visitorId } from '#enrichment';
import type { EventRow } from '../steps/normalize-event.ts';

export function visitorIdOf(row: Pick<EventRow, 'project_id' | 'visitor_id' | 'user_id' | 'anonymous_id' | 'session_id' | 'event_id'>): string {
  if (row.visitor_id) return row.visitor_id;
  // 'daily' stands for any mode: without an IP address rules 2 and 4 give the same a:anonymous_id.
  // An empty id (other producers send them) identifies no one: as if absent, or every such
  // event would be one visitor `u:`.
  const id = visitorId({ projectId: row.project_id, mode: 'daily', userId: row.user_id || undefined, anonymousId: row.anonymous_id || undefined, sessionId: row.session_id || undefined, eventId: row.event_id });
  // Unreachable: only an IP address makes the rule need a salt.
  if (id === undefined) throw new Error('a visitor without an IP address needs no salt');
  return id;
}
