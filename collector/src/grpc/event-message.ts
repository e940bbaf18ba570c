// An Event message of contract/ingest.proto turned into the JSON event the contract validates:
// a plain object with only the fields the sender set, under the same names (metadata_json becomes
// metadata, parsed exactly as an HTTP body is). Pure: validation itself stays the collect core's.
import { ServerEvent } from '#contract';
import { parseExactJson } from '../../../lib/http-body/exact-json-text.ts';
import type { StreamItem } from '../events/ingest-stream.ts';
import type { EventMessage } from './ingest-proto.ts';

/** The proto field of each ServerEvent property (contract/ingest-proto.test.ts holds them in step). */
const PROTO_FIELDS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.keys(ServerEvent.properties).map((name) => [name, name === 'metadata' ? 'metadata_json' : name]),
);

const INTEGER = /^-?\d+$/;

/** Set by withUtf8Check on a message a string field of which held bytes that are not UTF-8: that field's name. */
export const INVALID_UTF8 = Symbol('field with invalid UTF-8');
/** Set by withUtf8Check on a message whose bytes are no Event at all (wrong wire types, truncated): why. */
export const UNREADABLE = Symbol('bytes that are no Event message');
/** Set by withSizeLimit on a message longer than the limit (never decoded): its size and the limit, bytes. */
export const TOO_LONG = Symbol('message over STREAM_MAX_LINE_BYTES');

/**
 * A message longer than maxBytes is refused by its number, undecoded, and the stream goes on: unlike
 * an NDJSON line, whose end is found only by reading it, a message arrives whole with its length.
 * (grpc-js's own max_receive_message_length, far above, still ends a call whose message is huge.)
 */
export function withSizeLimit(maxBytes: number, decode: (raw: Buffer) => EventMessage): (raw: Buffer) => EventMessage {
  return (raw) => (raw.length > maxBytes ? { [TOO_LONG]: { bytes: raw.length, limit: maxBytes } } : decode(raw));
}
const REPLACEMENT = '\uFFFD';
const REPLACEMENT_BYTES = Buffer.from(REPLACEMENT);

/**
 * protobufjs decodes a string's invalid UTF-8 bytes as U+FFFD without a word, which would store
 * the text altered. A decoded message holding more U+FFFD than its raw bytes spell out (EF BF BD)
 * had invalid bytes: the message is marked with the first field holding one, and refused by name.
 */
export function withUtf8Check(decode: (raw: Buffer) => EventMessage): (raw: Buffer) => EventMessage {
  return (raw) => {
    let message: EventMessage;
    try {
      message = decode(raw);
    } catch (error) {
      // grpc-js would end the whole call with INTERNAL and no summary: one unreadable message is
      // refused by its number like any other bad message, and the rest of the stream goes on.
      return { [UNREADABLE]: (error as Error).message };
    }
    let decoded = 0;
    let first: string | undefined;
    for (const [field, value] of Object.entries(message)) {
      if (typeof value !== 'string' || !value.includes(REPLACEMENT)) continue;
      first ??= field;
      decoded += value.split(REPLACEMENT).length - 1;
    }
    if (first !== undefined && decoded > occurrences(raw, REPLACEMENT_BYTES)) message[INVALID_UTF8] = first;
    return message;
  };
}

function occurrences(haystack: Buffer, needle: Buffer): number {
  let n = 0;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + needle.length)) n += 1;
  return n;
}

/** The stream item of the `line`-th message (from 1): the event to validate, or why it cannot be read. */
export function messageToItem(message: EventMessage, line: number): StreamItem {
  const tooLong = message[TOO_LONG] as { bytes: number; limit: number } | undefined;
  if (tooLong !== undefined) return { line, error: { field: '/', message: `the message is ${tooLong.bytes} bytes, longer than ${tooLong.limit} bytes (STREAM_MAX_LINE_BYTES)` } };
  const unreadable = message[UNREADABLE] as string | undefined;
  if (unreadable !== undefined) return { line, error: { field: '/', message: `is not an analytics.v1.Event message (${unreadable})` } };
  const invalid = message[INVALID_UTF8] as string | undefined;
  if (invalid !== undefined) return { line, error: { field: invalid === 'metadata_json' ? '/metadata' : `/${invalid}`, message: 'is not valid UTF-8' } };
  const event: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(PROTO_FIELDS)) {
    const value = message[field];
    if (value === undefined || value === null) continue;
    if (name === 'metadata') {
      const parsed = parseExactJson(String(value));
      if (!parsed.ok) {
        const message = parsed.code === 'invalid_json' ? `metadata_json is ${parsed.message}` : parsed.message;
        return { line, error: { field: parsed.field === '/' ? '/metadata' : `/metadata${parsed.field}`, message } };
      }
      event.metadata = parsed.value;
    } else if (name === 'screen_width' && typeof value === 'string' && INTEGER.test(value)) {
      // int64 arrives as decimal text (PROTO_LOADER_OPTIONS): kept only when a double holds it exactly.
      const n = Number(value);
      if (!Number.isSafeInteger(n)) return { line, error: { field: '/screen_width', message: `${value} is beyond the integers a JSON number holds exactly` } };
      event[name] = n;
    } else {
      event[name] = value;
    }
  }
  return { line, value: event };
}
