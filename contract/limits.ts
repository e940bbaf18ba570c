// Plain constants of the event contract. No runtime dependencies, so the browser tracker can
// import them without pulling a schema library into its bundle.

/** Custom event names: letters, digits and `_ . : -`. */
export const EVENT_TYPE_PATTERN = '^[A-Za-z0-9_.:-]+$';

export const LIMITS = {
  eventType: 100,
  pageUrl: 500,
  pageTitle: 200,
  buttonId: 100,
  sessionId: 100,
  userAgent: 500,
  siteId: 100,
  userId: 200,
  anonymousId: 200,
  /** The page's referrer as the browser reports it (document.referrer); as long as a page URL. */
  referrer: 500,
  /** Widest screen_width accepted, in CSS pixels. */
  screenWidth: 100_000,
  /** A visitor id: `u:` + user_id, `a:` + anonymous_id, `s:` + session_id, `e:` + event_id or `h:` + 32 hex digits (docs/metrics.md). */
  visitorId: 202,
  /** A path of page_url: at most the URL's length. */
  pagePath: 500,
  /** A host name (RFC 1035: 253 characters) plus room for an app referrer's package name. */
  referrerDomain: 255,
  /** Each UTM parameter value. */
  utm: 200,
  /** Browser and operating-system names from the user-agent parser. */
  browser: 50,
  os: 50,
  /** Longest text form of an IPv6 address (IPv4-mapped, with a zone id cut off). */
  ip: 45,
  /** Serialized JSON size of `metadata`, in UTF-8 bytes. */
  metadataBytes: 32 * 1024,
  /** Nesting depth of `metadata`: the object itself is depth 1. */
  metadataDepth: 5,
  /** Keys in any one object of `metadata`. */
  metadataKeys: 100,
  /** Events in one POST /analytics. */
  batchSize: 500,
  /** Events in one POST /api/v1/events or /webhook (server-side backfills send more at once). */
  serverBatchSize: 1000,
} as const;

/** Keys that could reach an object prototype; rejected anywhere in an event. */
export const FORBIDDEN_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

/**
 * The project that events without a site key or API key belong to while ALLOW_DEFAULT_PROJECT is
 * on, and that Kafka records without `project_id` (other producers, records written before
 * tenancy) are stored under. Fixed, so every process and migration agrees on it without a lookup.
 */
export const DEFAULT_PROJECT_ID = '00000000-0000-4000-8000-000000000001';

export const TOPICS = {
  events: 'analytics-events',
  deadLetter: 'analytics-events-dlq',
} as const;
