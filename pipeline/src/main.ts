// `npx tsx pipeline/src/main.ts`: reads config once, serves the ops port, migrates and consumes
// until SIGTERM/SIGINT, then finishes the batch in flight, commits, leaves the group and exits 0.
import { createLogger } from '../../lib/logger.ts';
import { createPipeline } from './app.ts';
import { loadPipelineConfig } from './config.ts';
import { startOpsServer } from './ops-server.ts';

const config = loadPipelineConfig();
const logger = createLogger('pipeline', config.logLevel);
const pipeline = createPipeline(config, logger, (err) => {
  logger.fatal({ err }, 'consumer stopped for good; exiting so the supervisor restarts the pipeline');
  process.exit(1);
});
const ops = await startOpsServer(config.pipelineOpsHost, config.pipelineOpsPort, pipeline.readiness, pipeline.metrics.registry);
logger.info({ port: ops.port }, 'ops server listening');

let shuttingDown = false;
async function shutdown(signal: string): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  logger.info({ signal }, 'shutting down');
  await pipeline.stop();
  await ops.close();
  logger.info('stopped');
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));

try {
  await pipeline.start();
} catch (err) {
  logger.fatal({ err }, 'pipeline failed to start');
  await pipeline.stop();
  await ops.close();
  process.exit(1);
}
