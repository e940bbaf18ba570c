// POST /analytics: the browser route, one event or a batch. Each event's `site_id` (the project's
// public site key) picks its project, whose allowed origins are enforced; events without one go to
// the default project while ALLOW_DEFAULT_PROJECT is on. 200 only after Kafka acknowledged.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { IncomingEvent, LIMITS } from '#contract';
import { requestOrigin } from '../http/cors-origins.ts';
import type { CollectFn } from '../events/collect-events.ts';
import { INGEST_RESPONSES, sendOutcome } from '../http/collect-reply.ts';
import type { CollectorMetrics } from '../metrics.ts';
import type { BrowserAssigner } from '../projects/browser-assignment.ts';
import { projectsUnavailable } from '../http/api-key.ts';
import { SITE_KEY_PREFIX } from '../../../tenancy/model.ts';

export interface AnalyticsRouteOptions {
  collect: CollectFn;
  metrics: CollectorMetrics;
  retryAfterSeconds: number;
  rateLimit: { max: number; timeWindow: number } | false;
  /** Assigns each event to its project and enforces that project's origins. */
  assign: BrowserAssigner;
  /** False until the directory loaded its first snapshot: events with a site key get 503 (retried), not "unknown". */
  directoryReady: () => boolean;
}

const Body = Type.Union([IncomingEvent, Type.Array(IncomingEvent, { minItems: 1, maxItems: LIMITS.batchSize })]);

function carriesSiteKey(body: unknown): boolean {
  const items: unknown[] = Array.isArray(body) ? body : [body];
  return items.some((item) => item !== null && typeof item === 'object' && typeof (item as { site_id?: unknown }).site_id === 'string' && (item as { site_id: string }).site_id.startsWith(SITE_KEY_PREFIX));
}

export async function analyticsRoutes(app: FastifyInstance, opts: AnalyticsRouteOptions): Promise<void> {
  const { collect, metrics } = opts;
  app.post(
    '/analytics',
    {
      config: opts.rateLimit === false ? {} : { rateLimit: opts.rateLimit },
      schema: {
        summary: 'Collect browser events (public site key)',
        description:
          `Body: one event, or an array of up to ${LIMITS.batchSize}. Sent as application/json or text/plain (sendBeacon). ` +
          "Each event's site_id is its project's public site key (pk_…); the request's Origin (or Referer) must be one of that project's allowed origins, " +
          'else 403 origin_not_allowed (readable: it carries CORS headers). Without a site key events go to the default project while ALLOW_DEFAULT_PROJECT is on (its origins are CORS_ORIGINS); ' +
          'an unknown site key is refused by field (/site_id). Invalid batch items are reported by index; valid siblings are accepted.',
        consumes: ['application/json', 'text/plain'],
        // Public: the site key is no credential (it is in every page's source); origins are the guard.
        security: [],
        body: Body,
        response: INGEST_RESPONSES,
      },
      // The body schema is for /docs; validation runs through the contract so that batch items
      // are judged one by one and every error names its field.
      validatorCompiler: () => (value) => ({ value }),
      // The 200 schema is a union; fast-json-stringify would run a validator per response to pick
      // the branch. The bodies are small plain objects, so JSON.stringify is cheaper.
      serializerCompiler: () => (data) => JSON.stringify(data),
    },
    async (request, reply) => {
      const origin = requestOrigin(request.headers.origin, request.headers.referer);
      if (!opts.directoryReady() && carriesSiteKey(request.body)) {
        if (origin !== undefined) reply.header('access-control-allow-origin', origin).header('vary', 'Origin').header('access-control-expose-headers', 'retry-after, x-request-id');
        return projectsUnavailable(reply, metrics, opts.retryAfterSeconds);
      }
      const outcome = await collect({ body: request.body, assign: opts.assign(origin), userAgentHeader: request.headers['user-agent'], clientIp: request.ip, fromBrowser: true });
      // CORS cannot stop a simple (text/plain) POST: the browser sends it and only hides the
      // answer, so origins are enforced above, per project. Every answer to a browser carries
      // CORS headers for its origin, so the tracker reads a 403 and stops instead of retrying a
      // CORS error; the answers hold nothing but event ids and refusals.
      if (origin !== undefined && reply.getHeader('access-control-allow-origin') === undefined) {
        reply.header('access-control-allow-origin', origin).header('vary', 'Origin').header('access-control-expose-headers', 'retry-after, x-request-id');
      }
      return sendOutcome(request, reply, outcome, metrics, opts.retryAfterSeconds);
    },
  );
}
