// The collector's gRPC listener: analytics.v1.Ingest on host:port beside the HTTP app, sharing its
// ingestion core (app.ingestion). Messages longer than streamMaxLineBytes are refused by grpc-js
// itself (RESOURCE_EXHAUSTED) before they are decoded.
import { Server, ServerCredentials, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Logger } from '../../../lib/logger.ts';
import type { IngestionCore } from '../app.ts';
import type { CollectorConfig } from '../config.ts';
import { withUtf8Check } from './event-message.ts';
import { loadIngestPackage, type EventMessage } from './ingest-proto.ts';
import { streamEventsHandler } from './stream-events.ts';

export interface GrpcListener {
  /** The bound port (the configured one, or the one picked for port 0). */
  port: number;
  /** Stops taking calls and lets open streams finish; after timeoutMs, cancels what is left. */
  close(timeoutMs: number): Promise<void>;
}

type GrpcSettings = Parameters<typeof streamEventsHandler>[1] & Pick<CollectorConfig, 'collectorHost' | 'grpcPort' | 'streamMaxLineBytes'>;

/** Binds and serves; rejects (naming the address) when the port cannot be bound, e.g. taken. */
export async function startGrpcServer(core: IngestionCore, settings: GrpcSettings, logger: Logger): Promise<GrpcListener> {
  const server = new Server({ 'grpc.max_receive_message_length': settings.streamMaxLineBytes });
  const { Ingest } = loadIngestPackage();
  const implementation: UntypedServiceImplementation = { StreamEvents: streamEventsHandler(core, settings, logger) };
  const method = Ingest.service.StreamEvents!;
  // Same definition, the request decoder wrapped: invalid UTF-8 is refused, never replaced.
  const service = { StreamEvents: { ...method, requestDeserialize: withUtf8Check(method.requestDeserialize as (raw: Buffer) => EventMessage) } };
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
