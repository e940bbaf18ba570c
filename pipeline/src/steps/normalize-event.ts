// Step 3: a parsed record -> the row analytics_events stores. Collector records already satisfy
// the contract; records from other producers get defaults in the spirit of the Bento mapping this
// pipeline replaces: derived ids, parsed timestamps, cleaned and cut strings.
import { DEFAULT_PROJECT_ID, LIMITS, deeperThan, isPlaceholderUuid, isUuid, type CollectedEvent } from '#contract';
import { postgresTimestamp } from './postgres-timestamp.ts';
import { cleanColumn, cleanJson, UncleanableJson } from './clean-text.ts';
import { idFromForeignId, idFromPosition, type KafkaPosition } from './deterministic-id.ts';
import { dlq, ok, type Outcome } from './outcome.ts';
import { readProjectId } from './project-id.ts';

export interface EventRow {
  /** The project the event belongs to (UUID, lower case); with event_id, the event's identity. */
  project_id: string;
  event_id: string;
  timestamp: string;
  event_type: string;
  page_url: string;
  page_title: string | null;
  button_id: string | null;
  session_id: string | null;
  user_agent: string | null;
  site_id: string | null;
  /** Serialized JSON object. */
  metadata: string;
  received_at: string;
  /** The client's time as sent, when `timestamp` was clamped to receipt time. */
  client_timestamp: string | null;
  timestamp_adjustment: string | null;
  /** Signed-in user and persistent anonymous visitor ids, sent by server-side ingestion. */
  user_id: string | null;
  anonymous_id: string | null;
  /** Inputs of enrichment the tracker sends: document.referrer and screen.width. */
  referrer: string | null;
  screen_width: number | null;
  /** Enrichment (docs/metrics.md): derived once, by the collector or, for records without it, by the pipeline. */
  visitor_id: string | null;
  page_path: string | null;
  referrer_domain: string | null;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  utm_term: string | null;
  utm_content: string | null;
  browser: string | null;
  os: string | null;
  device_type: string | null;
  is_bot: boolean;
  engaged_ms: number | null;
  /** The visit, assigned by the loader in the transaction that inserts the row; null until then. */
  visit_id: string | null;
}

type Enrichment = Pick<EventRow, 'visitor_id' | 'page_path' | 'referrer_domain' | 'utm_source' | 'utm_medium' | 'utm_campaign' | 'utm_term' | 'utm_content' | 'browser' | 'os' | 'device_type' | 'is_bot' | 'engaged_ms' | 'visit_id'>;

/** A row's enrichment before anything is derived: what rows of records from other producers start with. */
export const UNENRICHED: Readonly<Enrichment> = {
  visitor_id: null,
  page_path: null,
  referrer_domain: null,
  utm_source: null,
  utm_medium: null,
  utm_campaign: null,
  utm_term: null,
  utm_content: null,
  browser: null,
  os: null,
  device_type: null,
  is_bot: false,
  engaged_ms: null,
  visit_id: null,
};

export interface RecordContext extends KafkaPosition {
  /** Kafka record timestamp, epoch milliseconds as a string (kafkajs' form). */
  timestamp: string;
  key: Buffer | null;
}

// Dates PostgreSQL and JavaScript agree on; anything else is a producer bug, not an event.
const MIN_TIME = Date.UTC(1970, 0, 1);
const MAX_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** ISO-8601 strings, or epoch numbers (seconds below 1e11, else milliseconds). */
export function parseTimestamp(value: unknown, field: string): Outcome<string, 'invalid_timestamp' | 'timestamp_out_of_range'> {
  const epoch = (n: number) => (Math.abs(n) < 1e11 ? n * 1000 : n);
  let ms: number;
  if (typeof value === 'number' && Number.isFinite(value)) ms = epoch(value);
  else if (typeof value === 'string' && value.trim() !== '') ms = /^-?\d+(\.\d+)?$/.test(value.trim()) ? epoch(Number(value)) : Date.parse(value);
  else return dlq('invalid_timestamp', `${field} is not a date-time`);
  if (Number.isNaN(ms)) return dlq('invalid_timestamp', `${field} is not a date-time`);
  if (ms < MIN_TIME || ms > MAX_TIME) return dlq('timestamp_out_of_range', `${field} is outside 1970..9999`);
  return ok(new Date(ms).toISOString());
}

