// POST /webhook: events from other systems in the design document's webhook shape
// ({eventType, userId, timestamp, metadata: {page, browser, …}, organizationId}), with a secret
// key (ingest scope). Mapped onto the server-side event (events/webhook-event.ts) and collected
// by the same core as every route.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { LIMITS } from '#contract';
import { webhookValidator } from '../events/webhook-event.ts';
import { sendOutcome } from '../http/collect-reply.ts';
import { errorBody } from '../http/responses.ts';
import { serverAssignment } from '../projects/server-assignment.ts';
import { keyedIngestRoute, type ServerRouteOptions } from './server-events.ts';

const WebhookEvent = Type.Object(
  {
    eventType: Type.String({ description: 'event_type: page_view, button_click or a custom name' }),
    userId: Type.Optional(Type.String({ description: 'user_id' })),
    timestamp: Type.Optional(Type.String({ format: 'date-time', description: 'RFC 3339 with an offset; kept back to the project\'s retention' })),
    metadata: Type.Optional(
      Type.Object(
        {
          page: Type.Optional(Type.String({ description: "page_url: an absolute http(s) URL, or a path resolved against the project's first allowed origin (that origin's / when absent)" })),
          browser: Type.Optional(Type.String({ description: 'user_agent' })),
        },
        { additionalProperties: true, description: 'Keys other than page and browser are kept in metadata' },
      ),
    ),
    organizationId: Type.Optional(Type.String({ description: "Must be the key's organization id, else 403" })),
  },
  { additionalProperties: false, $id: 'WebhookEvent' },
);

const Body = Type.Union([WebhookEvent, Type.Array(WebhookEvent, { minItems: 1, maxItems: LIMITS.serverBatchSize })]);

/** The first item whose organizationId is not the key's, as a JSON Pointer. */
function foreignOrganization(body: unknown, orgId: string): string | undefined {
  const items = Array.isArray(body) ? body : [body];
  const at = items.findIndex((item) => item !== null && typeof item === 'object' && typeof (item as { organizationId?: unknown }).organizationId === 'string' && (item as { organizationId: string }).organizationId !== orgId);
  if (at < 0) return undefined;
  return Array.isArray(body) ? `/${at}/organizationId` : '/organizationId';
}

export async function webhookRoutes(app: FastifyInstance, opts: ServerRouteOptions): Promise<void> {
  const { collect, metrics } = opts;
  app.post(
    '/webhook',
    keyedIngestRoute(opts, {
      summary: 'Collect events in the webhook shape (secret key, ingest scope)',
      description:
        'Body: one webhook event or an array of them. Mapping: eventType → event_type, userId → user_id, timestamp → timestamp, metadata.page → page_url, ' +
        'metadata.browser → user_agent, other metadata keys → metadata. organizationId, when sent, must be the key\'s organization (else 403 organization_mismatch). ' +
        'Errors name the webhook fields (/eventType, /metadata/page).',
      body: Body,
    }),
    async (request, reply) => {
      const { principal, project } = request.ingestIdentity!;
      const foreign = foreignOrganization(request.body, principal.orgId);
      if (foreign !== undefined) {
        const message = "is not the organization of the API key";
        metrics.eventsRejected.inc({ reason: 'organization_mismatch' });
        return reply.code(403).send(errorBody('organization_mismatch', `${foreign}: ${message}`, [{ field: foreign, message }]));
      }
      const rules = { validate: webhookValidator(project.allowedOrigins[0]), maxBatch: LIMITS.serverBatchSize };
      const outcome = await collect({ body: request.body, rules, assign: serverAssignment(project) });
      return sendOutcome(request, reply, outcome, metrics, opts.retryAfterSeconds);
    },
  );
}
