// Text as PostgreSQL stores it: no NUL in text or jsonb, no lone UTF-16 surrogate in jsonb, and
// varchar(n) counting code points. Shared by the pipeline (records of other producers) and the
// enrichment (values derived from user agents, URLs and query strings).
const NUL = new RegExp(String.fromCharCode(0), 'g');
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// Cheap pre-check: most strings hold neither NUL nor any surrogate and are returned untouched.
const SUSPECT = new RegExp(`[${String.fromCharCode(0)}\uD800-\uDFFF]`);

/** NUL removed, each lone surrogate replaced by U+FFFD (what TextDecoder would produce). */
export function cleanText(value: string): string {
  if (!SUSPECT.test(value)) return value;
  return value.replace(NUL, '').replace(LONE_SURROGATE, '\uFFFD');
}

/** Cut to at most `max` characters as PostgreSQL counts them (code points), never splitting a pair. */
export function cutToLength(value: string, max: number): string {
  if (value.length <= max) return value;
  let out = '';
  let count = 0;
  for (const ch of value) {
    if (count === max) break;
    out += ch;
    count++;
  }
  return out;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** Control characters (C0, DEL, C1) removed: invisible in a report, and NUL cannot be stored. */
export function withoutControls(value: string): string {
  return value.replace(CONTROL, '');
}
