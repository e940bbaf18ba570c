// The tenancy HTTP API every service registers (the collector now, the query API later):
// /api/v1/admin/… (projects and keys, admin scope) and /api/v1/auth/… (analysts' sign-in). It also
// decorates the app with `authenticateCaller(request)`, the one way routes of any service learn
// who calls (key or access token) and which projects and scopes it has.
import jwt from '@fastify/jwt';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type pg from 'pg';
import { adminRoutes } from './admin-routes.ts';
import { authRoutes } from './auth-routes.ts';
import { authenticate, type AccessClaims, type AuthOutcome } from './authenticate.ts';
import type { TenancyDirectory } from './model.ts';
import type { SessionOptions } from './sessions.ts';

export interface TenancyApiOptions {
  /** The process's directory; reload(), when present, makes this process see its own changes at once. */
  directory: TenancyDirectory & { reload?(): Promise<void> };
  db: pg.Pool;
  /** API_KEY_PEPPER. */
  pepper: string;
  /** Signs access tokens (HS256), from JWT_SECRET. */
  jwtSecret: string;
  /** Access token lifetime; default 900 s (15 min). */
  accessTokenTtlSeconds?: number;
  /** Refresh token lifetime; default 30 days. */
  refreshTokenTtlSeconds?: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Who calls: a secret key or an analyst's access token, with its grants; or the 401 to send. */
    authenticateCaller(request: FastifyRequest): AuthOutcome;
  }
}

const isClaims = (value: unknown): value is AccessClaims => {
  const c = value as Partial<AccessClaims> & { typ?: unknown };
  return c.typ === 'access' && typeof c.sub === 'string' && typeof c.email === 'string' && Array.isArray(c.orgs);
};

async function tenancyApiPlugin(app: FastifyInstance, options: TenancyApiOptions): Promise<void> {
  const accessTokenTtlSeconds = options.accessTokenTtlSeconds ?? 900;
  await app.register(jwt, { secret: options.jwtSecret, sign: { algorithm: 'HS256', expiresIn: accessTokenTtlSeconds }, verify: { algorithms: ['HS256'] } });
  const verifyAccessToken = (token: string): AccessClaims | undefined => {
    try {
      const claims: unknown = app.jwt.verify(token);
      return isClaims(claims) ? claims : undefined;
    } catch {
      return undefined;
    }
  };
  app.decorate('authenticateCaller', (request: FastifyRequest) => authenticate(options.directory, verifyAccessToken, request.headers));

  const sessions: SessionOptions = {
    db: options.db,
    signAccessToken: (claims) => app.jwt.sign({ ...claims, typ: 'access' }),
    accessTokenTtlSeconds,
    refreshTokenTtlSeconds: options.refreshTokenTtlSeconds ?? 30 * 86_400,
  };
  await app.register(adminRoutes, { prefix: '/api/v1/admin', db: options.db, pepper: options.pepper, directory: options.directory });
  await app.register(authRoutes, { prefix: '/api/v1/auth', sessions });
}

/** Not encapsulated (fastify-plugin), so `authenticateCaller` serves the host app's own routes too. */
export const tenancyApi = fp(tenancyApiPlugin, { name: 'tenancy-api', fastify: '5.x' });
