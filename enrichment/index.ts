// Per-event enrichment (docs/metrics.md § Per event): pure functions the collector applies to each
// accepted event and the pipeline applies to records that arrive without them, so both derive the
// same values. The visitor id is derived apart: it needs the project's mode and salt.
import type { DeviceType } from '#contract';
import { deviceType } from './device-type.ts';
import { engagedMs } from './engaged.ts';
import { pagePath, parsePageUrl } from './page-path.ts';
import { referrerDomain } from './referrer-domain.ts';
import { userAgentFacts } from './user-agent.ts';
import { utmParameters, type Utm } from './utm.ts';

/** What enrichment reads: fields of an accepted event (or of a stored row: null means absent). */
export interface EnrichmentInput {
  event_type: string;
  page_url: string;
  referrer?: string | null | undefined;
  user_agent?: string | null | undefined;
  /** CSS pixels. */
  screen_width?: number | null | undefined;
  /** The event's metadata object (only a page_unload's `time_on_page` is read). */
  metadata?: unknown;
}

/**
 * Every enrichment field of CollectedEvent except visitor_id. Each value satisfies the contract
 * (lengths in code points, no NUL, no lone surrogate); a field is absent when its source says
 * nothing (no path, no external referrer, no UTM parameter, an unknown browser or OS, not a
 * page_unload). device_type and is_bot are always set.
 */
export interface Enrichment extends Utm {
  page_path?: string;
  referrer_domain?: string;
  browser?: string;
  os?: string;
  device_type: DeviceType;
  is_bot: boolean;
  /** Milliseconds the page was visible, for a page_unload. */
  engaged_ms?: number;
}

/** Derives the per-event fields. Pure apart from the per-user-agent cache; never throws, whatever the input. */
export function deriveEnrichment(event: EnrichmentInput): Enrichment {
  const page = parsePageUrl(event.page_url);
  const agent = userAgentFacts(event.user_agent);
  const out: Enrichment = { device_type: deviceType(event.screen_width, agent.platform), is_bot: agent.isBot };
  if (page !== undefined) {
    out.page_path = pagePath(page);
    Object.assign(out, utmParameters(page.searchParams));
  }
  const referrer = referrerDomain(event.referrer, page);
  if (referrer !== undefined) out.referrer_domain = referrer;
  if (agent.browser !== undefined) out.browser = agent.browser;
  if (agent.os !== undefined) out.os = agent.os;
  const engaged = engagedMs(event.event_type, event.metadata);
  if (engaged !== undefined) out.engaged_ms = engaged;
  return out;
}

export { needsSalt, visitorHash, visitorId, type VisitorInput } from './visitor-id.ts';
