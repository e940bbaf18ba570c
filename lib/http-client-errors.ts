// Requests Node's HTTP parser refuses never reach Fastify: by default they get
// {"error":"Bad Request","message":"Client Error"}. This answers them in the services' problem
// shape with the reason and the part of the request at fault (url, method, a header's name,
// headers, body), quoting what was sent only when it is short and printable.
import { STATUS_CODES, maxHeaderSize } from 'node:http';
import type { Socket } from 'node:net';
import { problemBody, type HttpProblem } from './http-problem.ts';

/** Node's parse error: llhttp's code, the chunk being parsed and the offset of the refused byte in it. */
export interface ParserError extends Error {
  code?: string;
  /** A Buffer from Node (typed loosely by Fastify). */
  rawPacket?: unknown;
  bytesParsed?: number;
}

const HEADER_NAME_CHARS = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/;
const SUGGESTION_MAX = 120;

const hex = (byte: number) => `0x${byte.toString(16).padStart(2, '0').toUpperCase()}`;

/** Bytes a URL may not hold as they are (controls, space, DEL, non-ASCII) percent-encoded; ASCII kept. */
function percentEncodeRaw(bytes: Buffer): string {
  let out = '';
  for (const b of bytes) out += b <= 0x20 || b >= 0x7f ? `%${b.toString(16).padStart(2, '0').toUpperCase()}` : String.fromCharCode(b);
  return out;
}

/** Why the URL was refused, with the percent-encoded form of the query parameter (or path) holding the byte when that is short. */
function urlProblem(raw: Buffer | undefined, at: number | undefined): HttpProblem {
  const base = 'the URL must be percent-encoded ASCII (RFC 3986)';
  if (raw === undefined || at === undefined || at >= raw.length) return { status: 400, error: 'invalid_url', field: 'url', message: base };
  const byte = raw[at] ?? 0;
  const targetStart = raw.indexOf(0x20) + 1;
  const lineEnd = raw.indexOf('\r\n');
  const targetEnd = raw.lastIndexOf(' HTTP/', lineEnd < 0 ? raw.length : lineEnd);
  const target = raw.subarray(targetStart, targetEnd > at ? targetEnd : lineEnd < 0 ? raw.length : lineEnd);
  const offset = at - targetStart;
  const query = target.indexOf(0x3f);
  // The name=value pair (or the path) holding the refused byte, as it should have been sent.
  let part: Buffer;
  if (query >= 0 && offset > query) {
    const pairStart = target.lastIndexOf(0x26, offset) > query ? target.lastIndexOf(0x26, offset) + 1 : query + 1;
    const next = target.indexOf(0x26, offset);
    part = target.subarray(pairStart, next < 0 ? target.length : next);
  } else {
    part = target.subarray(0, query < 0 ? target.length : query);
  }
  const suggestion = percentEncodeRaw(part);
  const what = byte >= 0x80 ? `a raw non-ASCII byte (${hex(byte)})` : `byte ${hex(byte)}`;
  const send = suggestion.length <= SUGGESTION_MAX ? `: send ${suggestion}` : '';
  return { status: 400, error: 'invalid_url', field: 'url', message: `${base}; it holds ${what}${send}` };
}

/** The header whose line holds the refused byte, its name when that is a token; whether the byte is in the name or the value. */
function headerProblem(raw: Buffer | undefined, at: number | undefined): HttpProblem {
  const rule = 'a header name is a token (RFC 9110) and a value holds visible ASCII, space or tab (send other text percent-encoded)';
  if (raw === undefined || at === undefined || at >= raw.length) return { status: 400, error: 'invalid_header', field: 'headers', message: `a header is not valid: ${rule}` };
  const lineStart = raw.lastIndexOf(0x0a, at) + 1;
  const colon = raw.indexOf(0x3a, lineStart);
  const inValue = colon >= 0 && colon < at;
  const name = inValue ? raw.subarray(lineStart, colon).toString('latin1') : undefined;
  const byte = hex(raw[at] ?? 0);
  if (name !== undefined && HEADER_NAME_CHARS.test(name)) return { status: 400, error: 'invalid_header', field: name, message: `header ${name} holds byte ${byte}, not allowed in a value: ${rule}` };
  return { status: 400, error: 'invalid_header', field: 'headers', message: `a header name holds byte ${byte}: ${rule}` };
}

