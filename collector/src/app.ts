// Builds the collector's Fastify app from a config and a publisher, without listening, so tests
// drive it with app.inject() and server.ts only adds the port and signal handling.
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type pg from 'pg';
import { tenancyApi } from '../../tenancy/api-plugin.ts';
import { SECURITY_SCHEMES } from '../../tenancy/api-schemas.ts';
import { createLogger, type Logger } from '../../lib/logger.ts';
import { schemaController } from '../../lib/schema-controller.ts';
import type { CollectorConfig } from './config.ts';
import { createCollect, type CollectFn } from './events/collect-events.ts';
import { StreamSlots } from './events/stream-slots.ts';
import { registerBodyParsers } from './http/body-parser.ts';
import { originPolicy } from './http/cors-origins.ts';
import { perKeyRateLimit } from './http/api-key.ts';
import { registerErrorHandlers } from './http/error-handler.ts';
import type { EventPublisher } from './events/publisher.ts';
import { createMetrics, type CollectorMetrics } from './metrics.ts';
import { createMemoryDirectory } from './projects/memory-directory.ts';
import { browserAssigner } from './projects/browser-assignment.ts';
import { analyticsRoutes } from './routes/analytics.ts';
import { opsRoutes } from './routes/health.ts';
import { serverEventRoutes } from './routes/server-events.ts';
import { STREAM_PATH, streamEventRoutes } from './routes/stream-events.ts';
import { deferContinue } from './http/expect-continue.ts';
import { webhookRoutes } from './routes/webhook.ts';
import type { TenancyDirectory } from '../../tenancy/model.ts';
import { answerClientError } from '../../lib/http-client-errors.ts';
import { frameworkErrorOptions, RouteTable } from '../../lib/http-framework-errors.ts';
import { answerReason } from './http/answer-reason.ts';
import { createMemorySalts } from './visitors/memory-salts.ts';
import type { VisitorSalts } from './visitors/salt-periods.ts';

export interface BuildAppOptions {
  config: CollectorConfig;
  publisher: EventPublisher;
  logger?: Logger;
  metrics?: CollectorMetrics;
  /** Projects and keys; without one the app knows no project (only default-project browser events pass). */
  directory?: TenancyDirectory;
  /** False until the directory loaded its first snapshot (site keys and secret keys answer 503 meanwhile); always true by default. */
  directoryReady?: () => boolean;
  /** With the directory: serves /api/v1/admin and /api/v1/auth (tenancy/api-plugin.ts) over this pool; off when absent. */
  tenancyDb?: pg.Pool;
  /** The visitor hash's salts (visitors/salt-store.ts in the service); random per period in memory when absent. */
  salts?: VisitorSalts;
  /** Serve /docs (Swagger UI); on by default. */
  docs?: boolean;
}

/**
 * What every ingest transport of one app shares: the collect core, the projects and keys, and the
 * per-key stream slots (NDJSON and gRPC streams of a key count together). The gRPC listener
 * (grpc/grpc-server.ts) takes it from app.ingestion.
 */
export interface IngestionCore {
  collect: CollectFn;
  directory: TenancyDirectory;
  /** False until the directory loaded its first snapshot. */
  directoryReady: () => boolean;
  streamSlots: StreamSlots;
  metrics: CollectorMetrics;
}

declare module 'fastify' {
  interface FastifyInstance {
    ingestion: IngestionCore;
  }
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const { config, publisher } = options;
  const logger = options.logger ?? createLogger('collector', config.logLevel);
  const metrics = options.metrics ?? createMetrics();
  publisher.onFlush(({ records, seconds, ok }) => {
    metrics.produceSeconds.observe({ outcome: ok ? 'ok' : 'error' }, seconds);
    metrics.batchRecords.observe(records);
  });
  publisher.onReadyChange((ready) => metrics.kafkaReady.set(ready ? 1 : 0));

  const routes = new RouteTable();
  const app = Fastify({
    ...frameworkErrorOptions(routes),
    clientErrorHandler: answerClientError,
    loggerInstance: logger as FastifyBaseLogger,
    // Per-request info lines would dominate CPU at thousands of events/s; outcomes are logged
    // where they matter (warnings, errors) and counted in /metrics.
    logController: new LogController({ disableRequestLogging: true }),
    // Bodies validated as sent (the tenancy routes' "365" is not 365), URL parts converted.
    schemaController: schemaController(),
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    requestIdHeader: 'x-request-id',
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  });

