// Events for the visit tests: the n-th event of a visitor at an instant, every other field empty.
import type { VisitEvent } from './assign-visits.ts';

export const TEST_PROJECT = '11111111-1111-4111-8111-111111111111';

/** The n-th test event (ids out of time order, so ties are broken by id), a page view unless `fields` say otherwise. */
export function testEvent(visitor: string, n: number, ms: number, fields: Partial<VisitEvent> = {}): VisitEvent {
  return {
    project_id: TEST_PROJECT,
    visitor_id: visitor,
    event_id: `00000000-0000-4000-8000-${((n * 7919) % 1_000_003).toString(16).padStart(12, '0')}`,
    timestamp: new Date(ms).toISOString(),
    event_type: 'page_view',
    page_path: '/',
    user_id: null,
    referrer_domain: null,
    utm_source: null,
    utm_medium: null,
    utm_campaign: null,
    utm_term: null,
    utm_content: null,
    device_type: null,
    browser: null,
    os: null,
    is_bot: false,
    engaged_ms: null,
    ...fields,
  };
}
