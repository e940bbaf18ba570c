// Step 3b: a row whose record carried no enrichment (other producers' records, and collector records
// written before enrichment existed) gets the fields the collector would have derived, from the
// same functions (#enrichment, docs/metrics.md § Per event), so reports see one definition.
import { PAGE_UNLOAD } from '#contract';
import { deriveEnrichment } from '#enrichment';
import type { EventRow } from './normalize-event.ts';

/**
 * The row with its per-event fields derived when `page_path` is null (the collector sets it on
 * every record it writes). Fields the record did carry are kept; is_bot is true when either says
 * so. Rows that already have a page_path are returned as they are. Never throws.
 */
export function enrichRow(row: EventRow): EventRow {
  if (row.page_path !== null) return row;
  const derived = deriveEnrichment({
    event_type: row.event_type,
    page_url: row.page_url,
    referrer: row.referrer,
    user_agent: row.user_agent,
    screen_width: row.screen_width,
    // Only a page_unload's time_on_page is read: parse the stored JSON for those alone.
    metadata: row.event_type === PAGE_UNLOAD ? JSON.parse(row.metadata) : undefined,
  });
  return {
    ...row,
    page_path: derived.page_path ?? null,
    referrer_domain: row.referrer_domain ?? derived.referrer_domain ?? null,
    utm_source: row.utm_source ?? derived.utm_source ?? null,
    utm_medium: row.utm_medium ?? derived.utm_medium ?? null,
    utm_campaign: row.utm_campaign ?? derived.utm_campaign ?? null,
    utm_term: row.utm_term ?? derived.utm_term ?? null,
    utm_content: row.utm_content ?? derived.utm_content ?? null,
    browser: row.browser ?? derived.browser ?? null,
    os: row.os ?? derived.os ?? null,
    device_type: row.device_type ?? derived.device_type,
    is_bot: row.is_bot || derived.is_bot,
    engaged_ms: row.engaged_ms ?? derived.engaged_ms ?? null,
  };
}
