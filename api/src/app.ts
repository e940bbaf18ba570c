// Builds the query API's Fastify app without listening (tests use app.inject(); server.ts adds the
// port): reports under /api/v1/projects/{project}/… on the read-only pool, the tenancy routes
// (/api/v1/auth sign-in, /api/v1/admin) as on the collector, /health and the OpenAPI document at /docs.
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import type pg from 'pg';
import { answerClientError } from '../../lib/http-client-errors.ts';
import { frameworkErrorOptions, RouteTable } from '../../lib/http-framework-errors.ts';
import { createLogger, type Logger } from '../../lib/logger.ts';
import { schemaController } from '../../lib/schema-controller.ts';
import { SECURITY_SCHEMES } from '../../tenancy/api-schemas.ts';
import { tenancyApi } from '../../tenancy/api-plugin.ts';
import type { TenancyDirectory } from '../../tenancy/model.ts';
import { QUERY_PARTS_DEFAULT, type ApiConfig } from './config.ts';
import { API_BODY_LIMIT_BYTES, registerJsonBody } from './http/json-body.ts';
import { registerApiErrors } from './http/problems.ts';
import { useProjectScope } from './http/project-scope.ts';
import { CursorCodec } from './query/cursor.ts';
import { ReportMetaSchema } from './query/meta.ts';
import { healthRoutes } from './routes/health.ts';
import { PROJECT_ROUTES } from './routes/index.ts';
import { liveRoutes } from './routes/live.ts';
import { dashboardRoutes } from './routes/dashboard.ts';
import { myProjectsRoutes } from './routes/my-projects.ts';
import { createLiveHub, liveTokenSigner } from './live/create-hub.ts';
import type { LiveHub } from './live/live-hub.ts';

export interface BuildApiAppOptions {
  config: Pick<ApiConfig, 'logLevel' | 'apiKeyPepper' | 'jwtSecret'> & Partial<ApiConfig>;
  directory: TenancyDirectory & { reload?(): Promise<void> };
  /** False until the directory loaded its first snapshot; always true by default. */
  directoryReady?: () => boolean;
  /** Writable pool of the tenancy routes (sign-in, admin). */
  tenancyDb: pg.Pool;
  /** Read-only pool of the reports. */
  queryPool: pg.Pool;
  logger?: Logger;
  now?: () => Date;
  /** The live streams' state; server.ts feeds it from Kafka and the loader's notices. Default: one fed by nothing. */
  live?: LiveHub;
  /** The built dashboard's files (routes/dashboard.ts); without them / answers 503. */
  dashboard?: Map<string, Buffer>;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

export async function buildApiApp(options: BuildApiAppOptions): Promise<FastifyInstance> {
  const logger = options.logger ?? createLogger('api', options.config.logLevel);
  const routes = new RouteTable();
  const app = Fastify({
    ...frameworkErrorOptions(routes),
    clientErrorHandler: answerClientError,
    loggerInstance: logger as FastifyBaseLogger,
    // Outcomes that matter (5xx, timeouts) are logged where they happen; a line per request is noise.
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: 'x-request-id',
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    schemaController: schemaController(),
    bodyLimit: API_BODY_LIMIT_BYTES,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  });
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  routes.watch(app);
  registerApiErrors(app);
  registerJsonBody(app);
  await app.register(swagger, {
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    openapi: {
      info: {
        title: 'Analytics query API',
        version: '1.0.0',
        description: 'Reports over one project\'s events: lists, stats, time series, breakdowns, realtime and journeys. Every number is defined in docs/metrics.md.',
      },
      components: { securitySchemes: SECURITY_SCHEMES },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(websocket);
  app.addSchema(ReportMetaSchema);

  await app.register(tenancyApi, { directory: options.directory, db: options.tenancyDb, pepper: options.config.apiKeyPepper, jwtSecret: options.config.jwtSecret, accessTokenTtlSeconds: options.config.accessTokenTtlSeconds });
  await app.register(healthRoutes, { db: options.queryPool });
  await app.register(dashboardRoutes, { files: options.dashboard });
  await app.register(myProjectsRoutes, { db: options.tenancyDb });
  const context = { db: options.queryPool, writeDb: options.tenancyDb, now: options.now ?? (() => new Date()), queryParts: options.config.queryParts ?? QUERY_PARTS_DEFAULT, cursors: new CursorCodec(options.config.jwtSecret) };
  const live = options.live ?? createLiveHub(options.config, options.queryPool, logger, context.now);
  app.addHook('onClose', async () => live.close());
  await app.register(
    async (projects) => {
      useProjectScope(projects, { directory: options.directory, directoryReady: options.directoryReady ?? (() => true) });
      for (const routes of PROJECT_ROUTES) await projects.register(routes, context);
      await projects.register(liveRoutes, { live, signer: liveTokenSigner(app), tokenTtlSeconds: options.config.liveTokenTtlSeconds ?? 60, now: context.now, keyById: (keyId) => options.directory.keyById(keyId) });
    },
    { prefix: '/api/v1/projects/:project' },
  );
  return app;
}
