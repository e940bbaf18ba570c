// POST /api/v1/events: server-side ingestion with a secret key (ingest scope). The visitor's
// identity (user_agent, ip, user_id, anonymous_id) comes from the body only: the HTTP client is
// the sender's backend, never the visitor, so its User-Agent and address are not read.
import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import { LIMITS, ServerEvent, validateServerEvent } from '#contract';
import type { TenancyDirectory } from '../../../tenancy/model.ts';
import type { CollectFn } from '../events/collect-events.ts';
import { requireApiKey } from '../http/api-key.ts';
import { INGEST_RESPONSES, sendOutcome } from '../http/collect-reply.ts';
import { ErrorBody } from '../http/responses.ts';
import type { CollectorMetrics } from '../metrics.ts';
import { serverAssignment } from '../projects/server-assignment.ts';

export interface ServerRouteOptions {
  collect: CollectFn;
  metrics: CollectorMetrics;
  directory: TenancyDirectory;
  /** False until the directory loaded its first snapshot: keys cannot be judged, requests get 503. */
  directoryReady: () => boolean;
  retryAfterSeconds: number;
  /** The per-key rate limit hook, one budget per key shared by the server routes (http/api-key.ts perKeyRateLimit). */
  keyRateLimit: onRequestAsyncHookHandler;
  /** Body limit of the server routes (batches of up to LIMITS.serverBatchSize events). */
  bodyLimitBytes: number;
}

/** Shared by the secret-key routes: ?project for organization-wide keys, the key schemes, the error statuses. */
const Querystring = Type.Object({
  project: Type.Optional(Type.String({ description: 'Project id; required with an organization-wide key, must be the key\'s own project otherwise' })),
});
const KEY_SECURITY: { [scheme: string]: string[] }[] = [{ apiKey: [] }, { bearerKey: [] }];
const KEY_RESPONSES = { ...INGEST_RESPONSES, 401: ErrorBody, 404: ErrorBody };

/**
 * Route options every secret-key ingest route shares: authentication before the body is read (so
 * the per-key limit counts by key), the server body limit, ?project, the key schemes and statuses.
 * Validation runs through the contract per item (errors name fields by index), and the small
 * union-typed answers are serialized with JSON.stringify.
 */
export function keyedIngestRoute(opts: ServerRouteOptions, doc: { summary: string; description: string; body: TSchema }) {
  return {
    onRequest: [requireApiKey({ ...opts, scope: 'ingest' }), opts.keyRateLimit],
    bodyLimit: opts.bodyLimitBytes,
    schema: {
      ...doc,
      consumes: ['application/json', 'text/plain'],
      security: KEY_SECURITY,
      querystring: Querystring,
      response: KEY_RESPONSES,
    },
    validatorCompiler: () => (value: unknown) => ({ value }),
    serializerCompiler: () => (data: unknown) => JSON.stringify(data),
  };
}

const Body = Type.Union([ServerEvent, Type.Array(ServerEvent, { minItems: 1, maxItems: LIMITS.serverBatchSize })]);
/** Server events: the contract's server validator, batches of up to LIMITS.serverBatchSize. */
export const RULES = { validate: validateServerEvent, maxBatch: LIMITS.serverBatchSize };

export async function serverEventRoutes(app: FastifyInstance, opts: ServerRouteOptions): Promise<void> {
  const { collect, metrics } = opts;
  app.post(
    '/api/v1/events',
    keyedIngestRoute(opts, {
      summary: 'Collect server-side events (secret key, ingest scope)',
      description:
        `Body: one event or an array of up to ${LIMITS.serverBatchSize}. The project is the key's; an organization-wide key names it with ?project=<id>. ` +
        "user_agent, ip, user_id and anonymous_id describe the visitor and are taken from the body only, never from the request's headers or address. " +
        'ip is validated and used for visitor identity, never stored. Timestamps are kept back to the project\'s retention (backfill). ' +
        '401: missing, unknown, revoked or expired key; 403: key without the ingest scope; 404: a project the key cannot see; 429: the key\'s rate limit (Retry-After); ' +
        '503 (Retry-After): Kafka unavailable (kafka_unavailable), or the collector holds as many events awaiting Kafka as it may (overloaded).',
      body: Body,
    }),
    async (request, reply) => {
      const { project } = request.ingestIdentity!;
      const outcome = await collect({ body: request.body, rules: RULES, assign: serverAssignment(project) });
      return sendOutcome(request, reply, outcome, metrics, opts.retryAfterSeconds);
    },
  );
}
