// The one entry-point wrapper every service's main file goes through: configuration is read and
// validated once (an invalid setting is one fatal log line naming the variable, then exit 1), the
// logger comes from it, and SIGTERM/SIGINT close the service through close-with-grace, bounded by
// the configured shutdown timeout (exit 0 when closed in time, 1 otherwise).
import closeWithGrace from 'close-with-grace';
import type { Static, TObject } from '@sinclair/typebox';
import { ConfigError, loadConfig } from './config.ts';
import { createLogger, type Logger, type LogLevel } from './logger.ts';

/** What every service's configuration holds besides its own settings. */
interface ServiceSettings {
  logLevel: LogLevel;
  shutdownTimeoutMs: number;
}

interface Running {
  /** Stops accepting work, finishes what is in flight and closes every connection. */
  close(): Promise<void>;
}

interface ServiceContext<C> {
  config: C;
  logger: Logger;
  /** A failure the service cannot live with: logged as fatal, the service closed, exit 1. */
  fail(error: unknown, message: string): void;
}

export interface ServiceDefinition<S extends TObject> {
  name: string;
  /** The configuration schema; it must hold LOG_LEVEL and SHUTDOWN_TIMEOUT_MS (see lib/config.ts). */
  config: Static<S> extends ServiceSettings ? S : never;
  /** Builds and starts the service; returns once it can be closed (it may still be connecting). */
  start(context: ServiceContext<Static<S>>): Promise<Running>;
}

export async function runService<S extends TObject>(service: ServiceDefinition<S>, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let config: Static<S> & ServiceSettings;
  try {
    config = loadConfig<S>(service.config, env) as Static<S> & ServiceSettings;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // No config, no log level yet: report through a default logger and stop.
    createLogger(service.name).fatal(error.message);
    process.exit(1);
  }
  const logger = createLogger(service.name, config.logLevel);
  let running: Running | undefined;
  // A signal during a failure's close (or the reverse) waits for the same close, not a second one.
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= running?.close() ?? Promise.resolve());
  const onTimeout = () => logger.error('shutdown timed out; exiting');
  const grace = closeWithGrace({ delay: config.shutdownTimeoutMs, logger, onTimeout }, async ({ signal, err }) => {
    if (err !== undefined) logger.fatal({ err }, 'stopping after an unexpected error');
    else if (signal !== undefined) logger.info({ signal }, 'shutting down');
    await close();
    logger.info('stopped');
  });
  const fail = (error: unknown, message: string): void => {
    logger.fatal({ err: error }, message);
    setTimeout(() => process.exit(1), config.shutdownTimeoutMs).unref();
    void close()
      .catch((closeError: unknown) => logger.error({ err: closeError }, 'close after failure failed'))
      .finally(() => process.exit(1));
  };
  try {
    running = await service.start({ config, logger, fail });
  } catch (error) {
    grace.uninstall();
    logger.fatal({ err: error }, `${service.name} failed to start`);
    process.exit(1);
  }
}