/** The Kafka record's timestamp (epoch ms as text) as a receipt time, when it is one. */
function kafkaReceipt(epochMs: string): Outcome<string, 'invalid_timestamp' | 'timestamp_out_of_range'> {
  const ms = Number(epochMs);
  if (!Number.isFinite(ms) || ms < MIN_TIME || ms > MAX_TIME) {
    return dlq('timestamp_out_of_range', `the record has no received_at and its Kafka timestamp (${epochMs}) is outside 1970..9999`);
  }
  return ok(new Date(ms).toISOString());
}

function eventId(raw: unknown, ctx: RecordContext): string {
  if (typeof raw === 'string' && isUuid(raw)) return raw.toLowerCase();
  if (typeof raw === 'string' && raw !== '') return idFromForeignId(raw);
  return idFromPosition(ctx);
}

/** Deeper than this is no real event; cleaning and serializing it would recurse without bound. */
const MAX_METADATA_DEPTH = 64;

function metadataJson(raw: unknown): Outcome<string> {
  if (raw === undefined || raw === null) return ok('{}');
  if (deeperThan(raw, MAX_METADATA_DEPTH)) return dlq('metadata_too_deep', `metadata nests deeper than ${MAX_METADATA_DEPTH} levels`);
  // A non-object is kept, wrapped, rather than lost: the column is always a JSON object.
  const object = typeof raw === 'object' && !Array.isArray(raw) ? raw : { value: raw };
  let cleaned: unknown;
  try {
    cleaned = cleanJson(object);
  } catch (error) {
    if (!(error instanceof UncleanableJson)) throw error;
    return dlq('inexact_value', `metadata: ${error.message}`);
  }
  const json = JSON.stringify(cleaned);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > LIMITS.metadataBytes) return dlq('metadata_too_large', `metadata is ${bytes} bytes, limit ${LIMITS.metadataBytes}`);
  return ok(json);
}

/**
 * A record that passed the contract: limits, formats and text hygiene are already guaranteed, so
 * it maps straight to a row. Date-times are written as PostgreSQL's timestamptz reads them (the
 * same instant; see postgres-timestamp.ts).
 */
export function rowFromContract(event: CollectedEvent): EventRow {
  return {
    project_id: event.project_id?.toLowerCase() ?? DEFAULT_PROJECT_ID,
    event_id: event.event_id.toLowerCase(),
    timestamp: postgresTimestamp(event.timestamp),
    event_type: event.event_type,
    page_url: event.page_url,
    page_title: event.page_title ?? null,
    button_id: event.button_id ?? null,
    session_id: event.session_id ?? null,
    user_agent: event.user_agent ?? null,
    site_id: event.site_id ?? null,
    metadata: event.metadata === undefined ? '{}' : JSON.stringify(event.metadata),
    received_at: postgresTimestamp(event.received_at),
    client_timestamp: event.client_timestamp === undefined ? null : postgresTimestamp(event.client_timestamp),
    timestamp_adjustment: event.timestamp_adjustment ?? null,
    user_id: event.user_id ?? null,
    anonymous_id: event.anonymous_id ?? null,
    referrer: event.referrer ?? null,
    screen_width: event.screen_width ?? null,
    visitor_id: event.visitor_id ?? null,
    page_path: event.page_path ?? null,
    referrer_domain: event.referrer_domain ?? null,
    utm_source: event.utm_source ?? null,
    utm_medium: event.utm_medium ?? null,
    utm_campaign: event.utm_campaign ?? null,
    utm_term: event.utm_term ?? null,
    utm_content: event.utm_content ?? null,
    browser: event.browser ?? null,
    os: event.os ?? null,
    device_type: event.device_type ?? null,
    is_bot: event.is_bot ?? false,
    engaged_ms: event.engaged_ms ?? null,
    visit_id: null,
  };
}

