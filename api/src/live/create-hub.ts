// Builds the live hub from the api's configuration (defaults where a test gives none) and the JWT
// signer of the stream tokens.
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { TOPICS } from '#contract';
import type { Logger } from '../../../lib/logger.ts';
import type { ApiConfig } from '../config.ts';
import { LiveHub } from './live-hub.ts';
import type { Signer } from './live-token.ts';
import { storedWindowEvents } from './metrics-seed.ts';

export function createLiveHub(config: Partial<ApiConfig>, queryPool: pg.Pool, logger: Logger, now: () => Date): LiveHub {
  return new LiveHub({
    topic: config.kafkaTopic ?? TOPICS.events,
    ringSize: config.liveBufferEvents ?? 1000,
    queueSize: config.liveQueueMessages ?? 1000,
    heartbeatMs: config.liveHeartbeatMs ?? 15_000,
    metricsIntervalMs: config.liveMetricsIntervalMs ?? 2000,
    seedMetrics: (project, since) => storedWindowEvents(queryPool, project, since),
    now,
    logger,
  });
}

/** Stream tokens signed and checked with the app's JWT key (the tenancy plugin's @fastify/jwt). */
export function liveTokenSigner(app: FastifyInstance): Signer {
  return {
    sign: (claims, ttlSeconds) => app.jwt.sign({ ...claims }, { expiresIn: ttlSeconds }),
    verify(token) {
      try {
        return app.jwt.verify(token);
      } catch {
        return undefined;
      }
    },
  };
}
