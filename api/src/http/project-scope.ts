// Every route under /api/v1/projects/{project}: who calls (a secret key or a signed-in analyst's
// access token, tenancy/authenticate.ts) and whether it may use this project with the route's
// scope (`config: { scope }`, default read). The resolved project is `request.project`.
// Tenant isolation: a project the caller holds no grant on answers exactly as one that does not
// exist (404), so a key cannot probe for other tenants' project ids.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { callerCan } from '../../../tenancy/access.ts';
import type { Project, Scope, TenancyDirectory } from '../../../tenancy/model.ts';
import { notFound, sendProblem } from './problems.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The project of a /api/v1/projects/{project} route, once the caller may use it. */
    project: Project;
  }
  interface FastifyContextConfig {
    /** The scope a project route needs; read unless it says otherwise. */
    scope?: Scope;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ProjectScopeOptions {
  directory: TenancyDirectory;
  /** False until the directory holds its first snapshot: keys cannot be verified yet (503). */
  directoryReady: () => boolean;
}

/** Adds the preHandler that authenticates and resolves `request.project` to the routes of `app`. */
export function useProjectScope(app: FastifyInstance, options: ProjectScopeOptions): void {
  app.decorateRequest('project', null as unknown as Project);
  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!options.directoryReady()) return sendProblem(reply.header('retry-after', '2'), 503, 'not_ready', 'projects and keys are still loading; retry shortly');
    const auth = app.authenticateCaller(request);
    if (!auth.ok) return sendProblem(reply, auth.status, auth.error, auth.message);
    const id = (request.params as { project?: string }).project ?? '';
    const project = UUID.test(id) ? options.directory.project(id.toLowerCase()) : undefined;
    const scope = request.routeOptions.config.scope ?? 'read';
    if (project === undefined) return notFound(reply);
    if (!callerCan(auth.caller, scope, project)) {
      // Its own project without the scope may say so; anything else is "not found".
      const holdsProject = auth.caller.grants.some((g) => g.orgId === project.orgId && (g.projectId === null || g.projectId === project.id));
      return holdsProject ? sendProblem(reply, 403, 'missing_scope', `this route needs the ${scope} scope`) : notFound(reply);
    }
    request.project = project;
  });
}