/**
 * screen_width as the contract allows it (an integer of CSS pixels, 0 to LIMITS.screenWidth), also
 * written as a string of digits; anything else is no width (null), never a reason to refuse the event.
 */
function readScreenWidth(value: unknown): number | null {
  const n = typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= LIMITS.screenWidth ? n : null;
}

const ADJUSTMENTS = new Set(['clamped_future', 'clamped_past']);

export function normalizeEvent(event: Record<string, unknown>, ctx: RecordContext): Outcome<EventRow> {
  // Refused as the collector refuses it: a placeholder id would merge unrelated events.
  if (typeof event.event_id === 'string' && isPlaceholderUuid(event.event_id)) {
    return dlq('invalid_event_id', `event_id ${event.event_id} is the ${event.event_id.startsWith('0') ? 'nil' : 'max'} UUID, not a unique id`);
  }
  const projectId = readProjectId(event);
  if (!projectId.ok) return projectId;
  const eventType = cleanColumn(event.event_type, LIMITS.eventType);
  if (eventType === null || eventType.trim() === '') return dlq('missing_event_type', 'event_type is missing or empty');

  // The record's own receipt time, else the Kafka record's: a producer sets that one too, and
  // Kafka's "none" (-1) or any instant outside 1970..9999 is no receipt time (nor a Date at all).
  const received = event.received_at !== undefined && event.received_at !== null ? parseTimestamp(event.received_at, 'received_at') : kafkaReceipt(ctx.timestamp);
  if (!received.ok) return dlq(received.reason, received.detail);
  const receivedAt = received.value;
  let timestamp = receivedAt;
  if (event.timestamp !== undefined && event.timestamp !== null) {
    const parsed = parseTimestamp(event.timestamp, 'timestamp');
    if (!parsed.ok) return dlq(parsed.reason, parsed.detail);
    timestamp = parsed.value;
  }

  let clientTimestamp: string | null = null;
  if (event.client_timestamp !== undefined && event.client_timestamp !== null) {
    const parsed = parseTimestamp(event.client_timestamp, 'client_timestamp');
    if (!parsed.ok) return dlq(parsed.reason, parsed.detail);
    clientTimestamp = parsed.value;
  }
  const adjustment = event.timestamp_adjustment ?? null;
  if (adjustment !== null && !ADJUSTMENTS.has(adjustment as string)) {
    return dlq('invalid_timestamp_adjustment', 'timestamp_adjustment is neither clamped_future nor clamped_past');
  }

  const metadata = metadataJson(event.metadata);
  if (!metadata.ok) return metadata;

  return ok({
    project_id: projectId.value,
    event_id: eventId(event.event_id, ctx),
    timestamp,
    event_type: eventType,
    page_url: cleanColumn(event.page_url, LIMITS.pageUrl) ?? '',
    page_title: cleanColumn(event.page_title, LIMITS.pageTitle),
    button_id: cleanColumn(event.button_id, LIMITS.buttonId),
    // Records without a session keep their Kafka key (the collector's is <project_id>:<visitor_id>) as one.
    session_id: cleanColumn(event.session_id, LIMITS.sessionId) ?? (ctx.key ? cleanColumn(ctx.key.toString('utf8'), LIMITS.sessionId) : null),
    user_agent: cleanColumn(event.user_agent, LIMITS.userAgent),
    site_id: cleanColumn(event.site_id, LIMITS.siteId),
    metadata: metadata.value,
    received_at: receivedAt,
    client_timestamp: clientTimestamp,
    timestamp_adjustment: adjustment as string | null,
    user_id: cleanColumn(event.user_id, LIMITS.userId),
    anonymous_id: cleanColumn(event.anonymous_id, LIMITS.anonymousId),
    referrer: cleanColumn(event.referrer, LIMITS.referrer),
    screen_width: readScreenWidth(event.screen_width),
    ...UNENRICHED,
  });
}
