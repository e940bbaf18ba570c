// Entry point: `npx tsx collector/src/server.ts`. Connects the producer and serves HTTP; on
// SIGTERM/SIGINT (lib/service.ts) stops accepting, finishes in-flight requests, flushes the
// producer and exits 0.
import { runService } from '../../lib/service.ts';
import { openTenancyDirectory } from '../../tenancy/directory.ts';
import { buildApp } from './app.ts';
import { CollectorConfigSchema } from './config.ts';
import { createKafkaEventProducer } from './kafka/event-producer.ts';
import { createMetrics } from './metrics.ts';

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
    const publisher = createKafkaEventProducer(config, logger);
    const app = await buildApp({ config, publisher, directory, directoryReady: () => directoryLoaded, logger, metrics: createMetrics({ defaultMetrics: true }) });
    try {
      await app.listen({ port: config.collectorPort, host: config.collectorHost });
    } catch (error) {
      await publisher.close();
      await directory.close();
      throw error;
    }
    return {
      async close() {
        await app.close();
        await publisher.close();
        await directory.close();
      },
    };
  },
});
