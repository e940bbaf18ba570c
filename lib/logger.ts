// One structured logger factory for every service: JSON lines on stdout, level from config.
import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

export function createLogger(name: string, level = 'info', options: LoggerOptions = {}): Logger {
  return pino({ name, level, base: { service: name }, timestamp: pino.stdTimeFunctions.isoTime, ...options });
}
