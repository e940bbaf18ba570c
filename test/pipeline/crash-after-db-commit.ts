// A loader process that dies (SIGKILL) right after its Nth database commit, before that chunk's
// offsets are committed: the crash the offsets-after-commit rule exists for. The real consumer
// loop, Kafka and PostgreSQL; only the moment of death is chosen. Settings from the pipeline's
// environment, plus CRASH_AFTER_WRITES. Run by restart.test.ts.
import { createKafkaClient } from '../../lib/kafka.ts';
import { createLogger } from '../../lib/logger.ts';
import { createDeadLetterProducer } from '../../pipeline/src/adapters/dead-letter-producer.ts';
import { createPostgresSink } from '../../pipeline/src/adapters/postgres-sink.ts';
import { loadPipelineConfig } from '../../pipeline/src/config.ts';
import { createConsumerLoop } from '../../pipeline/src/consumer-loop.ts';
import { createMetrics } from '../../pipeline/src/metrics.ts';
import { createReadiness } from '../../pipeline/src/readiness.ts';

const config = loadPipelineConfig();
const crashAfter = Number(process.env.CRASH_AFTER_WRITES);
const logger = createLogger('crash-after-db-commit', 'warn');
const sink = createPostgresSink(config.databaseUrl, config.pipelineConcurrency + 1, () => undefined);
let writes = 0;
const kafka = createKafkaClient({ clientId: 'crash-after-db-commit', brokers: config.kafkaBrokers, logger });
const deadLetter = createDeadLetterProducer(kafka, config.kafkaDlqTopic);
await deadLetter.connect();
const loop = createConsumerLoop({
  kafka,
  settings: config,
  ports: {
    sink: {
      async write(...args) {
        const result = await sink.write(...args);
        // Committed in PostgreSQL; its offsets are not committed yet.
        if (args[0].length > 0 && ++writes === crashAfter) {
          process.stdout.write(`crashing after write ${writes}, partition ${args[2]} through offset ${args[3]?.offset}\n`);
          process.kill(process.pid, 'SIGKILL');
        }
        return result;
      },
    },
    deadLetter,
  },
  readiness: createReadiness({ kafkaSilenceMs: 15_000 }),
  checkDatabase: () => sink.check(),
  metrics: createMetrics(),
  logger,
  stopSignal: new AbortController().signal,
  onStored: () => undefined,
  onFatal: (error) => {
    logger.error({ err: error }, 'consumer failed');
    process.exit(1);
  },
});
await loop.connect();
await loop.run();
