// --http: the file's bytes, as they are, in one POST /api/v1/events/stream (NDJSON), so the
// collector numbers the lines exactly as the file does; read as sent, never held whole.
import { createReadStream } from 'node:fs';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { skipLines } from './file-lines.ts';
import { NEVER, untilInterrupted, type Interrupt } from './interrupt.ts';
import { stopped, type SendOutcome } from './outcome.ts';
import { readSummary, shiftSummary } from './summary.ts';

export interface HttpTarget {
  /** The collector's base URL, e.g. http://127.0.0.1:3001. */
  url: string;
  key: string;
  project?: string;
  gzip: boolean;
  /** First file line sent. */
  fromLine: number;
  /** Ctrl-C: stop after the current line and take the collector's answer. */
  interrupt?: Interrupt;
}

/** Streams `file` from `target.fromLine`; the collector's answer in file lines. Never throws for the collector's or the network's failures. */
export async function sendHttp(file: string, target: HttpTarget): Promise<SendOutcome> {
  const endpoint = new URL('/api/v1/events/stream', target.url);
  if (target.project !== undefined) endpoint.searchParams.set('project', target.project);
  const request = (endpoint.protocol === 'https:' ? https : http).request(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-ndjson',
      'x-api-key': target.key,
      ...(target.gzip ? { 'content-encoding': 'gzip' } : {}),
    },
  });
  const answered = new Promise<IncomingMessage>((resolve, reject) => {
    request.once('response', resolve);
    request.once('error', reject);
  });
  // The collector may answer before the body ends (an outage, a limit, a refused key): then the
  // upload fails with a reset, and the answer is what counts.
  const source = untilInterrupted(createReadStream(file), target.interrupt ?? NEVER);
  const stages = [Readable.from(source), skipLines(target.fromLine), ...(target.gzip ? [createGzip()] : []), request];
  const upload = pipeline(stages).then(
    () => undefined,
    (error: unknown) => error,
  );
  let response: IncomingMessage;
  try {
    response = await answered;
  } catch (error) {
    const uploadError = await upload;
    if ((uploadError as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return { status: 'refused', reason: (uploadError as Error).message };
    return stopped(`no answer from ${endpoint.origin}: ${(error as Error).message}`, target.fromLine, undefined);
  }
  const text = await readText(response);
  if (!request.writableFinished) request.destroy();
  const status = response.statusCode ?? 0;
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    body = undefined;
  }
  const summary = readSummary(body);
  const error = body as { error?: unknown; message?: unknown } | undefined;
  // The collector numbers the lines of the stream it read; the client speaks of file lines.
  const message = typeof error?.message === 'string' ? error.message.replace(/\bline (\d+)/g, (_, n: string) => `line ${Number(n) + target.fromLine - 1}`) : undefined;
  const why = `HTTP ${status}${typeof error?.error === 'string' ? ` ${error.error}` : ''}${message !== undefined ? `: ${message}` : text !== '' && body === undefined ? `: ${text.slice(0, 200)}` : ''}`;
  if (summary === undefined) return status >= 200 && status < 300 ? stopped(`${why} without a summary`, target.fromLine, undefined) : { status: 'refused', reason: why };
  const inFile = shiftSummary(summary, target.fromLine);
  // 400 validation_failed: the whole body was read and every line refused; resending changes nothing.
  if (status === 200 && source.cut()) return stopped('interrupted (Ctrl-C) before the end of the file', target.fromLine, inFile);
  if (status === 200 || (status === 400 && error?.error === 'validation_failed')) return { status: 'complete', summary: inFile };
  const retryAfter = Number(response.headers['retry-after']);
  const outcome = stopped(why, target.fromLine, inFile, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined);
  // A line over the collector's limit stops every resend at that same line until it is fixed or skipped.
  return error?.error === 'line_too_long' && outcome.status === 'stopped' ? { ...outcome, unsendableLine: outcome.resumeFrom } : outcome;
}

async function readText(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
