// Checks shared by the CLI and the admin routes, so both refuse the same input with the same
// words (a time zone: lib/time-zone.ts, shared with the reports too). Pure: each returns the
// normalized value or a message naming the problem.
import { VISITOR_ID_MODES, type VisitorIdMode } from '#contract';
import { ok, type Result } from '../lib/result.ts';
import { SCOPES, type Scope } from './model.ts';

/** Organization and project names: letters, digits, `.`, `_`, `-`; 1–100 characters (as the table checks). */
export const NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$';
const NAME = new RegExp(NAME_PATTERN);

export function parseName(what: string, value: string): Result<string> {
  return NAME.test(value) ? ok(value) : { ok: false, error: `invalid ${what} name "${value}": use 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit` };
}

/**
 * `ingest,read` (the CLI's flag) or ['ingest', 'read'] (the admin routes' body) → the scopes as
 * given. An unknown scope is named, and so is one given twice: a key stores exactly the list sent,
 * never a silently shortened one.
 */
export function parseScopes(value: string | readonly string[]): Result<Scope[]> {
  const list = (typeof value === 'string' ? value.split(',') : value).map((s) => s.trim()).filter((s) => s !== '');
  if (list.length === 0) return { ok: false, error: `no scope given: use one or more of ${SCOPES.join(', ')}` };
  const seen = new Set<string>();
  for (const s of list) {
    if (!(SCOPES as readonly string[]).includes(s)) return { ok: false, error: `unknown scope "${s}": use one or more of ${SCOPES.join(', ')}` };
    if (seen.has(s)) return { ok: false, error: `scope "${s}" is given twice: give each scope once` };
    seen.add(s);
  }
  return ok(list as Scope[]);
}

/** A browser origin, `https://shop.example[:port]`, lower-cased; paths, queries and other schemes are refused. */
export function parseOrigin(value: string): Result<string> {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { ok: false, error: `invalid origin "${value}": not a URL (expected e.g. https://shop.example)` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, error: `invalid origin "${value}": only http and https origins exist for browsers` };
  if (url.username !== '' || url.password !== '' || (url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
    return { ok: false, error: `invalid origin "${value}": an origin is scheme, host and port only (expected e.g. ${url.origin})` };
  }
  return ok(url.origin);
}

/** Days events are kept: an integer from 1 to 36500. */
export function parseRetentionDays(value: string | number): Result<number> {
  const n = typeof value === 'number' ? value : /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= 36_500 ? ok(n) : { ok: false, error: `invalid retention "${value}": days from 1 to 36500` };
}

/** A positive whole number (requests per minute). */
export function parseRateLimit(value: string | number): Result<number> {
  const n = typeof value === 'number' ? value : /^\d{1,9}$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= 1e9 ? ok(n) : { ok: false, error: `invalid rate limit "${value}": requests per minute, a whole number from 1` };
}

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `30d`, `12h`, `90m` → milliseconds. */
export function parseDuration(value: string): Result<number> {
  const m = /^(\d{1,6})([mhd])$/.exec(value);
  const ms = m ? Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] : 0;
  return ms > 0 ? ok(ms) : { ok: false, error: `invalid duration "${value}": a number and m, h or d (e.g. 30d)` };
}

/** How a project identifies anonymous visitors: daily, monthly or anonymous_id (docs/metrics.md § Visitor). */
export function parseVisitorIdMode(value: string): Result<VisitorIdMode> {
  return (VISITOR_ID_MODES as readonly string[]).includes(value)
    ? ok(value as VisitorIdMode)
    : { ok: false, error: `invalid visitor id mode "${value}": use ${VISITOR_ID_MODES.join(', ')}` };
}
