// --grpc: each line of the file as one analytics.v1.Event message on one client stream
// (contract/ingest.proto, loaded at run time by the same loader the collector serves it with:
// int64 as decimal strings, absent fields absent). Writes wait while HTTP/2 flow control holds them,
// so a collector that pauses reading (its Kafka acks pending) pauses this client too.
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { loadIngestPackage } from '../collector/src/grpc/ingest-proto.ts';
import { RETRY_PUSHBACK_TRAILER, SUMMARY_TRAILER } from '../collector/src/grpc/ingest-status.ts';
import { fileLines } from './file-lines.ts';
import type { Interrupt } from './interrupt.ts';
import { lineToMessage } from './line-to-message.ts';
import { stopped, type SendOutcome } from './outcome.ts';
import { joinSummary, LineMap, MAX_LISTED_ERRORS, readSummary, type SendError, type SendSummary } from './summary.ts';

export interface GrpcTarget {
  /** host:port of the collector's gRPC listener. */
  address: string;
  key: string;
  project?: string;
  /** First file line sent. */
  fromLine: number;
  /** Ctrl-C: stop after the current line and take the collector's answer. */
  interrupt?: Interrupt;
}

type StreamCall = grpc.ClientWritableStream<unknown>;
type IngestClient = grpc.Client & { StreamEvents(metadata: grpc.Metadata, callback: (error: grpc.ServiceError | null, summary?: unknown) => void): StreamCall };

let ingestClient: grpc.ServiceClientConstructor | undefined;

interface Answer {
  error: grpc.ServiceError | null;
  summary?: unknown;
}

/** Streams `file` from `target.fromLine`; the collector's answer in file lines. Never throws for the collector's or the network's failures. */
export async function sendGrpc(file: string, target: GrpcTarget): Promise<SendOutcome> {
  ingestClient ??= loadIngestPackage().Ingest;
  const client = new ingestClient(target.address, grpc.credentials.createInsecure()) as unknown as IngestClient;
  const metadata = new grpc.Metadata();
  metadata.set('x-api-key', target.key);
  if (target.project !== undefined) metadata.set('x-project', target.project);
  let answer: Answer | undefined;
  let call!: StreamCall;
  const answered = new Promise<Answer>((resolve) => {
    call = client.StreamEvents(metadata, (error, summary) => resolve((answer = { error, summary })));
  });
  const map = new LineMap(target.fromLine);
  let cut = false;
  const local: SendError[] = [];
  let localRejected = 0;
  try {
    for await (const { line, bytes } of fileLines(createReadStream(file), target.fromLine)) {
      if (answer !== undefined) break;
      if (target.interrupt?.requested === true) {
        cut = true;
        break;
      }
      const out = lineToMessage(bytes, line);
      if (out.kind !== 'message') {
        map.passedLine(line);
        if (out.kind === 'refused') {
          localRejected += 1;
          // Lines arrive in order: the first MAX_LISTED_ERRORS are all a joined list can use.
          for (const e of out.errors) if (local.length < MAX_LISTED_ERRORS) local.push({ line, ...e });
        }
        continue;
      }
      map.sentLine(line);
      if (!call.write(out.message)) await Promise.race([once(call, 'drain'), answered]);
    }
  } catch (error) {
    call.cancel();
    await answered;
    client.close();
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? { status: 'refused', reason: (error as Error).message } : stopped(`reading ${file}: ${(error as Error).message}`, target.fromLine, undefined);
  }
  call.end();
  const { error, summary } = await answered;
  client.close();
  const join = (s: SendSummary) => joinSummary(s, map, local, localRejected);
  // The response message leaves zero counts out (proto3 defaults are not decoded).
  if (error === null) {
    const answered = join(readSummary({ accepted: 0, rejected: 0, errors: [], last_acked_line: 0, ...(summary as object) })!);
    return cut ? stopped('interrupted (Ctrl-C) before the end of the file', target.fromLine, answered) : { status: 'complete', summary: answered };
  }
  const trailer = error.metadata?.get(SUMMARY_TRAILER)[0];
  const fromTrailer = trailer === undefined ? undefined : readSummary(safeJson(String(trailer)));
  // The collector's details name stream positions ("resume with message N"); the client speaks of file lines.
  const why = `gRPC ${grpc.status[error.code] ?? error.code}: ${error.details.replace(/;?\s*resume with message \d+.*$/, '')}`;
  if (fromTrailer === undefined) {
    const beforeReading = [grpc.status.UNAUTHENTICATED, grpc.status.PERMISSION_DENIED, grpc.status.NOT_FOUND, grpc.status.INVALID_ARGUMENT].includes(error.code);
    return beforeReading ? { status: 'refused', reason: why } : stopped(why, target.fromLine, undefined);
  }
  // INVALID_ARGUMENT with a summary: every message was read and refused; resending changes nothing.
  if (error.code === grpc.status.INVALID_ARGUMENT) return { status: 'complete', summary: join(fromTrailer) };
  const pushback = Number(error.metadata?.get(RETRY_PUSHBACK_TRAILER)[0]);
  return stopped(why, target.fromLine, join(fromTrailer), Number.isFinite(pushback) && pushback > 0 ? Math.ceil(pushback / 1000) : undefined);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
