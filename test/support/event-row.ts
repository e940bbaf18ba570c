// A stored row (EventRow) with plain defaults, for tests that write straight through the sink.
import { randomUUID } from 'node:crypto';
import { DEFAULT_PROJECT_ID } from '#contract';
import { UNENRICHED, type EventRow } from '../../pipeline/src/steps/normalize-event.ts';

/** A page view now, in the default project, with a fresh id; `over` replaces any field. */
export function eventRow(over: Partial<EventRow> = {}): EventRow {
  const at = over.timestamp ?? new Date().toISOString();
  return {
    project_id: DEFAULT_PROJECT_ID,
    event_id: randomUUID(),
    timestamp: at,
    event_type: 'page_view',
    page_url: 'https://site.example/',
    page_title: null,
    button_id: null,
    session_id: null,
    user_agent: null,
    site_id: null,
    metadata: '{}',
    received_at: at,
    client_timestamp: null,
    timestamp_adjustment: null,
    user_id: null,
    anonymous_id: null,
    referrer: null,
    screen_width: null,
    ...UNENRICHED,
    ...over,
  };
}
