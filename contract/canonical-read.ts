// The loader's cheap proof that a record marked canonical is collector output that satisfies the
// contract, without the full validation (validate-event.ts). Two parts:
// 1. The text is exactly what writeCanonicalRecord writes for its own parse: its keys are contract
//    fields in canonical order, and JSON.stringify of the parse gives back the text. That settles
//    unknown and repeated keys, whitespace, and every number (a double that would not print as
//    written, -0 and 1e400 included, fails it), so the parse holds the record's values exactly.
// 2. Each field passes checks made from CollectedEvent's own schema (types, lengths, patterns,
//    formats, ranges), plus the contract's hygiene rules (no NUL, no lone surrogate, metadata
//    depth, keys and size, no prototype keys, no placeholder event_id).
// Anything it cannot prove it leaves to the full path (undefined): a forged or hand-written record
// is judged exactly as an unmarked one. Pure.
import type { TSchema } from '@sinclair/typebox';
import { CANONICAL_FIELDS } from './canonical-record.ts';
import { CollectedEvent } from './event-schema.ts';
import { isDateTime, isHttpUrl, isPlaceholderUuid, isUuid } from './formats.ts';
import { LIMITS } from './limits.ts';
import { storedTextProblems, type StoredTextRules } from './stored-text.ts';

type Check = (value: unknown) => boolean;

// Recently proven page URLs: a site has few pages, and WHATWG URL parsing is the costliest check.
const URL_CACHE_SIZE = 1024;
const provenUrls = new Set<string>();
function isProvenHttpUrl(value: string): boolean {
  if (provenUrls.has(value)) return true;
  if (!isHttpUrl(value)) return false;
  if (provenUrls.size >= URL_CACHE_SIZE) provenUrls.clear();
  provenUrls.add(value);
  return true;
}

// The last date-time proven: timestamp and received_at are often the same text.
let provenDateTime = '';
function isProvenDateTime(value: string): boolean {
  if (value === provenDateTime) return true;
  if (!isDateTime(value)) return false;
  provenDateTime = value;
  return true;
}

const FORMATS: Record<string, (value: string) => boolean> = { uuid: isUuid, 'date-time': isProvenDateTime, 'http-url': isProvenHttpUrl };

/** A check for one property schema of CollectedEvent; a schema it does not know fails at load. */
function checkFor(name: string, schema: TSchema): Check {
  if (Array.isArray(schema.anyOf)) {
    const allowed = new Set((schema.anyOf as TSchema[]).map((s) => s.const as unknown));
    return (v) => allowed.has(v);
  }
  switch (schema.type) {
    case 'string': {
      const min = (schema.minLength as number | undefined) ?? 0;
      // UTF-16 units >= code points: within max units is within max characters; longer ones
      // (emoji-heavy titles) are left to the full path, which counts code points.
      const max = (schema.maxLength as number | undefined) ?? Infinity;
      const pattern = typeof schema.pattern === 'string' ? new RegExp(schema.pattern) : undefined;
      const format = schema.format === undefined ? undefined : FORMATS[schema.format as string];
      if (schema.format !== undefined && format === undefined) throw new Error(`canonical-read: no check for format ${String(schema.format)} of ${name}`);
      return (v) => typeof v === 'string' && v.length >= min && v.length <= max && (pattern === undefined || pattern.test(v)) && (format === undefined || format(v));
    }
    case 'integer': {
      const min = (schema.minimum as number | undefined) ?? -Infinity;
      const max = (schema.maximum as number | undefined) ?? Infinity;
      return (v) => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
    }
    case 'boolean':
      return (v) => typeof v === 'boolean';
    case 'object':
      if (name !== 'metadata') break;
      return (v) => v !== null && typeof v === 'object' && !Array.isArray(v) && metadataWithinLimits(v as Record<string, unknown>);
  }
  throw new Error(`canonical-read: no check for the schema of ${name}`);
}

// Depth (the object is level 1), keys per object and prototype keys, as hygieneErrors judges them;
// its text was already checked whole (NUL_OR_LONE_SURROGATE).
const METADATA_LIMITS: StoredTextRules = { maxProblems: 1, rootDepth: 1, maxDepth: LIMITS.metadataDepth, maxKeys: LIMITS.metadataKeys, text: false };
const metadataWithinLimits = (metadata: Record<string, unknown>): boolean => storedTextProblems(metadata, METADATA_LIMITS) === undefined;

const CHECKS = new Map<string, { index: number; check: Check }>(CANONICAL_FIELDS.map((name, index) => [name, { index, check: checkFor(name, CollectedEvent.properties[name as keyof typeof CollectedEvent.properties] as TSchema) }]));
const REQUIRED: readonly string[] = CollectedEvent.required ?? [];

// In canonical text (JSON.stringify's escapes) a NUL is written `\u0000` and a lone surrogate
// `\udXXX`; a paired surrogate is written as itself. A literal backslash before "u0000" in a
// string also matches: that record merely takes the full path.
const NUL_OR_LONE_SURROGATE = /\\u(?:0000|d[89a-f])/;

/**
 * `parsed` as a CollectedEvent when `text` (its JSON text, UTF-8 already checked) is canonical and
 * satisfies the contract; undefined when the full path must judge it. `bytes`: the text's UTF-8
 * length (the record's size), which bounds the metadata's. Never throws.
 */
export function readCanonicalRecord(text: string, parsed: unknown, bytes: number): CollectedEvent | undefined {
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const event = parsed as Record<string, unknown>;
  for (const name of REQUIRED) if (event[name] === undefined) return undefined;
  let previous = -1;
  for (const key in event) {
    const field = CHECKS.get(key);
    // An unknown key, or one out of canonical order (a repeated key is one too, once stringified).
    if (field === undefined || field.index <= previous || !field.check(event[key])) return undefined;
    previous = field.index;
  }
  if (isPlaceholderUuid(event.event_id as string)) return undefined;
  if (NUL_OR_LONE_SURROGATE.test(text)) return undefined;
  if (bytes > LIMITS.metadataBytes && event.metadata !== undefined && Buffer.byteLength(JSON.stringify(event.metadata), 'utf8') > LIMITS.metadataBytes) return undefined;
  // The fields are in canonical order, so this is writeCanonicalRecord's text (natively written).
  if (JSON.stringify(event) !== text) return undefined;
  return event as CollectedEvent;
}
