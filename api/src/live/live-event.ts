// One Kafka record of `analytics-events` as the live streams see it: the collector's enriched
// event (contract CollectedEvent) with its Kafka position. The id `<partition>-<offset>` is the
// server-sent event id (unique per topic; `Last-Event-ID` resumes after it), and the fields the
// filters and live metrics read are taken once here. Records of other producers may lack the
// enrichment: page and visitor are then derived by the same rules as the pipeline's (enrichment/).
// Pure.
import { DEFAULT_PROJECT_ID } from '#contract';
import { deriveEnrichment, visitorId } from '#enrichment';

export interface LiveEvent {
  /** `<partition>-<offset>`: the stream's event id. */
  id: string;
  partition: number;
  /** Kafka offset (fits a double exactly below 2^53). */
  offset: number;
  projectId: string;
  eventId: string;
  eventType: string;
  /** page_path; `/` when the event has none (as /realtime counts it). */
  page: string;
  sessionId: string | undefined;
  visitorId: string;
  isBot: boolean;
  /** The event's `timestamp` (epoch ms), the time every report reads. */
  at: number;
  /** The record's JSON text, sent to subscribers as it is (one line). */
  json: string;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The live view of a record, or undefined for one that is no event (the pipeline dead-letters those). */
export function liveEvent(partition: number, offset: string, value: Buffer | string | null): LiveEvent | undefined {
  if (value === null) return undefined;
  let event: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(value.toString());
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    event = parsed as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const eventId = text(event.event_id);
  const eventType = text(event.event_type);
  const at = Date.parse(String(event.timestamp ?? event.received_at ?? ''));
  if (eventId === undefined || eventType === undefined || Number.isNaN(at)) return undefined;
  const projectId = text(event.project_id) ?? DEFAULT_PROJECT_ID;
  const sessionId = text(event.session_id);
  let page = text(event.page_path);
  let isBot = event.is_bot === true;
  if (page === undefined && typeof event.page_url === 'string') {
    const derived = deriveEnrichment({ event_type: eventType, page_url: event.page_url, user_agent: text(event.user_agent) });
    page = derived.page_path;
    if (event.is_bot === undefined) isBot = derived.is_bot;
  }
  const visitor =
    text(event.visitor_id) ??
    visitorId({ projectId, mode: 'daily', userId: text(event.user_id), anonymousId: text(event.anonymous_id), sessionId, eventId }) ??
    `e:${eventId}`;
  const raw = value.toString();
  return {
    id: `${partition}-${offset}`,
    partition,
    offset: Number(offset),
    projectId,
    eventId,
    eventType,
    page: page ?? '/',
    sessionId,
    visitorId: visitor,
    isBot,
    at,
    // A pretty-printed record (other producers) would break the one-line data field.
    json: /[\r\n]/.test(raw) ? JSON.stringify(event) : raw,
  };
}

/** What a subscriber asked for; undefined fields match anything. */
export interface LiveFilter {
  eventType?: string | undefined;
  page?: string | undefined;
  sessionId?: string | undefined;
  includeBots: boolean;
}

export function matches(filter: LiveFilter, event: LiveEvent): boolean {
  return (
    (filter.includeBots || !event.isBot) &&
    (filter.eventType === undefined || filter.eventType === event.eventType) &&
    (filter.page === undefined || filter.page === event.page) &&
    (filter.sessionId === undefined || filter.sessionId === event.sessionId)
  );
}
