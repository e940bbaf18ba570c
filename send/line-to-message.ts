// One NDJSON line -> one analytics.v1.Event message (contract/ingest.proto). The line is judged by
// the collector's own NDJSON line parser (not UTF-8, not JSON, a number a double cannot hold, a
// key given twice, not an object: refused by line with the same field and words), so the gRPC
// stream carries only what the NDJSON route would also have read. Pure.
import { ServerEvent, validateServerEvent, type FieldError } from '#contract';
import { parseNdjsonLine } from '../collector/src/http/ndjson-line.ts';

/**
 * The contract's string fields, which analytics.v1.Event carries as strings of the same names
 * (contract/ingest.proto; held in step by a test); screen_width and metadata are the others.
 */
export const STRING_FIELDS: ReadonlySet<string> = new Set(
  Object.entries(ServerEvent.properties)
    .filter(([, schema]) => (schema as { type?: unknown }).type === 'string')
    .map(([name]) => name),
);

/** analytics.v1.Event as @grpc/proto-loader encodes it (keepCase): only present fields. */
export type EventMessage = Partial<Record<string, string | number>>;

export type LineOutcome =
  | { kind: 'message'; message: EventMessage }
  /** A blank line: skipped, as the NDJSON route skips it. */
  | { kind: 'blank' }
  | { kind: 'refused'; errors: FieldError[] };

const refused = (field: string, message: string): LineOutcome => ({ kind: 'refused', errors: [{ field, message }] });

/**
 * `bytes` is file line `line` without its ending. It is judged by the collector's own NDJSON line
 * parser (the byte order mark of line 1, UTF-8, blank lines, exact JSON, one object per line), so
 * both transports refuse a line with the same field and words.
 */
export function lineToMessage(bytes: Buffer, line: number): LineOutcome {
  const item = parseNdjsonLine(bytes.toString('latin1'), line);
  if (item === undefined) return { kind: 'blank' };
  if ('error' in item) return refused(item.error.field, item.error.message);
  const value = item.value as Record<string, unknown>;
  // Valid UTF-8 by now; metadata_json is taken from the line's own text.
  const text = bytes.toString('utf8');
  const message: EventMessage = {};
  for (const [key, field] of Object.entries(value)) {
    if (STRING_FIELDS.has(key) && typeof field === 'string') message[key] = field;
    else if (key === 'screen_width' && Number.isSafeInteger(field)) message[key] = field as number;
    else if (key === 'metadata') message.metadata_json = valueText(text, 'metadata') ?? JSON.stringify(field);
    else return { kind: 'refused', errors: contractErrors(value, key) };
  }
  return { kind: 'message', message };
}

/**
 * A field no Event message can carry as sent (a number for a string, null, an unknown name): the
 * contract's validator says why, exactly as POST /api/v1/events would.
 */
function contractErrors(value: object, key: string): FieldError[] {
  const verdict = validateServerEvent(value);
  if (!verdict.ok && verdict.errors.length > 0) return verdict.errors;
  return [{ field: `/${key}`, message: 'cannot be carried by the gRPC Event message as sent' }];
}

/**
 * The text of the value of top-level key `name` in the JSON object `text`, as written on the line
 * (so the collector judges metadata_json exactly as it judges the line). Undefined if absent.
 * `text` is known to be valid JSON.
 */
export function valueText(text: string, name: string): string | undefined {
  let depth = 0;
  let i = 0;
  let expectKey = false;
  let keyMatched = false;
  let valueStart = -1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const end = stringEnd(text, i);
      if (depth === 1 && expectKey) {
        const raw = text.slice(i + 1, end);
        keyMatched = (raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw) === name;
        expectKey = false;
      }
      i = end + 1;
      continue;
    }
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth += 1;
      if (depth === 1) expectKey = true;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      if (depth === 1 && valueStart !== -1) return text.slice(valueStart, i).trim();
      depth -= 1;
    } else if (depth === 1 && c === 0x3a /* : */) {
      if (keyMatched) valueStart = i + 1;
    } else if (depth === 1 && c === 0x2c /* , */) {
      if (valueStart !== -1) return text.slice(valueStart, i).trim();
      expectKey = true;
    }
    i += 1;
  }
  return undefined;
}

/** Index of the quote closing the string that opens at `start`. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  for (;;) {
    const quote = text.indexOf('"', i);
    let backslashes = 0;
    for (let j = quote - 1; text.charCodeAt(j) === 0x5c; j--) backslashes += 1;
    if (backslashes % 2 === 0) return quote;
    i = quote + 1;
  }
}
