// The one check of an IANA time zone name, for every place that takes one: the admin routes and
// the CLI (a project's zone, stored) and the reports (`tz`: stats, time series, retention,
// funnels, saved funnels, journeys). What a 2xx stores or answers is exactly what was sent, so
// only the standard spelling is accepted; another letter case is refused with the spelling to
// send instead (`europe/berlin`: did you mean Europe/Berlin). Pure.
import { timeZonesNames } from '@vvo/tzdb';
import { IANAZone } from 'luxon';
import { ok, type Result } from './result.ts';

/**
 * Zone names by lower case: Intl's, and the current IANA names from @vvo/tzdb, since Node 20's ICU
 * lists some zones only by an older name (`Asia/Katmandu`, `Asia/Calcutta`, `Europe/Kiev`).
 */
const ZONE_NAMES = new Map([...Intl.supportedValuesOf('timeZone'), ...timeZonesNames].map((z) => [z.toLowerCase(), z]));

/** `UTC` or Area/Location[/Sub]: abbreviations (`EST`, `CET`) and offsets (`+05:00`) are not names of a place's rules. */
const IANA_SHAPE = /^(?:UTC|[A-Z][A-Za-z_-]+(?:\/[A-Za-z0-9_+-]+){1,2})$/;
/** A link Intl knows but lists under no name (`US/Eastern`, `Etc/UTC`) is taken as spelled when each part starts as IANA writes it. */
const LINK_SPELLING = /^[A-Z][A-Za-z_-]*(?:\/[A-Z][A-Za-z0-9_+-]*){1,2}$/;

/**
 * The standard spelling of a zone Intl knows, whatever the letter case sent (`europe/berlin` →
 * `Europe/Berlin`, `utc` → `UTC`, `etc/gmt+5` → `Etc/GMT+5`), never an older alias Intl resolves
 * it to (`asia/kathmandu` → `Asia/Kathmandu`, `asia/katmandu` → `Asia/Katmandu`); a link listed
 * nowhere (`US/Eastern`) as sent. Undefined for a zone Intl does not know.
 */
export function canonicalZone(tz: string): string | undefined {
  if (!IANAZone.isValidZone(tz)) return undefined;
  const resolved = new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
  if (resolved.toLowerCase() === tz.toLowerCase()) return resolved;
  return ZONE_NAMES.get(tz.toLowerCase()) ?? (LINK_SPELLING.test(tz) ? tz : undefined);
}

/**
 * `value` when it is an IANA zone name in its standard spelling; otherwise the reason, without
 * the field (callers name it): `time zone "europe/berlin" is not spelled as IANA spells it: did
 * you mean Europe/Berlin?` or `unknown time zone "Mars/Base": use an IANA name such as
 * Europe/Berlin or UTC`.
 */
export function parseTimeZone(value: string): Result<string> {
  const canonical = canonicalZone(value);
  if (canonical !== undefined && IANA_SHAPE.test(canonical)) {
    if (canonical === value) return ok(value);
    return { ok: false, error: `time zone ${JSON.stringify(value)} is not spelled as IANA spells it: did you mean ${canonical}?` };
  }
  return { ok: false, error: `unknown time zone ${JSON.stringify(value)}: use an IANA name such as Europe/Berlin or UTC` };
}
