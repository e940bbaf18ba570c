// page_path (docs/metrics.md § Per event): the path of page_url, normalized so that one page is
// one path in every report, whatever way a browser or a link spelled it.
import { LIMITS } from '#contract';
import { cutToLength } from '../lib/text.ts';

// Resolves path-only values of other producers' records ("/pricing"); never part of a result.
const PLACEHOLDER_ORIGIN = 'http://page.invalid';

/**
 * page_url as a URL: an absolute http(s) URL (the collector accepts no other), or a path starting
 * with `/` (other producers' records sometimes carry only the path). Anything else: undefined.
 * Never throws.
 */
export function parsePageUrl(value: string | null | undefined): URL | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  try {
    if (value.startsWith('/')) return new URL(value, PLACEHOLDER_ORIGIN);
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The normalized path of a parsed page URL, at most LIMITS.pagePath characters: dot segments
 * resolved (by the URL parser), repeated slashes collapsed, one trailing slash dropped (`/` stays),
 * percent-escapes decoded where they form valid UTF-8 (see decodePath). Letter case is kept.
 */
export function pagePath(url: URL): string {
  let path = url.pathname.replace(/\/{2,}/g, '/');
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  const decoded = decodePath(path);
  if (decoded.length <= LIMITS.pagePath) return decoded;
  // Cut on whole characters, and never leave half an escape (`%C`) at the end.
  return cutToLength(decoded, LIMITS.pagePath).replace(/%[0-9A-F]?$/, '');
}

/**
 * Percent-escapes decoded where their bytes form valid UTF-8, so `/caf%C3%A9` and `/café` are one
 * page. Kept as escapes (upper-case hex, so `%2f` and `%2F` are one page too): bytes that are not
 * valid UTF-8 (`%FF`, a lone `%C3`), and characters that would change what the path says or could
 * not be stored or shown: `%` itself, `/`, `?`, `#`, and control characters (NUL is refused by
 * PostgreSQL; the others are invisible).
 */
function decodePath(path: string): string {
  if (!path.includes('%')) return path;
  return path.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => decodeRun(Buffer.from(run.replace(/%/g, ''), 'hex')));
}

// eslint-disable-next-line no-control-regex -- control characters are exactly what stays escaped
const KEPT_ENCODED = /^[%/?#\u0000-\u001f\u007f-\u009f]$/;

// One run of escaped bytes, decoded character by character: a valid UTF-8 sequence becomes its
// character, any other byte stays an escape.
function decodeRun(bytes: Buffer): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const size = sequenceSize(bytes, i);
    const char = size === 0 ? undefined : bytes.toString('utf8', i, i + size);
    if (char !== undefined && !KEPT_ENCODED.test(char)) {
      out += char;
      i += size;
    } else {
      const end = size === 0 ? i + 1 : i + size;
      for (; i < end; i++) out += `%${bytes[i]!.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return out;
}

/** Length of the valid UTF-8 sequence starting at `i` (RFC 3629: no overlongs, no surrogates, at most U+10FFFF), or 0. */
function sequenceSize(bytes: Buffer, i: number): number {
  const b0 = bytes[i]!;
  if (b0 < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => {
    const b = bytes[i + k];
    return b !== undefined && b >= lo && b <= hi;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if (b0 === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (b0 >= 0xe1 && b0 <= 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (b0 === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (b0 >= 0xf1 && b0 <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (b0 === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}
