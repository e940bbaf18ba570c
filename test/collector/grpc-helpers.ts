// Shared by the gRPC ingestion tests: the collector in-process with its real gRPC listener (real
// Kafka producer, real tenancy directory), and a client that streams Event messages with
// back-pressure (it waits for 'drain' as a real producer would) and returns the call's answer.
import { randomUUID } from 'node:crypto';
import type { status} from '@grpc/grpc-js';
import { credentials, Metadata, type Client, type ClientWritableStream, type ServiceError, type StatusObject } from '@grpc/grpc-js';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../collector/src/app.ts';
import type { CollectorConfig } from '../../collector/src/config.ts';
import type { EventPublisher } from '../../collector/src/events/publisher.ts';
import { startGrpcServer, type GrpcListener } from '../../collector/src/grpc/grpc-server.ts';
import { loadIngestPackage, type IngestSummaryMessage } from '../../collector/src/grpc/ingest-proto.ts';
import { SUMMARY_TRAILER } from '../../collector/src/grpc/ingest-status.ts';
import type { TenancyDirectory } from '../../tenancy/model.ts';
import { waitFor } from '../support/service-kit.ts';
import { silentLogger, testConfig, testPublisher } from './helpers.ts';

export interface GrpcBed {
  app: FastifyInstance;
  publisher: EventPublisher;
  grpc: GrpcListener;
  config: CollectorConfig;
  /** A client of this bed's listener (closed by close()). */
  client(): Client;
  close(): Promise<void>;
}

/** The collector app and its gRPC listener on a free port of 127.0.0.1. */
export async function grpcBed(
  overrides: Partial<CollectorConfig>,
  directory: TenancyDirectory,
  options: { waitForKafka?: boolean; /** Wraps the real Kafka publisher (a gate holding acks, say). */ wrap?: (publisher: EventPublisher) => EventPublisher } = {},
): Promise<GrpcBed> {
  const config = testConfig({ collectorHost: '127.0.0.1', grpcPort: 0, ...overrides });
  const publisher = testPublisher(config);
  const app = await buildApp({ config, publisher: options.wrap?.(publisher) ?? publisher, logger: silentLogger, directory, docs: false });
  if (options.waitForKafka !== false) await waitFor('kafka ready', () => publisher.isReady());
  const grpc = await startGrpcServer(app.ingestion, config, silentLogger);
  const { Ingest } = loadIngestPackage();
  const clients: Client[] = [];
  return {
    app,
    publisher,
    grpc,
    config,
    client() {
      const client = new Ingest(`127.0.0.1:${grpc.port}`, credentials.createInsecure());
      clients.push(client);
      return client;
    },
    async close() {
      for (const c of clients) c.close();
      await grpc.close(1000);
      await app.close();
      await publisher.close();
    },
  };
}

/** An Event message as a producer sends it (metadata as metadata_json text). */
export type EventMessage = Record<string, string | number | undefined>;

export function eventMessage(i: number, overrides: EventMessage = {}): EventMessage {
  return {
    event_id: randomUUID(),
    event_type: 'order_paid',
    page_url: `https://shop.example/orders/${i}`,
    user_id: `user-${i % 97}`,
    timestamp: new Date(Date.now() - 60_000).toISOString(),
    metadata_json: JSON.stringify({ n: i, amount: 12.5 }),
    ...overrides,
  };
}

export interface CallResult {
  code: status;
  details: string;
  /** The response on OK, the x-ingest-summary trailer otherwise (counts as numbers). */
  summary?: IngestSummaryMessage;
  trailers: Metadata;
}

export function keyMetadata(key: string | undefined, project?: string): Metadata {
  const metadata = new Metadata();
  if (key !== undefined) metadata.set('x-api-key', key);
  if (project !== undefined) metadata.set('x-project', project);
  return metadata;
}

/** Opens a StreamEvents call; `answer` settles with its status, details and summary. */
export function openStream(client: Client, metadata: Metadata): { call: ClientWritableStream<EventMessage>; answer: Promise<CallResult> } {
  let response: IngestSummaryMessage | undefined;
  let call!: ClientWritableStream<EventMessage>;
  const answer = new Promise<CallResult>((resolve) => {
    const method = (client as unknown as Record<string, (m: Metadata, cb: (e: ServiceError | null, r?: IngestSummaryMessage) => void) => ClientWritableStream<EventMessage>>)['StreamEvents']!;
    call = method.call(client, metadata, (_error, value) => (response = value));
    call.on('status', (s: StatusObject) => {
      const trailer = s.metadata.get(SUMMARY_TRAILER)[0];
      const raw = response ?? (trailer === undefined ? undefined : (JSON.parse(String(trailer)) as IngestSummaryMessage));
      resolve({ code: s.code, details: s.details, summary: raw === undefined ? undefined : numeric(raw), trailers: s.metadata });
    });
    call.on('error', () => undefined);
  });
  return { call, answer };
}

/** Writes every message (pausing on back-pressure), half-closes, and returns the answer. */
export async function streamEvents(client: Client, metadata: Metadata, messages: Iterable<EventMessage>): Promise<CallResult> {
  const { call, answer } = openStream(client, metadata);
  let ended = false;
  void answer.then(() => (ended = true));
  for (const m of messages) {
    if (ended) break;
    if (!call.write(m)) await Promise.race([new Promise((r) => call.once('drain', r)), answer]);
  }
  call.end();
  return answer;
}

/** int64 fields arrive as decimal strings (PROTO_LOADER_OPTIONS); absent repeated fields as undefined. */
function numeric(raw: IngestSummaryMessage): IngestSummaryMessage {
  return {
    accepted: Number(raw.accepted ?? 0),
    rejected: Number(raw.rejected ?? 0),
    last_acked_line: Number(raw.last_acked_line ?? 0),
    errors: (raw.errors ?? []).map((e) => ({ line: Number(e.line), field: e.field, message: e.message })),
  };
}