  routes.watch(app);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  deferContinue(app.server, (method, path) => method === 'POST' && path === STREAM_PATH);
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpRequests.inc({ method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) });
  });
  // A 5xx is logged with the reason its body gives the client (error, message): ops read why in
  // the log, not only that. Only 5xx bodies are read, so the accepted path pays one comparison.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (reply.statusCode >= 500) request.log.warn({ status: reply.statusCode, url: request.url, ...answerReason(payload) }, 'request answered with 5xx');
    done(null, payload);
  });

  const directory = options.directory ?? createMemoryDirectory();
  const directoryReady = options.directoryReady ?? (() => true);
  const allowed = originPolicy(config.corsOrigins, config.corsAllowLocalhost);
  // Grants browsers the default project's origins (preflights included). Projects' own origins are
  // answered by POST /analytics itself. Secret-key headers are never allowed: a page cannot send a
  // key to the server routes.
  await app.register(cors, {
    origin: (origin, callback) => callback(null, allowed(origin)),
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['content-type', 'x-request-id'],
    exposedHeaders: ['retry-after', 'x-request-id'],
    maxAge: 86_400,
  });
  await app.register(rateLimit, {
    global: false,
    keyGenerator: (request) => request.ip,
    errorResponseBuilder: (_request, context) => ({
      statusCode: context.statusCode,
      message: `rate limit of ${context.max} requests exceeded; retry in ${context.after}`,
    }),
  });
  registerBodyParsers(app, config.bodyLimitBytes);
  registerErrorHandlers(app, metrics, config.bodyLimitBytes);

  if (options.docs !== false) {
    await app.register(swagger, {
      // Shared schemas keep their contract names (IncomingEvent) in components/schemas.
      refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
      openapi: {
        info: { title: 'Analytics collector', version: '1.0.0', description: 'Receives tracker, server-side and webhook events and writes them to Kafka, each with its project; administers projects and keys.' },
        components: { securitySchemes: SECURITY_SCHEMES },
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
  }

  const collect = createCollect({
    publisher,
    salts: options.salts ?? createMemorySalts(),
    maxFutureSkewMs: config.maxFutureSkewMs,
    maxPastAgeMs: config.maxPastAgeMs,
    now: () => new Date(),
    newId: randomUUID,
  });
  app.decorate('ingestion', { collect, directory, directoryReady, streamSlots: new StreamSlots(config.streamMaxPerKey), metrics } satisfies IngestionCore);
  await app.register(analyticsRoutes, {
    collect,
    metrics,
    retryAfterSeconds: config.retryAfterSeconds,
    assign: browserAssigner({ directory, allowDefaultProject: config.allowDefaultProject, defaultOriginAllowed: allowed }),
    directoryReady,
    rateLimit: config.rateLimitMax === 0 ? false : { max: config.rateLimitMax, timeWindow: config.rateLimitWindowMs },
  });
  // One limiter (one store) for both server routes: a key's budget is shared, not one per route.
  const keyRateLimit = app.rateLimit(perKeyRateLimit(config.keyRateLimitPerMinute));
  const serverRoutes = { collect, metrics, directory, directoryReady, retryAfterSeconds: config.retryAfterSeconds, keyRateLimit, bodyLimitBytes: config.serverBodyLimitBytes };
  await app.register(serverEventRoutes, serverRoutes);
  await app.register(webhookRoutes, serverRoutes);
  await app.register(streamEventRoutes, { ...serverRoutes, slots: app.ingestion.streamSlots, stream: config });
  await app.register(opsRoutes, { publisher, metrics });
  if (options.directory !== undefined && options.tenancyDb !== undefined) {
    await app.register(tenancyApi, { directory: options.directory, db: options.tenancyDb, pepper: config.apiKeyPepper, jwtSecret: config.jwtSecret, accessTokenTtlSeconds: config.accessTokenTtlSeconds });
  }
  return app;
}
