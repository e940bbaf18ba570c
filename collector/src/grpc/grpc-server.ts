// The collector's gRPC listener: analytics.v1.Ingest on host:port beside the HTTP app, sharing its
// ingestion core (app.ingestion). A message longer than streamMaxLineBytes is refused by its number
// (event-message.ts withSizeLimit) and the stream goes on; one over GRPC_MAX_MESSAGE_BYTES ends the
// call in grpc-js itself (RESOURCE_EXHAUSTED, no summary), so no call makes the collector hold more.
import { Server, ServerCredentials, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Logger } from '../../../lib/logger.ts';
import type { IngestionCore } from '../app.ts';
import type { CollectorConfig } from '../config.ts';
import { withSizeLimit, withUtf8Check } from './event-message.ts';
import { loadIngestPackage, type EventMessage } from './ingest-proto.ts';
import { streamEventsHandler } from './stream-events.ts';

export interface GrpcListener {
  /** The bound port (the configured one, or the one picked for port 0). */
  port: number;
  /** Stops taking calls and lets open streams finish; after timeoutMs, cancels what is left. */
  close(timeoutMs: number): Promise<void>;
}

/** grpc-js's own default receive limit: a message above it ends the call (it is not even read). */
export const GRPC_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

type GrpcSettings = Parameters<typeof streamEventsHandler>[1] & Pick<CollectorConfig, 'collectorHost' | 'grpcPort' | 'streamMaxLineBytes'>;

/** Binds and serves; rejects (naming the address) when the port cannot be bound, e.g. taken. */
export async function startGrpcServer(core: IngestionCore, settings: GrpcSettings, logger: Logger): Promise<GrpcListener> {
  const server = new Server({ 'grpc.max_receive_message_length': Math.max(GRPC_MAX_MESSAGE_BYTES, settings.streamMaxLineBytes) });
  const { Ingest } = loadIngestPackage();
  const implementation: UntypedServiceImplementation = { StreamEvents: streamEventsHandler(core, settings, logger) };
  const method = Ingest.service.StreamEvents!;
  // Same definition, the request decoder wrapped: invalid UTF-8 is refused, never replaced.
  const decode = withUtf8Check(method.requestDeserialize as (raw: Buffer) => EventMessage);
  const service = { StreamEvents: { ...method, requestDeserialize: withSizeLimit(settings.streamMaxLineBytes, decode) } };
  server.addService(service, implementation);
  const address = `${settings.collectorHost.includes(':') ? `[${settings.collectorHost}]` : settings.collectorHost}:${settings.grpcPort}`;
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(address, ServerCredentials.createInsecure(), (error, bound) => (error ? reject(new Error(`gRPC cannot listen on ${address}: ${error.message}`, { cause: error })) : resolve(bound))),
  );
  logger.info({ port, host: settings.collectorHost }, 'gRPC ingestion listening (analytics.v1.Ingest)');
  return {
    port,
    async close(timeoutMs) {
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          logger.warn({ timeoutMs }, 'gRPC streams still open at shutdown: cancelled');
          server.forceShutdown();
          resolve();
        }, timeoutMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
    },
  };
}
