// Text hygiene for values from producers other than the collector. PostgreSQL rejects NUL in
// text and jsonb, and jsonb rejects lone UTF-16 surrogates, so either would fail a whole COPY.
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

/** A cleaned, cut string, or null for absent / non-scalar values. Numbers and booleans become text. */
export function cleanColumn(value: unknown, max: number): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return cutToLength(cleanText(value), max);
  if (typeof value === 'number' || typeof value === 'boolean') return cutToLength(String(value), max);
  return null;
}

/** Cleans every string and key of a JSON value. */
export function cleanJson(value: unknown): unknown {
  if (typeof value === 'string') return cleanText(value);
  if (Array.isArray(value)) return value.map(cleanJson);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) out[cleanText(key)] = cleanJson(child);
    return out;
  }
  return value;
}
