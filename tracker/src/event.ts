// Builds events exactly as the contract wants them: only its fields, strings cut to its limits,
// so the collector never rejects what the tracker made. Absent optional fields are undefined,
// which JSON leaves out.
import type { IncomingEvent } from '../../contract/event-schema.ts';
import { BUTTON_ID_MAX, METADATA_BYTES_MAX, PAGE_TITLE_MAX, PAGE_URL_MAX, USER_AGENT_MAX } from './limits.ts';
import { uuid } from './ids.ts';

export type Metadata = Record<string, unknown>;
export type QueuedEvent = IncomingEvent & { event_id: string };
export type Visitor = Pick<IncomingEvent, 'session_id' | 'user_agent' | 'site_id'>;

export const byteLength = (text: string): number => new Blob([text]).size;

export const cut = (value: string, max: number): string => value.slice(0, max);

export const visitor = (sessionId: string, userAgent: string, siteId: string | null): Visitor => ({
  session_id: sessionId,
  user_agent: cut(userAgent, USER_AGENT_MAX),
  site_id: siteId || undefined,
});

export const buildEvent = (
  type: string,
  page: { url: string; title: string },
  who: Visitor,
  metadata: Metadata,
  buttonId?: string,
): QueuedEvent => ({
  event_id: uuid(),
  event_type: type,
  page_url: cut(page.url, PAGE_URL_MAX),
  page_title: cut(page.title, PAGE_TITLE_MAX),
  ...who,
  button_id: buttonId && cut(buttonId, BUTTON_ID_MAX),
  timestamp: new Date().toISOString(),
  metadata,
});

/**
 * Metadata of a custom event from `analytics.track()`: a JSON object within the contract's
 * size, detached from the page's object (later changes do not alter the queued event); or
 * undefined to refuse it. The collector checks the event name and the rest, event by event.
 */
export function customMetadata(metadata: unknown): Metadata | undefined {
  try {
    const json = JSON.stringify(metadata || {});
    if (json[0] == '{' && byteLength(json) <= METADATA_BYTES_MAX) return JSON.parse(json) as Metadata;
  } catch {
    // cyclic or BigInt metadata is not JSON: refused
  }
  return undefined;
}
