// Secret-key authentication for the server-side ingest routes. The key comes from `X-API-Key` or
// `Authorization: Bearer sk_…` (headers only: a browser cannot send either without a CORS
// preflight, which the collector does not grant for them). The project is the key's own, or for
// an organization-wide key the one named by `?project=<id>`.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SERVER_KEY_PREFIX, type Principal, type Project, type Scope, type TenancyDirectory } from '../../../tenancy/model.ts';
import { CONFLICTING_CREDENTIALS, presentedCredential } from '../../../tenancy/authenticate.ts';
import type { CollectorMetrics } from '../metrics.ts';
import { errorBody } from './responses.ts';

/** Who sent a server-side request and for which project; set by the authentication hook. */
export interface IngestIdentity {
  principal: Principal;
  project: Project;
}

declare module 'fastify' {
  interface FastifyRequest {
    ingestIdentity?: IngestIdentity;
  }
}

/** Two different keys in one request: which one the sender meant is unknowable, so it is refused. */
export { CONFLICTING_CREDENTIALS as CONFLICTING_KEYS };

/** The raw key of a request, undefined when it carries none, CONFLICTING_KEYS when X-API-Key and Authorization differ. */
export function presentedKey(headers: FastifyRequest['headers']): string | undefined | typeof CONFLICTING_CREDENTIALS {
  const credential = presentedCredential(headers);
  return credential === CONFLICTING_CREDENTIALS ? CONFLICTING_CREDENTIALS : credential?.value;
}

type Refusal = { status: 400 | 401 | 403 | 404; code: string; field: string; message: string };

/** Pure: the identity of a request, or why it is refused (400 two different keys, 401 no/unknown key, 403 scope, 404 project). */
export function authenticate(
  directory: TenancyDirectory,
  scope: Scope,
  rawKey: string | undefined | typeof CONFLICTING_CREDENTIALS,
  projectParam: string | undefined,
): IngestIdentity | Refusal {
  if (rawKey === CONFLICTING_CREDENTIALS) {
    return { status: 400, code: 'conflicting_api_keys', field: 'X-API-Key', message: 'X-API-Key and Authorization: Bearer hold different keys; send one key' };
  }
  if (rawKey === undefined) {
    return { status: 401, code: 'missing_api_key', field: 'X-API-Key', message: `send a secret key (${SERVER_KEY_PREFIX}…) in X-API-Key or Authorization: Bearer` };
  }
  const principal = rawKey.startsWith(SERVER_KEY_PREFIX) ? directory.verifyKey(rawKey) : undefined;
  if (principal === undefined) {
    return { status: 401, code: 'invalid_api_key', field: 'X-API-Key', message: `the key is unknown, revoked or expired (secret keys start with ${SERVER_KEY_PREFIX}; site keys are for the browser route)` };
  }
  if (!principal.scopes.includes(scope)) {
    return { status: 403, code: 'insufficient_scope', field: 'X-API-Key', message: `the key lacks the ${scope} scope (it has: ${principal.scopes.join(', ') || 'none'})` };
  }
  const projectId = projectParam ?? principal.projectId;
  if (projectId === null) {
    return { status: 400, code: 'project_required', field: '?project', message: 'an organization-wide key must name the project: add ?project=<project id> to the URL' };
  }
  const project = directory.canAccess(principal, projectId) ? directory.project(projectId) : undefined;
  // The same answer whether the project exists elsewhere or not at all: no hint of other tenants.
  if (project === undefined) return { status: 404, code: 'project_not_found', field: '?project', message: `no project ${JSON.stringify(projectId)} for this key` };
  return { principal, project };
}

/** Answers 503 + Retry-After while the directory has not loaded its first snapshot (no key could be judged yet). */
export function projectsUnavailable(reply: FastifyReply, metrics: CollectorMetrics, retryAfterSeconds: number) {
  metrics.eventsRejected.inc({ reason: 'projects_unavailable' });
  return reply
    .code(503)
    .header('retry-after', String(retryAfterSeconds))
    .send(errorBody('projects_unavailable', 'projects and keys are not loaded yet (PostgreSQL unreachable since start); retry later'));
}

export interface ApiKeyHookOptions {
  directory: TenancyDirectory;
  /** False until the directory loaded its first snapshot. */
  directoryReady: () => boolean;
  scope: Scope;
  metrics: CollectorMetrics;
  retryAfterSeconds: number;
}

/** A route-level onRequest hook: authenticates before the body is read and before the per-key rate limit counts. */
export function requireApiKey({ directory, directoryReady, scope, metrics, retryAfterSeconds }: ApiKeyHookOptions) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!directoryReady()) {
      await projectsUnavailable(reply, metrics, retryAfterSeconds);
      return;
    }
    const query = request.query as Record<string, unknown> | undefined;
    const projectParam = typeof query?.project === 'string' ? query.project : undefined;
    const outcome = authenticate(directory, scope, presentedKey(request.headers), projectParam);
    if ('principal' in outcome) {
      request.ingestIdentity = outcome;
      return;
    }
    metrics.eventsRejected.inc({ reason: outcome.code });
    if (outcome.status === 401) reply.header('www-authenticate', 'Bearer');
    await reply.code(outcome.status).send(errorBody(outcome.code, outcome.message, [{ field: outcome.field, message: outcome.message }]));
  };
}

/** Per-key rate limit settings for @fastify/rate-limit: the key's own limit, else the service default. */
export function perKeyRateLimit(defaultPerMinute: number) {
  return {
    timeWindow: 60_000,
    max: (request: FastifyRequest) => request.ingestIdentity?.principal.rateLimitPerMinute ?? defaultPerMinute,
    keyGenerator: (request: FastifyRequest) => `key:${request.ingestIdentity?.principal.keyId ?? `ip:${request.ip}`}`,
  };
}