/** Whether the parser overflowed still in the request line (the chunk starts with a method and has no line end before the overflow). */
const inRequestLine = (raw: Buffer | undefined, at: number | undefined) => {
  if (raw === undefined || !/^[A-Z]{1,20} /.test(raw.subarray(0, 21).toString('latin1'))) return false;
  const end = raw.indexOf(0x0a);
  return end < 0 || (at !== undefined && end >= at);
};

/** The answer to a request Node's parser refused; undefined when there is no one to answer (the client reset the connection). */
function clientProblem(err: ParserError, limit = maxHeaderSize): HttpProblem | undefined {
  const at = err.bytesParsed;
  const raw = Buffer.isBuffer(err.rawPacket) ? err.rawPacket : undefined;
  switch (err.code) {
    case 'ECONNRESET':
      return undefined;
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, error: 'request_timeout', field: 'request', message: 'the request was not received in time; send it again' };
    case 'HPE_HEADER_OVERFLOW':
      return inRequestLine(raw, at)
        ? { status: 431, error: 'headers_too_large', field: 'url', message: `the URL is longer than the ${limit} bytes allowed for the request line and headers together` }
        : { status: 431, error: 'headers_too_large', field: 'headers', message: `the request line and headers exceed ${limit} bytes together` };
    case 'HPE_INVALID_URL':
      return urlProblem(raw, at);
    case 'HPE_INVALID_HEADER_TOKEN':
      return headerProblem(raw, at);
    case 'HPE_INVALID_METHOD':
      return { status: 400, error: 'invalid_method', field: 'method', message: 'the method is not one HTTP defines (GET, POST, HEAD, OPTIONS, …)' };
    case 'HPE_INVALID_VERSION':
    case 'HPE_INVALID_CONSTANT':
      return { status: 400, error: 'invalid_request_line', field: 'request line', message: 'the request line must be "METHOD /path HTTP/1.1" (a space in the URL is sent as %20)' };
    case 'HPE_INVALID_CONTENT_LENGTH':
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
      return { status: 400, error: 'invalid_content_length', field: 'Content-Length', message: 'Content-Length must be one decimal number, and not sent with Transfer-Encoding: chunked' };
    case 'HPE_INVALID_TRANSFER_ENCODING':
      return { status: 400, error: 'invalid_transfer_encoding', field: 'Transfer-Encoding', message: 'Transfer-Encoding must end with chunked and not come with Content-Length' };
    case 'HPE_INVALID_CHUNK_SIZE':
    case 'HPE_INVALID_EOF_STATE':
      return { status: 400, error: 'invalid_chunked_body', field: 'body', message: 'the chunked body is malformed: each chunk starts with its size in hex and a CRLF' };
    case 'HPE_CR_EXPECTED':
    case 'HPE_LF_EXPECTED':
    case 'HPE_STRICT':
      return { status: 400, error: 'invalid_header', field: 'headers', message: 'each header line must end with CRLF' };
    default:
      return { status: 400, error: 'bad_request', field: 'request', message: `the request is not valid HTTP/1.1 (${err.code ?? 'parse error'})` };
  }
}

/** How long a refused connection stays half-closed so the client can read the answer before the socket is destroyed. */
const LINGER_MS = 2000;

/**
 * Fastify's `clientErrorHandler`: writes the problem only when the socket is writable and no
 * answer is already under way on it (a keep-alive socket's earlier response), then half-closes
 * and destroys the socket after a short linger (a destroy right after the write can reset the
 * connection and lose the answer while the client is still sending).
 */
export function answerClientError(err: ParserError, socket: Socket): void {
  const problem = clientProblem(err);
  if (problem === undefined || socket.destroyed) return;
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && inFlight?.headersSent !== true) {
    const body = JSON.stringify(problemBody(problem));
    const head = [
      `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? 'Error'}`,
      'Content-Type: application/json; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Connection: close',
    ];
    socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
    return;
  }
  socket.destroy();
}
