// /api/v1/auth: analysts sign in with email and password, refresh (rotating) and sign out.
import type { FastifyInstance } from 'fastify';
import { LoginBody, RefreshBody, SessionBody, TenancyError } from './api-schemas.ts';
import { useTenancyErrors } from './http-errors.ts';
import { refuseUnstorableText } from './body-text.ts';
import { login, logout, refresh, type SessionOptions } from './sessions.ts';

export interface AuthRouteOptions {
  sessions: SessionOptions;
}

// Password guessing is slowed per client address (when the host app has @fastify/rate-limit).
const LOGIN_RATE_LIMIT = { rateLimit: { max: 20, timeWindow: 60_000 } };

export async function authRoutes(app: FastifyInstance, { sessions }: AuthRouteOptions): Promise<void> {
  useTenancyErrors(app);
  refuseUnstorableText(app);
  const tags = ['auth'];
  app.post(
    '/login',
    { config: LOGIN_RATE_LIMIT, schema: { tags, summary: 'Sign in: an access token (15 min) and a refresh token', body: LoginBody, response: { 200: SessionBody, 401: TenancyError } } },
    async (request, reply) => {
      const { email, password } = request.body as { email: string; password: string };
      const session = await login(sessions, email, password);
      return session.ok ? session.value : reply.code(401).send({ success: false, error: session.error, message: session.message });
    },
  );
  app.post(
    '/refresh',
    { config: LOGIN_RATE_LIMIT, schema: { tags, summary: 'A new token pair for a refresh token, which is then used up', body: RefreshBody, response: { 200: SessionBody, 401: TenancyError } } },
    async (request, reply) => {
      const session = await refresh(sessions, (request.body as { refresh_token: string }).refresh_token);
      return session.ok ? session.value : reply.code(401).send({ success: false, error: session.error, message: session.message });
    },
  );
  app.post('/logout', { schema: { tags, summary: 'Sign out: the refresh token is revoked', body: RefreshBody, response: { 204: { type: 'null' } } } }, async (request, reply) => {
    await logout(sessions, (request.body as { refresh_token: string }).refresh_token);
    return reply.code(204).send();
  });
}
