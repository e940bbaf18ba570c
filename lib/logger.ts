// One structured logger factory for every service: JSON lines on stdout, level from config.
import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/** The log levels every service accepts in LOG_LEVEL (pino's, plus `silent`). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function createLogger(name: string, level: string = 'info', options: LoggerOptions = {}): Logger {
  return pino({ name, level, base: { service: name }, timestamp: pino.stdTimeFunctions.isoTime, ...options });
}
