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

/** Why a JSON value cannot be cleaned without losing part of it. */
export class UncleanableJson extends Error {}

/**
 * Cleans every string and key of a JSON value. Every key is kept, `__proto__` too (defined as a
 * plain property: assigning it would set the prototype and lose the key). Throws UncleanableJson
 * when two keys clean to one, which would lose one of them.
 */
export function cleanJson(value: unknown): unknown {
  if (typeof value === 'string') return cleanText(value);
  if (Array.isArray(value)) return value.map(cleanJson);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      const clean = cleanText(key);
      if (Object.hasOwn(out, clean)) throw new UncleanableJson(`two keys are "${clean}" once NUL and lone surrogates are cleaned`);
      Object.defineProperty(out, clean, { value: cleanJson(child), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}
