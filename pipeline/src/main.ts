// `npx tsx pipeline/src/main.ts`: serves the ops port, migrates and consumes until SIGTERM/SIGINT
// (lib/service.ts), then finishes the batch in flight, commits, leaves the group and exits 0.
import { runService } from '../../lib/service.ts';
import { createPipeline } from './app.ts';
import { PipelineConfig } from './config.ts';
import { startOpsServer } from './ops-server.ts';

await runService({
  name: 'pipeline',
  config: PipelineConfig,
  async start({ config, logger, fail }) {
    const pipeline = createPipeline(config, logger, (err) => fail(err, 'consumer stopped for good; exiting so the supervisor restarts the pipeline'));
    const ops = await startOpsServer(config.pipelineOpsHost, config.pipelineOpsPort, pipeline.readiness, pipeline.metrics.registry);
    logger.info({ port: ops.port }, 'ops server listening');
    const running = {
      async close() {
        await pipeline.stop();
        await ops.close();
      },
    };
    // Boot retries until the database and Kafka answer, so it runs on while the service can be stopped.
    pipeline.start().catch((err: unknown) => fail(err, 'pipeline failed to start'));
    return running;
  },
});
