// A JSON request body read exactly as sent, or refused: its declared charset is honoured (or 415),
// bytes that are not valid in it, numbers a double cannot hold and keys given twice are refused by
// field, and a compressed body is a 415 naming its coding. The collector's event bodies and the
// query API's report bodies are read by this one module, so both judge a body alike.
import { isUtf8 } from 'node:buffer';
import { parseExactJson } from './exact-json-text.ts';
import { charsetFor, charsetParameter } from './charsets.ts';

export class BodyError extends Error {
  override name = 'BodyError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    /** JSON Pointer of the offending value, when the body's text locates one. */
    readonly field = '/',
  ) {
    super(message);
  }
}

/**
 * Fastify's own body errors, as the error codes both services answer: a body over the limit, a
 * content type with no parser, a Content-Length that does not match, an empty JSON body.
 */
export const FASTIFY_BODY_ERRORS: Readonly<Record<string, { status: number; error: string }>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, error: 'payload_too_large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, error: 'unsupported_media_type' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, error: 'invalid_content_length' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, error: 'invalid_json' },
};

/** `expected` completes "body is empty; expected …" (e.g. "a JSON object"). */
function parseJsonBody(text: string, expected: string): unknown {
  if (text.trim().length === 0) throw new BodyError(400, 'invalid_json', `body is empty; expected ${expected}`);
  const parsed = parseExactJson(text);
  if (parsed.ok) return parsed.value;
  if (parsed.code === 'invalid_json') throw new BodyError(400, 'invalid_json', `body is ${parsed.message}`);
  throw new BodyError(400, parsed.code, parsed.message, parsed.field);
}

/** Bytes read as UTF-8 without replacing anything: invalid bytes are a 400 naming the byte and the string holding it. */
export function decodeUtf8(bytes: Buffer, what: string): string {
  if (!isUtf8(bytes)) throw new BodyError(400, 'invalid_encoding', `${what} is not valid UTF-8 ${locateInvalid(bytes)}`, fieldOfInvalid(bytes));
  return bytes.toString('utf8');
}

/** The declared charset label, lower-cased; utf-8 when none is declared (JSON's only encoding, RFC 8259). */
function declaredCharset(contentType: string | undefined): string {
  const param = charsetParameter(contentType ?? '');
  if ('error' in param) throw new BodyError(415, 'unsupported_media_type', param.error);
  return param.label ?? 'utf-8';
}

/** The body's text in its declared charset; a leading byte order mark is the encoding's, not the content's. */
export function decodeBody(body: Buffer, contentType: string | undefined): string {
  const label = declaredCharset(contentType);
  const charset = label === 'utf-8' ? ({ name: 'utf-8' } as const) : charsetFor(label);
  if (typeof charset === 'string') throw new BodyError(415, 'unsupported_charset', charset);
  if (charset.name === 'utf-8') {
    const text = decodeUtf8(body, 'body');
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }
  try {
    const text = charset.decode(body);
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch {
    throw new BodyError(400, 'invalid_encoding', `body is not valid ${charset.name}`);
  }
}

/**
 * Compressed bodies are not decoded: a Content-Encoding other than identity is a 415 naming it,
 * instead of a misleading "not valid UTF-8" about the compressed bytes.
 */
function checkContentEncoding(value: string | string[] | undefined): void {
  if (value === undefined) return;
  const codings = (Array.isArray(value) ? value.join(',') : value).split(',').map((c) => c.trim().toLowerCase()).filter((c) => c !== '' && c !== 'identity');
  if (codings.length > 0) {
    throw new BodyError(415, 'unsupported_content_encoding', `Content-Encoding ${JSON.stringify(codings.join(', '))} is not supported; send the body uncompressed`);
  }
}

function locateInvalid(body: Buffer): string {
  for (let i = 0; i < body.length; ) {
    const c = body[i]!;
    const n = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    let bad = n < 0;
    for (let k = 1; !bad && k <= n; k++) bad = i + k >= body.length || (body[i + k]! & 0xc0) !== 0x80;
    const d = body[i + 1] ?? 0;
    // Overlong forms, UTF-16 surrogates and code points above U+10FFFF.
    bad ||= (c === 0xe0 && d < 0xa0) || (c === 0xed && d > 0x9f) || (c === 0xf0 && d < 0x90) || (c === 0xf4 && d > 0x8f);
    if (bad) return `(byte ${i}: 0x${c.toString(16).padStart(2, '0')})`;
    i += n + 1;
  }
  return '';
}

// Rare path: decode leniently and find the string holding U+FFFD where the text had bad bytes.
function fieldOfInvalid(body: Buffer): string {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as unknown;
    const stack: [unknown, string][] = [[parsed, '']];
    while (stack.length > 0) {
      const [node, at] = stack.pop()!;
      if (typeof node === 'string' && node.includes('\uFFFD')) return at || '/';
      if (node !== null && typeof node === 'object') {
        for (const [k, v] of Object.entries(node)) {
          const childAt = `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
          if (k.includes('\uFFFD')) return at || '/';
          stack.push([v, childAt]);
        }
      }
    }
  } catch {
    // Not JSON either: the body as a whole.
  }
  return '/';
}

/** The media types read as JSON: application/json and text/plain (the CORS-simple type that navigator.sendBeacon and no-preflight fetch use). */
export const JSON_BODY_TYPES = ['application/json', 'text/plain'];

/**
 * A body's JSON value, read exactly: `headers` gives its Content-Type (charset) and
 * Content-Encoding; `expected` names what an empty body should have held. Throws a BodyError
 * (400 invalid_encoding / invalid_json / validation_failed, 415 for a charset or coding) whose
 * `field` is the JSON Pointer of the value at fault ('/' for the whole body).
 */
export function readJsonBody(body: Buffer, headers: { 'content-type'?: string; 'content-encoding'?: string | string[] }, expected: string): unknown {
  checkContentEncoding(headers['content-encoding']);
  return parseJsonBody(decodeBody(body, headers['content-type']), expected);
}
