// Entry point: `npx tsx collector/src/server.ts`. Connects the producer and serves HTTP (collectorPort)
// and gRPC ingestion (grpcPort); on SIGTERM/SIGINT (lib/service.ts) stops accepting, finishes
// in-flight requests and streams (gRPC streams cancelled after shutdownTimeoutMs), flushes the
// producer and exits 0.
import pg from 'pg';
import { runService } from '../../lib/service.ts';
import { openTenancyDirectory } from '../../tenancy/directory.ts';
import { buildApp } from './app.ts';
import { CollectorConfigSchema } from './config.ts';
import { startGrpcServer } from './grpc/grpc-server.ts';
import { createKafkaEventProducer } from './kafka/event-producer.ts';
import { createMetrics } from './metrics.ts';
import { openSaltStore } from './visitors/salt-store.ts';

await runService({
  name: 'collector',
  config: CollectorConfigSchema,
  async start({ config, logger }) {
    // Projects and keys in memory, kept fresh by notifications; loaded in the background so the
    // collector serves default-project events even while PostgreSQL is away at boot (keyed
    // requests get 503 until the first snapshot).
    const directory = openTenancyDirectory({ databaseUrl: config.databaseUrl, pepper: config.apiKeyPepper, logger, reloadIntervalMs: config.tenancyReloadIntervalMs });
    let directoryLoaded = false;
    void directory.ready().then(() => (directoryLoaded = true));
    // The admin and sign-in routes' own connections (they write; the directory only reads).
    const tenancyDb = new pg.Pool({ connectionString: config.databaseUrl, max: 4, connectionTimeoutMillis: 2000 });
    tenancyDb.on('error', (error) => logger.debug({ err: error }, 'tenancy pool connection lost'));
    // The visitor hash's salts: made a period ahead, so a database outage at midnight changes nothing.
    const salts = openSaltStore({ databaseUrl: config.databaseUrl, logger, refreshIntervalMs: config.visitorSaltRefreshMs });
    const publisher = createKafkaEventProducer(config, logger);
    const closeAll = async () => {
      await publisher.close();
      await salts.close();
      await directory.close();
      await tenancyDb.end();
    };
    const app = await buildApp({ config, publisher, directory, directoryReady: () => directoryLoaded, tenancyDb, salts, logger, metrics: createMetrics({ defaultMetrics: true }) });
    // gRPC first: once HTTP answers /health (the readiness probe), both listeners take calls. A
    // taken port fails the boot naming its address.
    const grpc = await startGrpcServer(app.ingestion, config, logger).catch(async (error: unknown) => {
      await app.close();
      await closeAll();
      throw error;
    });
    try {
      await app.listen({ port: config.collectorPort, host: config.collectorHost });
    } catch (error) {
      await grpc.close(0);
      await app.close();
      await closeAll();
      throw error;
    }
    return {
      async close() {
        // Both listeners drain at once. Streams still open after half the shutdown bound are
        // cancelled, so the producer's flush of their acknowledged events fits in the rest.
        await Promise.all([app.close(), grpc.close(config.shutdownTimeoutMs / 2)]);
        await closeAll();
      },
    };
  },
});
