// Validation of one event against the contract, returning every problem with the JSON Pointer
// of the field it concerns (`/page_url`, `/metadata/a/b`), so callers can say exactly what is wrong.
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ValueErrorType } from '@sinclair/typebox/errors';
import { Type, type TObject, type TSchema, type Static } from '@sinclair/typebox';
import type { Result } from '../lib/result.ts';
import { CollectedEvent, IncomingEvent, ServerEvent } from './event-schema.ts';
import { LIMITS } from './limits.ts';
import { isPlaceholderUuid, registerFormats } from './formats.ts';
import { storedTextField, storedTextMessage, storedTextProblems, type StoredTextRules } from './stored-text.ts';

registerFormats();

export interface FieldError {
  /** JSON Pointer of the offending field, relative to the validated value's parent path. */
  field: string;
  message: string;
}

export type Validation<T> = Result<T, { errors: FieldError[] }>;



/**
 * True when objects or arrays nest more than `max` levels (the value itself is level 1). Recursive
 * but bounded: each level down lowers `max`, and at 0 the answer is known, so hostile depth
 * recurses at most `max + 1` calls. No stack arrays: this runs for every event with metadata.
 */
export function deeperThan(value: unknown, max: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (max < 1) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (deeperThan(value[i], max - 1)) return true;
    return false;
  }
  for (const key in value) {
    if (Object.hasOwn(value, key) && deeperThan((value as Record<string, unknown>)[key], max - 1)) return true;
  }
  return false;
}

/**
 * An upper bound of the UTF-8 bytes of JSON.stringify(value), counting every UTF-16 unit of a
 * string or key as 6 bytes (`\u001f`; a unit outside ASCII is at most 3) and every number as 25
 * characters (the longest a double is written in). Stops early once it passes `max`. Recursive:
 * call it on values whose depth is already bounded (deeperThan).
 */
function jsonBytesBound(value: unknown, max: number): number {
  if (typeof value === 'string') return 2 + 6 * value.length;
  if (value === null || typeof value !== 'object') return 25;
  // Not parsed JSON (a Date, say): JSON.stringify writes what toJSON returns, so no bound here.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return max + 1;
  let bytes = 2;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length && bytes <= max; i++) bytes += 1 + jsonBytesBound(value[i], max);
  } else {
    for (const key in value) {
      bytes += 4 + 6 * key.length + jsonBytesBound((value as Record<string, unknown>)[key], max);
      if (bytes > max) break;
    }
  }
  return bytes;
}

// The event's own fields are depth 1, so metadata's limits count from metadata itself as 1.
const HYGIENE: StoredTextRules = { maxProblems: 20, rootDepth: 0, maxDepth: LIMITS.metadataDepth, maxKeys: LIMITS.metadataKeys };

/**
 * Problems no JSON Schema keyword expresses: unsafe keys and strings, metadata depth and size.
 * Every event passes through here, so a field's pointer is only written when something is wrong
 * with it or beneath it (bench/HISTORY.md § 27). A bad key is named by its own pointer.
 */
export function hygieneErrors(value: unknown, path = ''): FieldError[] {
  const errors: FieldError[] = [];
  const problems = storedTextProblems(value, HYGIENE);
  if (problems !== undefined) {
    for (const p of problems) errors.push({ field: `${path}${storedTextField(p)}`, message: storedTextMessage(p, HYGIENE) });
  }
  if (value !== null && typeof value === 'object' && 'metadata' in value) {
    const metadata = (value as { metadata?: unknown }).metadata;
    // JSON.stringify recurses once per level, so measuring metadata nested thousands of levels
    // deep would overflow the stack; such a value is refused for its depth without measuring.
    if (metadata !== undefined && deeperThan(metadata, LIMITS.metadataDepth)) {
      if (!errors.some((e) => e.field.startsWith(`${path}/metadata`))) {
        errors.push({ field: `${path}/metadata`, message: storedTextMessage({ fault: 'too_deep', at: '/metadata' }, HYGIENE) });
      }
    } else if (metadata !== undefined && jsonBytesBound(metadata, LIMITS.metadataBytes) > LIMITS.metadataBytes) {
      // Measured only when the bound cannot clear it: nearly every event's metadata is far smaller.
      const bytes = Buffer.byteLength(JSON.stringify(metadata) ?? '', 'utf8');
      if (bytes > LIMITS.metadataBytes) {
        errors.push({ field: `${path}/metadata`, message: `must be at most ${LIMITS.metadataBytes} bytes as JSON (got ${bytes})` });
      }
    }
  }
  return errors;
}

