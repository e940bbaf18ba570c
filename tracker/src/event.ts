// Builds events exactly as the contract wants them: only its fields, strings cut to its limits,
// so the collector never rejects what the tracker made. Absent optional fields are undefined,
// which JSON leaves out. user_agent is not sent: the collector takes it from the request's
// User-Agent header, the same string, so each event is smaller.
import type { IncomingEvent } from '#contract/event-schema.ts';
import { BUTTON_ID_MAX, PAGE_TITLE_MAX, PAGE_URL_MAX } from './limits.ts';
import { uuid } from './ids.ts';

export type Metadata = Record<string, unknown>;
export type QueuedEvent = IncomingEvent & { event_id: string };

export const byteLength = (text: string): number => new Blob([text]).size;

export const buildEvent = (
  type: string,
  metadata: Metadata,
  buttonId: string | undefined,
  page: { url: string; title: string },
  sessionId: string,
  siteId: string | undefined,
): QueuedEvent => ({
  event_id: uuid(),
  event_type: type,
  page_url: page.url.slice(0, PAGE_URL_MAX),
  page_title: page.title.slice(0, PAGE_TITLE_MAX),
  session_id: sessionId,
  site_id: siteId,
  button_id: buttonId && buttonId.slice(0, BUTTON_ID_MAX),
  timestamp: new Date().toISOString(),
  metadata,
});
