// The numbers behind the analytics definitions, once (docs/metrics.md explains each). The pipeline
// assigns visits with them, the database's generated columns and every report use the same
// values; tests check that the SQL agrees with these constants.

/** A visitor's next event starts a new visit when the gap since the visit's nearest event is at least this. */
export const VISIT_GAP_MS = 30 * 60 * 1000;
/** A visit never spans this much time or more: an event that would make it that long starts a new visit. */
export const VISIT_MAX_MS = 24 * 60 * 60 * 1000;
/** A one-page visit with no interaction bounces only while its engaged time is under this. */
export const BOUNCE_ENGAGED_MS = 10 * 1000;
/** Current visitors: visitors with an event in this window before now. */
export const CURRENT_VISITORS_WINDOW_MS = 5 * 60 * 1000;
/** Counter bucket width: every UTC offset in use is a multiple of 15 minutes. */
export const COUNTER_BUCKET_MS = 15 * 60 * 1000;

export const PAGE_VIEW = 'page_view';
export const PAGE_UNLOAD = 'page_unload';
/** Interactions: every event type except these (clicks, navigation clicks and custom events are interactions). */
export const NON_INTERACTION_TYPES: readonly string[] = [PAGE_VIEW, PAGE_UNLOAD];

/** How a project identifies anonymous visitors. */
export const VISITOR_ID_MODES = ['daily', 'monthly', 'anonymous_id'] as const;
export type VisitorIdMode = (typeof VISITOR_ID_MODES)[number];