/** Why an event's event_id cannot identify it (the nil or max UUID), or undefined. */
function reservedId(value: unknown): string | undefined {
  const id = value !== null && typeof value === 'object' ? (value as { event_id?: unknown }).event_id : undefined;
  if (typeof id !== 'string' || !isPlaceholderUuid(id)) return undefined;
  return `must not be the ${id.startsWith('0') ? 'nil' : 'max'} UUID: it is not unique, and events are deduplicated on event_id; send a random (v4) UUID or none`;
}

/** Characters as JSON Schema and PostgreSQL's varchar count them: code points, not UTF-16 units. */
export function codePointLength(value: string): number {
  let n = value.length;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < value.length) {
      const d = value.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/**
 * The schema with its top-level maxLength rules taken out for code-point checks: TypeBox counts
 * UTF-16 units, so 150 emoji (300 units) would be refused by a page_title limit of 200 that
 * JSON Schema, the docs and the varchar(200) column all count as 150 characters.
 */
function splitLengths(schema: TObject): { checked: TObject; lengths: [string, number][] } {
  const lengths: [string, number][] = [];
  const properties: Record<string, TSchema> = {};
  for (const [key, property] of Object.entries(schema.properties)) {
    if (typeof property.maxLength === 'number') {
      lengths.push([key, property.maxLength]);
      // Spread keeps TypeBox's symbol-keyed kind and optional markers.
      const copy: TSchema = { ...property };
      delete copy.maxLength;
      properties[key] = copy;
    } else properties[key] = property;
  }
  return { checked: Type.Object(properties, { additionalProperties: false }), lengths };
}

function compile<S extends TObject>(schema: S) {
  const { checked, lengths } = splitLengths(schema);
  const checker = TypeCompiler.Compile(checked);
  return (value: unknown, path = ''): Validation<Static<S>> => {
    const errors: FieldError[] = [];
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, max] of lengths) {
        const field = (value as Record<string, unknown>)[key];
        if (typeof field !== 'string' || field.length <= max) continue;
        const n = codePointLength(field);
        if (n > max) errors.push({ field: `${path}/${key}`, message: `is too long: at most ${max} characters (got ${n})` });
      }
    }
    if (!checker.Check(value)) {
      // An absent field is reported once, as absent, not by the rules its value would have broken.
      const missing = new Set<string>();
      for (const e of checker.Errors(value)) {
        const field = `${path}${e.path}` || '/';
        if (e.type === ValueErrorType.ObjectRequiredProperty) missing.add(field);
        else if (missing.has(field)) continue;
        errors.push({ field, message: missing.has(field) ? 'is required' : schemaMessage(e.type, e.message, e.schema) });
        if (errors.length >= 20) break;
      }
    }
    const reserved = reservedId(value);
    if (reserved !== undefined) errors.push({ field: `${path}/event_id`, message: reserved });
    errors.push(...hygieneErrors(value, path));
    return errors.length === 0 ? { ok: true, value: value as Static<S> } : { ok: false, errors: dedupe(errors) };
  };
}

// Each message names the rule actually broken: a format message only for a format error, so a
// URL that is too long is never called "not an absolute URL".
function schemaMessage(type: ValueErrorType, message: string, schema: TSchema): string {
  if (type === ValueErrorType.StringFormat) {
    if (schema.format === 'http-url') return 'must be an absolute http(s) URL';
    if (schema.format === 'uuid') return 'must be a UUID';
    if (schema.format === 'ip') return 'must be an IPv4 or IPv6 address';
    if (schema.format === 'date-time') {
      return 'must be an RFC 3339 date-time: a real calendar date and time, an offset (Z or ±hh:mm), at most 6 fractional digits, e.g. 2026-01-31T12:00:00Z';
    }
  }
  if (type === ValueErrorType.StringPattern) return `must match ${String(schema.pattern)}`;
  if (type === ValueErrorType.StringMinLength) return schema.minLength === 1 ? 'must not be empty' : `must be at least ${String(schema.minLength)} characters`;
  return message.charAt(0).toLowerCase() + message.slice(1);
}

// TypeBox reports an unknown property once per rule that sees it; one line per field is enough.
function dedupe(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.field}\u0001${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Validates what a client posted. `path` prefixes every field pointer (e.g. `/3` in a batch). */
export const validateIncomingEvent = compile(IncomingEvent);

/** Validates what a server posted to `POST /api/v1/events`. */
export const validateServerEvent = compile(ServerEvent);

/** Validates a Kafka record value written by the collector. */
export const validateCollectedEvent = compile(CollectedEvent);
