// A raw HTTP client for the NDJSON route's tests: a request over its own socket that the test
// writes into piece by piece, pauses, ends or cuts, and the answer as it arrived (status, headers,
// JSON body). fetch() cannot cut a body mid-stream or read an answer given before the body's end.
import http, { type IncomingHttpHeaders } from 'node:http';
import { randomUUID } from 'node:crypto';

export interface StreamAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the answer's JSON, asserted field by field
  body: any;
}

export interface OpenStream {
  /** Writes and resolves once the socket took it (back-pressure included). */
  write(chunk: string | Buffer): Promise<void>;
  end(chunk?: string | Buffer): void;
  /** Cuts the connection, as a client that crashes mid-stream. */
  destroy(): void;
  /** The answer; rejects when the connection ended without one. */
  answer: Promise<StreamAnswer>;
}

export function openStream(url: string, headers: Record<string, string>): OpenStream {
  const req = http.request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/x-ndjson', ...headers } });
  let answered = false;
  const answer = new Promise<StreamAnswer>((resolve, reject) => {
    req.on('response', (res) => {
      answered = true;
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        resolve({ status: res.statusCode!, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) });
      });
      res.on('error', reject);
    });
    req.on('error', (error) => {
      // Writing on after the server answered early and closed: the answer is what counts.
      if (!answered) reject(error);
    });
  });
  answer.catch(() => undefined);
  req.flushHeaders();
  return {
    write: (chunk) =>
      new Promise((resolve) => {
        if (req.destroyed || answered) return resolve();
        req.write(chunk, () => resolve());
      }),
    end: (chunk) => {
      if (!req.destroyed) req.end(chunk);
    },
    destroy: () => req.destroy(),
    answer,
  };
}

/** A whole body in one request (written in 64 KiB pieces). */
export async function postStream(url: string, headers: Record<string, string>, body: string | Buffer): Promise<StreamAnswer> {
  const s = openStream(url, headers);
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  for (let i = 0; i < bytes.length; i += 65536) await s.write(bytes.subarray(i, i + 65536));
  s.end();
  return s.answer;
}

/** A server event for line i, with its own event_id (so a resend is idempotent). */
export function lineEvent(i: number, marker: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { event_id: randomUUID(), event_type: 'stream_test', page_url: `https://shop.example/stream/${i}`, session_id: marker, user_id: `user-${i % 97}`, ...fields };
}

export const ndjson = (events: readonly unknown[]): string => events.map((e) => `${JSON.stringify(e)}\n`).join('');
