// Analysts' sessions: sign-in with email and password gives a short-lived access token (JWT,
// signed by the tenancy plugin) and a single-use refresh token. Refreshing rotates: the used
// token is refused from then on, so a stolen refresh token works at most once.
import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { ok, type Result } from '../lib/result.ts';
import type { AccessClaims } from './authenticate.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { consumeRefreshToken, findUserByEmail, findUserById, insertRefreshToken, revokeRefreshToken, type UserRecord } from './user-store.ts';

export interface SessionOptions {
  db: pg.Pool;
  signAccessToken: (claims: AccessClaims) => string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
}

export interface Session {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  user: { id: string; email: string; orgs: { id: string; name: string; role: string }[] };
}

type Refused = { error: 'invalid_credentials' | 'invalid_refresh_token'; message: string };

const tokenHash = (token: string) => createHash('sha256').update(token).digest();

// An unknown email costs the same argon2 verification as a wrong password: timing tells nothing.
let dummyHash: Promise<string> | undefined;

async function issue(options: SessionOptions, user: UserRecord): Promise<Session> {
  const refresh = `rt_${randomBytes(32).toString('base64url')}`;
  await insertRefreshToken(options.db, user.id, tokenHash(refresh), new Date(Date.now() + options.refreshTokenTtlSeconds * 1000));
  return {
    access_token: options.signAccessToken({ sub: user.id, email: user.email, orgs: user.memberships.map((m) => ({ id: m.orgId, role: m.role })) }),
    token_type: 'Bearer',
    expires_in: options.accessTokenTtlSeconds,
    refresh_token: refresh,
    user: { id: user.id, email: user.email, orgs: user.memberships.map((m) => ({ id: m.orgId, name: m.orgName, role: m.role })) },
  };
}

export async function login(options: SessionOptions, email: string, password: string): Promise<Result<Session, Refused>> {
  const user = await findUserByEmail(options.db, email);
  if (user === undefined) {
    await verifyPassword(await (dummyHash ??= hashPassword(randomBytes(16).toString('hex'))), password);
  } else if (await verifyPassword(user.passwordHash, password)) {
    return ok(await issue(options, user));
  }
  return { ok: false, error: 'invalid_credentials', message: 'wrong email or password' };
}

export async function refresh(options: SessionOptions, refreshToken: string): Promise<Result<Session, Refused>> {
  const used = await consumeRefreshToken(options.db, tokenHash(refreshToken));
  const user = used.ok ? await findUserById(options.db, used.value.userId) : undefined;
  if (user === undefined) return { ok: false, error: 'invalid_refresh_token', message: 'the refresh token is unknown, expired or already used: sign in again' };
  return ok(await issue(options, user));
}

/** Ends the session of that refresh token (access tokens already issued expire by themselves). */
export async function logout(options: SessionOptions, refreshToken: string): Promise<void> {
  await revokeRefreshToken(options.db, tokenHash(refreshToken));
}
