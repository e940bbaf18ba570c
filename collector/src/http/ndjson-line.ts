// One NDJSON line to one stream item, parsed exactly as a JSON body is (lib/http-body/json-body.ts): its
// bytes validated as UTF-8 (never replaced by U+FFFD), then JSON.parse with the exactness check
// (numbers a double cannot hold, keys given twice). Pure.
import type { StreamItem } from '../events/ingest-stream.ts';
import { parseExactJson } from '../../../lib/http-body/exact-json-text.ts';
import { BodyError, decodeUtf8 } from '../../../lib/http-body/json-body.ts';

/** A latin1 character above 0x7f is a byte of a multi-byte (or invalid) UTF-8 sequence. */
const NON_ASCII = /[\u0080-\u00ff]/;
const BLANK = /^[ \t\r]*$/;
/** UTF-8's byte order mark, as the latin1 characters of its three bytes. */
const BOM = '\xef\xbb\xbf';

/**
 * `raw` holds the line's bytes one per character (latin1: see ndjson-source.ts), without its
 * "\n". A trailing "\r" is dropped (CRLF files), a byte order mark on line 1 is the encoding's;
 * undefined for a blank line, which carries no event and is skipped.
 */
export function parseNdjsonLine(raw: string, line: number): StreamItem | undefined {
  let start = 0;
  if (line === 1 && raw.startsWith(BOM)) start = 3;
  const end = raw.endsWith('\r') ? raw.length - 1 : raw.length;
  const bytes = start === 0 && end === raw.length ? raw : raw.slice(start, end);
  if (BLANK.test(bytes)) return undefined;
  // Invisible in a parser's message ("Unexpected token"), so named: files joined with `cat` carry one.
  if (bytes.startsWith(BOM)) return { line, error: { field: '/', message: 'line starts with a byte order mark (U+FEFF), which only the first line of a body may carry' } };
  try {
    // ASCII is the same in latin1 and UTF-8: most lines skip the round trip through a Buffer.
    const text = !NON_ASCII.test(bytes) ? bytes : decodeUtf8(Buffer.from(bytes, 'latin1'), 'line');
    const parsed = parseExactJson(text);
    if (!parsed.ok) return { line, error: { field: parsed.field, message: parsed.code === 'invalid_json' ? `line is ${parsed.message}` : parsed.message } };
    const { value } = parsed;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
      return { line, error: { field: '/', message: `a line must hold one JSON object (one event); got ${got}` } };
    }
    return { line, value };
  } catch (error) {
    if (error instanceof BodyError) return { line, error: { field: error.field, message: error.message } };
    throw error;
  }
}
