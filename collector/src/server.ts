// Entry point: `npx tsx collector/src/server.ts`. Connects the producer and serves HTTP; on
// SIGTERM/SIGINT (lib/service.ts) stops accepting, finishes in-flight requests, flushes the
// producer and exits 0.
import { runService } from '../../lib/service.ts';
import { buildApp } from './app.ts';
import { CollectorConfigSchema } from './config.ts';
import { createKafkaEventProducer } from './kafka/event-producer.ts';
import { createMetrics } from './metrics.ts';

await runService({
  name: 'collector',
  config: CollectorConfigSchema,
  async start({ config, logger }) {
    const publisher = createKafkaEventProducer(config, logger);
    const app = await buildApp({ config, publisher, logger, metrics: createMetrics({ defaultMetrics: true }) });
    try {
      await app.listen({ port: config.collectorPort, host: config.collectorHost });
    } catch (error) {
      await publisher.close();
      throw error;
    }
    return {
      async close() {
        await app.close();
        await publisher.close();
      },
    };
  },
});
