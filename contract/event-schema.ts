// The wire contract, once: what the tracker sends, what the collector accepts and what the
// pipeline reads from Kafka. JSON Schema for /docs is generated from these TypeBox schemas.
import { Type, type Static, type StringOptions } from '@sinclair/typebox';
import { DEFAULT_PROJECT_ID, EVENT_TYPE_PATTERN, LIMITS } from './limits.ts';

const text = (maxLength: number, description: string) => Type.String({ maxLength, description });

const userId = Type.String({ minLength: 1, maxLength: LIMITS.userId, description: 'Signed-in user id, sent by server-side ingestion; the visitor id when present' });
const anonymousId = Type.String({
  minLength: 1,
  maxLength: LIMITS.anonymousId,
  description: "A persistent anonymous visitor id (a backend's, or the tracker's opt-in one); the visitor id in projects whose visitor_id_mode is 'anonymous_id'",
});

/** An event type's rule (length and characters), for the event and for anything that names one (the query API's filters and steps). */
export const eventTypeString = (options: StringOptions) => Type.String({ minLength: 1, maxLength: LIMITS.eventType, pattern: EVENT_TYPE_PATTERN, ...options });

/** An event as a client posts it to `POST /analytics`. */
export const IncomingEvent = Type.Object(
  {
    event_id: Type.Optional(Type.String({ format: 'uuid', description: 'Client-made UUID; the server assigns one when absent. The pipeline deduplicates on it.' })),
    event_type: eventTypeString({ description: 'page_view, button_click, navigation_click, page_unload, or a custom name of letters, digits and _ . : -' }),
    page_url: Type.String({ minLength: 1, maxLength: LIMITS.pageUrl, format: 'http-url', description: 'Absolute http(s) URL of the page' }),
    page_title: Type.Optional(text(LIMITS.pageTitle, 'Document title')),
    button_id: Type.Optional(text(LIMITS.buttonId, 'Id, tracking attribute or text of the clicked element')),
    session_id: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.sessionId, description: 'Per-tab session id; the Kafka key' })),
    user_agent: Type.Optional(text(LIMITS.userAgent, 'Browser user agent; taken from the User-Agent header when absent')),
    site_id: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.siteId, description: 'Optional site identifier' })),
    timestamp: Type.Optional(Type.String({ format: 'date-time', description: 'RFC 3339 client time with an offset (Z or ±hh:mm), a real calendar date, at most microseconds; the server fills it when absent' })),
    metadata: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description: `JSON object, at most ${LIMITS.metadataBytes} bytes serialized and ${LIMITS.metadataDepth} levels deep`,
      }),
    ),
    referrer: Type.Optional(text(LIMITS.referrer, "The page's referrer as the browser reports it (document.referrer); the source of referrer_domain")),
    screen_width: Type.Optional(Type.Integer({ minimum: 0, maximum: LIMITS.screenWidth, description: 'screen.width in CSS pixels; decides device_type when sent' })),
    anonymous_id: Type.Optional(anonymousId),
  },
  { additionalProperties: false, $id: 'IncomingEvent' },
);
export type IncomingEvent = Static<typeof IncomingEvent>;


/**
 * An event as a server posts it to `POST /api/v1/events`: the browser's fields plus the visitor's
 * identity, which a backend must send in the body (its own HTTP client is not the visitor).
 */
export const ServerEvent = Type.Object(
  {
    ...IncomingEvent.properties,
    user_agent: Type.Optional(text(LIMITS.userAgent, "The visitor's browser user agent; never taken from the request's User-Agent header")),
    user_id: Type.Optional(userId),
    anonymous_id: Type.Optional(anonymousId),
    ip: Type.Optional(
      Type.String({
        format: 'ip',
        maxLength: LIMITS.ip,
        description: "The visitor's IPv4 or IPv6 address: an input for visitor identity, never stored nor written to Kafka",
      }),
    ),
  },
  { additionalProperties: false, $id: 'ServerEvent' },
);
export type ServerEvent = Static<typeof ServerEvent>;

