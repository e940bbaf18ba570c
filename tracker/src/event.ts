// Builds events exactly as the contract wants them: only its fields, strings cut to its limits,
// so the collector never rejects what the tracker made. Absent optional fields are undefined,
// which JSON leaves out. user_agent is not sent: the collector takes it from the request's
// User-Agent header, the same string, so each event is smaller.
import type { IncomingEvent } from '#contract/event-schema.ts';
import { BUTTON_ID_MAX, PAGE_TITLE_MAX, PAGE_URL_MAX } from './limits.ts';
import { uuid } from './ids.ts';

export type Metadata = Record<string, unknown>;
/** Where an event happened: the page's URL and title, as a pair (no property names to ship). */
export type Page = [url: string, title: string];
export type QueuedEvent = IncomingEvent & { event_id: string };

export const byteLength = (text: string): number => new Blob([text]).size;

/**
 * At most `max` characters (code points, as the contract and the database count them), never
 * splitting an emoji's surrogate pair. A lone surrogate the page itself holds (a title set from
 * script) becomes U+FFFD, as the browser's own UTF-8 encoding would make it, so the collector
 * never refuses an event, and with it the visit, over page text.
 */
export const cut = (text: string, max: number): string => [...text.replace(/\p{Cs}/gu, "\uFFFD")].slice(0, max).join("");

/**
 * The fields an event takes from its tab and tracker (session, site key, anonymous id) and the
 * ones only some events carry (a page view's referrer and screen width).
 */
export type Fields = Pick<IncomingEvent, 'session_id' | 'site_id' | 'anonymous_id' | 'referrer' | 'screen_width'>;

export const buildEvent = (
  type: string,
  metadata: Metadata,
  buttonId: string | undefined,
  [url, title]: Page,
  fields: Fields,
): QueuedEvent => ({
  event_id: uuid(),
  event_type: type,
  // location.href is ASCII (the URL serializer percent-encodes the rest): no pair to split.
  page_url: url.slice(0, PAGE_URL_MAX),
  page_title: cut(title, PAGE_TITLE_MAX),
  button_id: buttonId && cut(buttonId, BUTTON_ID_MAX),
  timestamp: new Date().toISOString(),
  metadata,
  ...fields,
});
