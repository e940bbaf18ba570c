// Text hygiene for values from producers other than the collector. PostgreSQL rejects NUL in
// text and jsonb, and jsonb rejects lone UTF-16 surrogates, so either would fail a whole COPY.
import { cleanText, cutToLength } from '../../../lib/text.ts';

export { cleanText, cutToLength };

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