/** device_type values: from the screen width when sent, else from the user agent. */
export const DEVICE_TYPES = ['desktop', 'mobile', 'tablet', 'tv', 'unknown'] as const;
export type DeviceType = (typeof DEVICE_TYPES)[number];

/**
 * What the collector derives from an accepted event, once, at ingest (definitions: docs/metrics.md).
 * Records written before enrichment existed, or by other producers, lack these fields; the
 * pipeline derives them with the same functions (enrichment/), except a hashed visitor id, which
 * needs the IP address that only the collector sees.
 */
export const EventEnrichment = {
  visitor_id: Type.Optional(Type.String({ minLength: 3, maxLength: LIMITS.visitorId, description: 'Who the event is from: u:<user_id>, a:<anonymous_id>, h:<daily or monthly HMAC of project, IP and user agent>, s:<session_id> or e:<event_id> (docs/metrics.md)' })),
  page_path: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.pagePath, description: "page_url's path, normalized (docs/metrics.md)" })),
  referrer_domain: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.referrerDomain, description: 'Host of an external referrer, lower case, without www.; absent for internal and missing referrers' })),
  utm_source: Type.Optional(text(LIMITS.utm, 'utm_source of page_url (or its ref / source parameter)')),
  utm_medium: Type.Optional(text(LIMITS.utm, 'utm_medium of page_url')),
  utm_campaign: Type.Optional(text(LIMITS.utm, 'utm_campaign of page_url')),
  utm_term: Type.Optional(text(LIMITS.utm, 'utm_term of page_url')),
  utm_content: Type.Optional(text(LIMITS.utm, 'utm_content of page_url')),
  browser: Type.Optional(text(LIMITS.browser, 'Browser name from the user agent (bowser)')),
  os: Type.Optional(text(LIMITS.os, 'Operating system name from the user agent (bowser)')),
  device_type: Type.Optional(Type.Union(DEVICE_TYPES.map((d) => Type.Literal(d)), { description: 'From screen_width when sent, else the user agent' })),
  is_bot: Type.Optional(Type.Boolean({ description: 'A crawler, monitor or headless browser (isbot plus headless markers): stored, excluded from reports by default' })),
  engaged_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_147_483_647, description: "A page_unload's visible time on the page (metadata.time_on_page), in ms" })),
};

/** How the collector adjusted a client timestamp it could not trust. */
export const TimestampAdjustment = Type.Union([Type.Literal('clamped_future'), Type.Literal('clamped_past')]);
export type TimestampAdjustment = Static<typeof TimestampAdjustment>;

/**
 * The Kafka record value: an accepted event after enrichment. Every field the database needs is
 * present; `client_timestamp` keeps the original when `timestamp` was clamped.
 */
export const CollectedEvent = Type.Object(
  {
    ...IncomingEvent.properties,
    event_id: Type.String({ format: 'uuid' }),
    timestamp: Type.String({ format: 'date-time' }),
    received_at: Type.String({ format: 'date-time', description: 'Collector time of receipt' }),
    project_id: Type.Optional(
      Type.String({
        format: 'uuid',
        description: `The project the event belongs to, assigned by the collector from the site key or API key (never by the client). Records without it (other producers) belong to the default project, ${DEFAULT_PROJECT_ID}.`,
      }),
    ),
    user_id: Type.Optional(userId),
    anonymous_id: Type.Optional(anonymousId),
    client_timestamp: Type.Optional(Type.String({ format: 'date-time', description: 'The client timestamp as sent, when it was clamped' })),
    timestamp_adjustment: Type.Optional(TimestampAdjustment),
    ...EventEnrichment,
  },
  { additionalProperties: false, $id: 'CollectedEvent' },
);
export type CollectedEvent = Static<typeof CollectedEvent>;
