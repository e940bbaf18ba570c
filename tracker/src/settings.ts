// The tracker's tuning and storage names, in a module without imports so the build inlines them.

/** Events per request (the collector takes up to 500). */
export const BATCH_COUNT = 20;
/** Browsers allow 64 KiB of keepalive and beacon bodies in flight per page. */
export const BATCH_BYTES = 60_000;
/** The longest an event waits in the queue before a send, when all is well: short enough that a
 * click shows on the live dashboard within a second, long enough that a page view and the events
 * of its first moments share one request. */
export const BATCH_DELAY_MS = 250;
/** Oldest events are dropped beyond this, keeping localStorage use bounded (~0.5 MB a tab). */
export const MAX_QUEUED = 1000;
export const MAX_RETRY_DELAY_MS = 60_000;
/** A stored queue untouched this long belongs to a closed tab; the next tab adopts it. */
export const ORPHAN_AFTER_MS = 120_000;
/** A page view is recorded once history calls pause this long: routers often push then replace. */
export const SPA_SETTLE_MS = 100;
/** ...or at the latest this long after a burst's first call, when the calls never pause. */
export const SPA_MAX_WAIT_MS = 1000;
/** localStorage key prefix of each tab's unsent queue; the session id completes it. */
export const STORAGE_PREFIX = 'analytics_q:';
/** sessionStorage key of the tab's session id. */
export const SESSION_KEY = 'analytics_session';
/** localStorage key of the persistent anonymous id (only with data-anonymous-id). */
export const ANONYMOUS_ID_KEY = 'analytics_anonymous_id';
/** Set this localStorage key (any value) to opt a browser out. */
export const OPT_OUT_KEY = 'analytics_opt_out';
