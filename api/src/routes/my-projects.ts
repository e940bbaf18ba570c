// GET /api/v1/projects: the projects the caller may read or follow live (the dashboard's project
// picker; an analyst who is no admin cannot list them through /api/v1/admin). Keys see their own
// project or organization, analysts the projects of their organizations.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { callerCan } from '../../../tenancy/access.ts';
import { listProjects } from '../../../tenancy/pg-store.ts';
import { sendProblem } from '../http/problems.ts';

const Answer = Type.Object({
  data: Type.Array(
    Type.Object({
      id: Type.String({ description: 'The project id, for /api/v1/projects/{project}/….' }),
      name: Type.String(),
      org: Type.String({ description: "The organization's name." }),
      timezone: Type.String({ description: "The project's IANA zone (the reports' default)." }),
    }),
  ),
});

export async function myProjectsRoutes(app: FastifyInstance, options: { db: pg.Pool }): Promise<void> {
  app.get(
    '/api/v1/projects',
    {
      schema: {
        tags: ['reports'],
        summary: 'The projects the caller may read or follow live',
        description: 'Ordered by organization, then name. Errors: 401 without a valid key or access token.',
        security: [{ apiKey: [] }, { bearerKey: [] }, { accessToken: [] }],
        response: { 200: Answer },
      },
    },
    async (request, reply) => {
      const auth = app.authenticateCaller(request);
      if (!auth.ok) return sendProblem(reply, auth.status, auth.error, auth.message, auth.status === 400 ? auth.field : undefined);
      const orgs = [...new Set(auth.caller.grants.map((g) => g.orgId))];
      const lists = await Promise.all(orgs.map((org) => listProjects(options.db, org)));
      const visible = lists.flat().filter((p) => callerCan(auth.caller, 'read', p) || callerCan(auth.caller, 'live', p));
      return { data: visible.map((p) => ({ id: p.id, name: p.name, org: p.orgName, timezone: p.timezone })) };
    },
  );
}
