// kafkajs logs through the service's pino logger instead of its own console output.
import { logLevel, type logCreator } from 'kafkajs';
import type { Logger } from '../../../lib/logger.ts';

export function kafkaLogCreator(logger: Logger): logCreator {
  return () => ({ level, log }) => {
    const { message, ...extra } = log;
    const child = { ...extra, namespace: log.namespace };
    if (level === logLevel.ERROR) logger.error(child, message);
    else if (level === logLevel.WARN) logger.warn(child, message);
    else if (level === logLevel.INFO) logger.debug(child, message);
    else logger.trace(child, message);
  };
}
