// Entry point: `npx tsx collector/src/server.ts`. Reads config once, connects the producer,
// serves HTTP, and on SIGTERM/SIGINT stops accepting, finishes in-flight requests, flushes the
// producer and exits 0.
import { ConfigError } from '../../lib/config.ts';
import { createLogger } from '../../lib/logger.ts';
import { buildApp } from './app.ts';
import { loadCollectorConfig, type CollectorConfig } from './config.ts';
import { createKafkaEventProducer } from './kafka/event-producer.ts';
import { createMetrics } from './metrics.ts';

let config: CollectorConfig;
try {
  config = loadCollectorConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  // No config, no log level yet: report through a default logger and stop.
  createLogger('collector').fatal(error.message);
  process.exit(1);
}
const logger = createLogger('collector', config.logLevel);
const publisher = createKafkaEventProducer(config, logger);
const app = await buildApp({ config, publisher, logger, metrics: createMetrics({ defaultMetrics: true }) });

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  const force = setTimeout(() => {
    logger.error('shutdown timed out; exiting');
    process.exit(1);
  }, config.shutdownTimeoutMs);
  force.unref();
  try {
    await app.close();
    await publisher.close();
    logger.info('stopped');
    process.exit(0);
  } catch (error) {
    logger.error({ err: error }, 'shutdown failed');
    process.exit(1);
  }
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));

try {
  await app.listen({ port: config.collectorPort, host: config.collectorHost });
} catch (error) {
  logger.fatal({ err: error }, 'cannot listen');
  await publisher.close();
  process.exit(1);
}
