// One way to reach Kafka for every service: the broker list parsed the same way, and kafkajs
// logging through the service's pino logger instead of its own console output.
import { Kafka, logLevel, type KafkaConfig, type LogEntry, type logCreator } from 'kafkajs';
import { parseBrokers } from './kafka-brokers.ts';
import type { Logger } from './logger.ts';

export { parseBrokers };

// Services limit the idempotent producer's retries on purpose; kafkajs warns about it on every producer.
const LIMITED_RETRIES_WARNING = 'Limiting retries for the idempotent producer';

function kafkaLogCreator(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, timestamp: _timestamp, logger: _name, ...extra } = log;
      if (message.startsWith(LIMITED_RETRIES_WARNING)) return;
      const fields = { namespace, kafkajs: extra };
      // kafkajs INFO lines (joins, rebalances) are routine for a service: debug.
      if (level === logLevel.ERROR) logger.error(fields, message);
      else if (level === logLevel.WARN) logger.warn(fields, message);
      else if (level === logLevel.INFO) logger.debug(fields, message);
      else logger.trace(fields, message);
    };
}

export interface KafkaClientOptions extends Omit<KafkaConfig, 'brokers' | 'logCreator'> {
  /** Comma-separated `host:port` list, as in KAFKA_BROKERS. */
  brokers: string;
  logger: Logger;
}

export function createKafkaClient({ brokers, logger, ...rest }: KafkaClientOptions): Kafka {
  return new Kafka({ ...rest, brokers: parseBrokers(brokers), logCreator: kafkaLogCreator(logger) });
}
