// browser, os and the user agent's platform (docs/metrics.md § Per event), parsed by bowser (MIT)
// and remembered per user agent: a site's visitors share few user agents, and a parse costs far
// more than a lookup (bench/enrichment.ts).
import Bowser from 'bowser';
import { LRUCache } from 'lru-cache';
import { LIMITS, type DeviceType } from '#contract';
import { cleanText, cutToLength, withoutControls } from '../lib/text.ts';
import { isBotUserAgent } from './bot.ts';

/** What one user agent says, for every event that carries it. */
export interface UserAgentFacts {
  browser?: string;
  os?: string;
  /** bowser's platform type when it is a device type; a crawler's `bot` platform is not. */
  platform?: Exclude<DeviceType, 'unknown'>;
  isBot: boolean;
}

// Bounded, so user agents made up per request cost parses, never memory: at most about 5,000 ×
// (500-character key + entry), a few MB.
const CACHE_ENTRIES = 5_000;
const cache = new LRUCache<string, UserAgentFacts>({ max: CACHE_ENTRIES });
const NO_USER_AGENT: UserAgentFacts = Object.freeze({ isBot: false });
const PLATFORMS = new Set<string>(['desktop', 'mobile', 'tablet', 'tv']);

/** The facts of a user agent, cached (the returned object is shared and frozen). Never throws. */
export function userAgentFacts(userAgent: string | null | undefined): UserAgentFacts {
  if (typeof userAgent !== 'string' || userAgent.trim() === '') return NO_USER_AGENT;
  let facts = cache.get(userAgent);
  if (facts === undefined) {
    facts = Object.freeze(parseUserAgent(userAgent));
    cache.set(userAgent, facts);
  }
  return facts;
}

function parseUserAgent(userAgent: string): UserAgentFacts {
  const facts: UserAgentFacts = { isBot: isBotUserAgent(userAgent) };
  let parsed: Bowser.Parser.ParsedResult;
  try {
    parsed = Bowser.parse(userAgent);
  } catch {
    return facts;
  }
  const browser = name(parsed.browser.name, LIMITS.browser);
  if (browser !== undefined) facts.browser = browser;
  const os = name(parsed.os.name, LIMITS.os);
  if (os !== undefined) facts.os = os;
  const platform = parsed.platform.type;
  if (platform !== undefined && PLATFORMS.has(platform)) facts.platform = platform as UserAgentFacts['platform'];
  return facts;
}

// bowser names unknown browsers after the user agent's first token, so a name is client text:
// made storable and cut to the column.
function name(value: string | undefined, max: number): string | undefined {
  if (value === undefined) return undefined;
  const text = cutToLength(withoutControls(cleanText(value)).trim(), max).trim();
  return text === '' ? undefined : text;
}
