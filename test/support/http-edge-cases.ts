// Requests every service must answer in its problem shape ({ success: false, error, message,
// errors: [{ field }] }) although no route handler sees them: bytes Node's HTTP parser refuses
// (sent over a raw socket, as no HTTP client would send them) and framework errors (a path
// parameter too long or not decodable, no route for the method and path).
import assert from 'node:assert/strict';
import net from 'node:net';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends `bytes` on a fresh connection and reads the answer until the server closes it. */
export function rawRequest(port: number, bytes: Buffer | string, timeoutMs = 5000): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(port, '127.0.0.1', () => socket.write(bytes));
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (c) => chunks.push(c));
    // A reset after the answer was read still leaves the answer to check.
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
  });
}

export interface EdgeCase {
  name: string;
  request: Buffer | string;
  status: number;
  error: string;
  field: string;
  /** Text the message must hold (the reason). */
  says?: RegExp;
}

const line = (target: string | Buffer, headers = 'Host: x\r\nConnection: close\r\n') => Buffer.concat([Buffer.from('GET '), Buffer.from(target), Buffer.from(` HTTP/1.1\r\n${headers}\r\n`)]);

/** What Node's parser refuses, the same on every service (`path` is any path the service serves). */
export function parserCases(path: string): EdgeCase[] {
  return [
    { name: 'raw UTF-8 bytes in the query', request: line(`${path}?start_page=/ü`), status: 400, error: 'invalid_url', field: 'url', says: /percent-encoded ASCII.*send start_page=\/%C3%BC/ },
    { name: 'a control byte in the path', request: line(Buffer.concat([Buffer.from(`${path}`), Buffer.from([0x7f])])), status: 400, error: 'invalid_url', field: 'url', says: /0x7F/ },
    { name: 'a control byte in a header value', request: line(path, 'Host: x\r\nX-Label: a\u0001b\r\n'), status: 400, error: 'invalid_header', field: 'X-Label', says: /0x01/ },
    { name: 'a space in a header name', request: line(path, 'Host: x\r\nX Label: a\r\n'), status: 400, error: 'invalid_header', field: 'headers', says: /token/ },
    { name: 'headers over the size limit', request: line(path, `Host: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n`), status: 431, error: 'headers_too_large', field: 'headers', says: /exceed/ },
    { name: 'a URL over the size limit', request: line(`${path}?q=${'a'.repeat(20_000)}`), status: 431, error: 'headers_too_large', field: 'url', says: /URL is longer/ },
    { name: 'an unknown method', request: 'FETCH / HTTP/1.1\r\nHost: x\r\n\r\n', status: 400, error: 'invalid_method', field: 'method' },
    { name: 'a space in the URL', request: `GET ${path} x HTTP/1.1\r\nHost: x\r\n\r\n`, status: 400, error: 'invalid_request_line', field: 'request line', says: /%20/ },
    { name: 'an unknown HTTP version', request: `GET ${path} HTTP/9.9\r\nHost: x\r\n\r\n`, status: 400, error: 'invalid_request_line', field: 'request line' },
    { name: 'a Content-Length that is not a number', request: `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n`, status: 400, error: 'invalid_content_length', field: 'Content-Length' },
    { name: 'Content-Length with chunked', request: `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, status: 400, error: 'invalid_transfer_encoding', field: 'Transfer-Encoding' },
  ];
}

/** Framework errors of any service: an unknown route's long path is never repeated. */
export function frameworkCases(): EdgeCase[] {
  const long = 'a'.repeat(10_000);
  return [
    { name: 'an unknown route with a 10,000-character path', request: line(`/no-such-route/${long}`), status: 404, error: 'not_found', field: 'url', says: /not repeated/ },
    { name: 'an unknown route', request: line('/no-such-route'), status: 404, error: 'not_found', field: 'url', says: /^no route GET \/no-such-route$/ },
  ];
}

/** At most this many bytes: an answer never carries the input back. */
export const SHORT_ANSWER_BYTES = 600;

/** Sends each case and checks the status, the shape, the code, the field and that the answer is short. */
export async function checkEdgeCases(port: number, cases: readonly EdgeCase[]): Promise<void> {
  for (const c of cases) {
    const answer = await rawRequest(port, c.request);
    assert.equal(answer.status, c.status, `${c.name}: ${answer.body}`);
    assert.ok(Buffer.byteLength(answer.body) <= SHORT_ANSWER_BYTES, `${c.name}: answer of ${answer.body.length} bytes`);
    const body = JSON.parse(answer.body) as { success: boolean; error: string; message: string; errors?: { field: string }[] };
    assert.equal(body.success, false, c.name);
    assert.equal(body.error, c.error, `${c.name}: ${answer.body}`);
    assert.equal(body.errors?.[0]?.field, c.field, `${c.name}: ${answer.body}`);
    if (c.says) assert.match(body.message, c.says, c.name);
  }
}
