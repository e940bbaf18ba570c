// utm_* (docs/metrics.md § Per event): the campaign parameters of page_url's query string.
import { LIMITS } from '#contract';
import { cutToLength, withoutControls } from '../lib/text.ts';

export interface Utm {
  utm_source?: string;
  utm_medium?: string;
  utm_campaign?: string;
  utm_term?: string;
  utm_content?: string;
}

const NAMES = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content'] as const;
// `ref` and `source` are what links without UTM tags commonly carry (`?ref=producthunt`).
const SOURCE_FALLBACKS = ['ref', 'source'] as const;

/**
 * The UTM parameters of a query string, each at most LIMITS.utm characters. Names are matched
 * exactly (lower case). A value is decoded as URLSearchParams decodes (`+` is a space; escapes
 * that are not UTF-8 become U+FFFD), stripped of control characters and trimmed; an empty value
 * counts as absent. Of repeated parameters the first non-empty one wins. `ref`, then `source`,
 * stand in for an absent utm_source.
 */
export function utmParameters(query: URLSearchParams): Utm {
  const out: Utm = {};
  if (query.size === 0) return out;
  for (const name of NAMES) {
    const value = firstValue(query, name);
    if (value !== undefined) out[name] = value;
  }
  for (const name of SOURCE_FALLBACKS) {
    if (out.utm_source !== undefined) break;
    const value = firstValue(query, name);
    if (value !== undefined) out.utm_source = value;
  }
  return out;
}

function firstValue(query: URLSearchParams, name: string): string | undefined {
  for (const raw of query.getAll(name)) {
    const value = withoutControls(raw).trim();
    if (value !== '') return cutToLength(value, LIMITS.utm).trim();
  }
  return undefined;
}
