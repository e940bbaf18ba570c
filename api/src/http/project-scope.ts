// Every route under /api/v1/projects/{project}: who calls (a secret key or a signed-in analyst's
// access token, tenancy/authenticate.ts) and whether it may use this project with the route's
// scope (`config: { scope }`, default read). The resolved project is `request.project`.
// Tenant isolation: a project the caller holds no grant on answers exactly as one that does not
// exist (404), so a key cannot probe for other tenants' project ids.
import { Type, type TObject } from '@sinclair/typebox';
import { textFault, textFaultReason } from '#contract';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import { callerCan, type Caller } from '../../../tenancy/access.ts';
import type { AuthOutcome } from '../../../tenancy/authenticate.ts';
import type { Project, Scope, TenancyDirectory } from '../../../tenancy/model.ts';
import { notFound, sendProblem } from './problems.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The project of a /api/v1/projects/{project} route, once the caller may use it. */
    project: Project;
    /** Who the project scope authenticated for this request (key, analyst or live token). */
    caller: Caller;
  }
  interface FastifyContextConfig {
    /** The scope a project route needs; read unless it says otherwise. */
    scope?: Scope;
    /** A route's own credential (the live streams' `?token=`): its outcome, or undefined for the usual headers. */
    authenticate?: (request: FastifyRequest) => AuthOutcome | undefined;
  }
}

/** Every project route accepts a secret key (either header) or an analyst's access token. */
export const PROJECT_SECURITY = [{ apiKey: [] }, { bearerKey: [] }, { accessToken: [] }];

const ProblemSchema = Type.Object(
  {
    success: Type.Literal(false),
    error: Type.String({ description: 'A stable code: invalid_parameter, invalid_encoding, invalid_json, conflicting_api_keys, missing_credentials, invalid_api_key, invalid_token, insufficient_scope, not_found, payload_too_large, unsupported_media_type, unsupported_charset, unsupported_content_encoding, query_timeout, busy, database_unavailable, not_ready.' }),
    message: Type.String(),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String({ description: 'The query parameter or body field at fault, e.g. tz or steps/0/label (body: the whole body).' }), message: Type.String() }))),
  },
  { $id: 'Problem' },
);

/** The error answers every project route can give, documented once. */
const PROJECT_ERRORS = {
  400: { ...Type.Ref(ProblemSchema), description: 'A parameter is invalid or unknown, or the body cannot be read as sent; `errors[0].field` names it. Two different credentials: conflicting_api_keys.' },
  401: { ...Type.Ref(ProblemSchema), description: 'No credential, or an unknown, revoked or expired key or token.' },
  403: { ...Type.Ref(ProblemSchema), description: "The caller's own project, without the scope this route needs." },
  404: { ...Type.Ref(ProblemSchema), description: 'No such project, or one the caller holds no grant on (the same answer), or no such item in it.' },
  503: { ...Type.Ref(ProblemSchema), description: 'Not ready yet, the report exceeded the query timeout, every report connection is busy, or the database is unavailable; retry after `Retry-After` seconds.' },
};

const PROJECT_PARAM = Type.String({ description: 'The project id (UUID), as `npm run -s projects -- list` shows it.' });

/**
 * Completes each project route's schema: the `project` path parameter, the security schemes and
 * the error answers, so every route documents them alike and none can forget one.
 */
function documentProjectRoute(schema: FastifySchema): void {
  const params = schema.params as TObject | undefined;
  schema.params = params
    ? { ...params, properties: { project: PROJECT_PARAM, ...params.properties }, required: [...new Set(['project', ...(params.required ?? [])])] }
    : Type.Object({ project: PROJECT_PARAM });
  (schema as { security?: unknown }).security ??= PROJECT_SECURITY;
  schema.response = { ...PROJECT_ERRORS, ...(schema.response as object | undefined) };
}

/**
 * The first query or path parameter holding text no stored value can hold (NUL, U+0000, which
 * PostgreSQL refuses as a parameter: an error, not an empty answer; a lone UTF-16 surrogate, which
 * is not Unicode and would reach the database replaced), with why; undefined when none does.
 */
function unstorableParameter(...sources: unknown[]): { name: string; message: string } | undefined {
  for (const source of sources) {
    if (typeof source !== 'object' || source === null) continue;
    for (const [name, value] of Object.entries(source)) {
      const values: unknown[] = Array.isArray(value) ? value : [value];
      for (const v of values) {
        const fault = typeof v === 'string' ? textFault(v) : undefined;
        if (fault !== undefined) return { name, message: `${name}: contains ${textFaultReason(fault)}` };
      }
    }
  }
  return undefined;
}

/**
 * The first query parameter whose percent-encoding is not UTF-8 (`%E9`, `%ED%A0%80`), or
 * undefined. The query string parser keeps such a value as its raw text, so it would be used as a
 * filter other than the one sent; it is refused by name instead.
 */
function undecodableParameter(url: string): string | undefined {
  const start = url.indexOf('?');
  if (start < 0) return undefined;
  for (const pair of url.slice(start + 1).split('&')) {
    const eq = pair.indexOf('=');
    const [name, value] = eq < 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
    try {
      decodeURIComponent(name.replace(/\+/g, ' '));
      decodeURIComponent(value.replace(/\+/g, ' '));
    } catch {
      return name;
    }
  }
  return undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ProjectScopeOptions {
  directory: TenancyDirectory;
  /** False until the directory holds its first snapshot: keys cannot be verified yet (503). */
  directoryReady: () => boolean;
}

/**
 * Adds the hook that authenticates and resolves `request.project` to the routes of `app`. It runs
 * before schema validation (preValidation), so a caller without a valid key learns 401/404 and
 * never which parameters or body a route would accept.
 */
export function useProjectScope(app: FastifyInstance, options: ProjectScopeOptions): void {
  app.addSchema(ProblemSchema);
  app.addHook('onRoute', (route) => documentProjectRoute((route.schema ??= {})));
  app.decorateRequest('project', null as unknown as Project);
  app.decorateRequest('caller', null as unknown as Caller);
  app.addHook('preValidation', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!options.directoryReady()) return sendProblem(reply.header('retry-after', '2'), 503, 'not_ready', 'projects and keys are still loading; retry shortly');
    const auth = request.routeOptions.config.authenticate?.(request) ?? app.authenticateCaller(request);
    if (!auth.ok) return sendProblem(reply, auth.status, auth.error, auth.message, auth.status === 400 ? auth.field : undefined);
    const id = (request.params as { project?: string }).project ?? '';
    const project = UUID.test(id) ? options.directory.project(id.toLowerCase()) : undefined;
    const scope = request.routeOptions.config.scope ?? 'read';
    if (project === undefined) return notFound(reply);
    if (!callerCan(auth.caller, scope, project)) {
      // Its own project without the scope may say so; anything else is "not found".
      const holdsProject = auth.caller.grants.some((g) => g.orgId === project.orgId && (g.projectId === null || g.projectId === project.id));
      return holdsProject ? sendProblem(reply, 403, 'insufficient_scope', `this route needs the ${scope} scope`) : notFound(reply);
    }
    const undecodable = undecodableParameter(request.url);
    if (undecodable !== undefined) return sendProblem(reply, 400, 'invalid_parameter', `${undecodable}: its percent-encoding is not UTF-8, so the value cannot be read as sent`, undecodable);
    const unstorable = unstorableParameter(request.params, request.query);
    if (unstorable !== undefined) return sendProblem(reply, 400, 'invalid_parameter', unstorable.message, unstorable.name);
    request.project = project;
    request.caller = auth.caller;
  });
}
