// /api/v1/admin: create and list projects, create, list and revoke keys: the CLI's operations for
// callers with the admin scope (a key, or an organization admin's access token), each confined to
// the caller's organization or project. Anything else is 404, never another tenant's data.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { hasScope, type Caller } from './access.ts';
import * as admin from './admin-service.ts';
import {
  ADMIN_SECURITY, CreatedKeyBody, KeyBody, KeyListQuery, KeyParams, NewKeyBody, NewProjectBody, ProjectBody, ProjectChangesBody, ProjectParams, TenancyError,
} from './api-schemas.ts';
import type { TenancyDirectory } from './model.ts';
import { sendProblem, useTenancyErrors } from './http-errors.ts';
import { refuseUnstorableText } from './body-text.ts';
import { keyJson, projectJson } from './records.ts';
import { Type, type Static } from '@sinclair/typebox';

export interface AdminRouteOptions {
  db: pg.Pool;
  pepper: string;
  directory: TenancyDirectory & { reload?(): Promise<void> };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the admin routes' authentication hook. */
    adminCaller?: Caller;
  }
}


const errors = { 400: TenancyError, 401: TenancyError, 403: TenancyError, 404: TenancyError };

export async function adminRoutes(app: FastifyInstance, options: AdminRouteOptions): Promise<void> {
  const { db, pepper, directory } = options;
  useTenancyErrors(app);
  // Runs before the body is read: an unauthenticated caller learns nothing, not even validation errors.
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const auth = app.authenticateCaller(request);
    if (!auth.ok) {
      reply.header('www-authenticate', 'Bearer');
      return sendProblem(reply, auth);
    }
    if (!hasScope(auth.caller, 'admin')) {
      return sendProblem(reply, { status: 403, error: 'insufficient_scope', message: 'these routes need the admin scope (an admin key or an organization admin)' });
    }
    request.adminCaller = auth.caller;
  });
  refuseUnstorableText(app);
  const caller = (request: FastifyRequest) => request.adminCaller!;
  // This process sees its own change at once; the others on NOTIFY tenancy_changed.
  const changed = async () => directory.reload?.();
  const tags = ['admin'];

  app.get('/projects', { schema: { tags, summary: "The caller's projects", security: ADMIN_SECURITY, response: { 200: Type.Object({ projects: Type.Array(ProjectBody) }), ...errors } } }, async (request) => ({
    projects: (await admin.listProjectsFor(db, caller(request))).map(projectJson),
  }));

  app.get('/projects/:projectId', { schema: { tags, summary: 'One project', security: ADMIN_SECURITY, params: ProjectParams, response: { 200: ProjectBody, ...errors } } }, async (request, reply) => {
    const found = await admin.getProjectFor(db, caller(request), (request.params as { projectId: string }).projectId);
    return found.ok ? projectJson(found.value) : sendProblem(reply, found);
  });

  app.post(
    '/projects',
    { schema: { tags, summary: 'Create a project (organization-wide admin)', security: ADMIN_SECURITY, body: NewProjectBody, response: { 201: ProjectBody, 409: TenancyError, ...errors } } },
    async (request, reply) => {
      const created = await admin.createProjectFor(db, caller(request), request.body as admin.ProjectInput);
      if (!created.ok) return sendProblem(reply, created);
      await changed();
      return reply.code(201).send(projectJson(created.value));
    },
  );

  app.patch(
    '/projects/:projectId',
    {
      schema: {
        tags,
        summary: "Change a project's visitor_id_mode (collectors follow within seconds)",
        security: ADMIN_SECURITY,
        params: ProjectParams,
        body: ProjectChangesBody,
        response: { 200: ProjectBody, ...errors },
      },
    },
    async (request, reply) => {
      const updated = await admin.updateProjectFor(db, caller(request), (request.params as { projectId: string }).projectId, request.body as Static<typeof ProjectChangesBody>);
      if (!updated.ok) return sendProblem(reply, updated);
      await changed();
      return projectJson(updated.value);
    },
  );

  app.get('/keys', { schema: { tags, summary: "The caller's keys (never their secrets)", security: ADMIN_SECURITY, querystring: KeyListQuery, response: { 200: Type.Object({ keys: Type.Array(KeyBody) }), ...errors } } }, async (request, reply) => {
    const listed = await admin.listKeysFor(db, caller(request), (request.query as { project_id?: string }).project_id);
    return listed.ok ? { keys: listed.value.map(keyJson) } : sendProblem(reply, listed);
  });

  app.post(
    '/keys',
    { schema: { tags, summary: 'Create a key; the answer is the only place its secret appears', security: ADMIN_SECURITY, body: NewKeyBody, response: { 201: CreatedKeyBody, ...errors } } },
    async (request, reply) => {
      const created = await admin.createKeyFor(db, pepper, caller(request), request.body as admin.KeyInput);
      if (!created.ok) return sendProblem(reply, created);
      await changed();
      return reply.code(201).send({ key: created.value.key, ...keyJson(created.value) });
    },
  );

  app.post(
    '/keys/:keyId/revoke',
    { schema: { tags, summary: 'Revoke a key (every service refuses it within seconds)', security: ADMIN_SECURITY, params: KeyParams, response: { 200: KeyBody, ...errors } } },
    async (request, reply) => {
      const revoked = await admin.revokeKeyFor(db, caller(request), (request.params as { keyId: string }).keyId);
      if (!revoked.ok) return sendProblem(reply, revoked);
      await changed();
      return keyJson(revoked.value);
    },
  );
}
