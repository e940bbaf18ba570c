// The one way a service authenticates a request: a secret key (`X-API-Key: sk_…` or
// `Authorization: Bearer sk_…`, checked in memory by the directory) or an analyst's access token
// (`Authorization: Bearer <JWT>`, checked by signature). Answers who it is and which projects and
// scopes it has; refusals are values with the status to send.
import { keyCaller, userCaller, type Caller } from './access.ts';
import { SERVER_KEY_PREFIX, type TenancyDirectory } from './model.ts';
import type { Role } from './user-store.ts';

/** What an access token carries: the user and the role per organization when it was issued. */
export interface AccessClaims {
  sub: string;
  email: string;
  orgs: { id: string; role: Role }[];
}

export type AuthOutcome =
  | { ok: true; caller: Caller }
  | { ok: false; status: 401; error: 'missing_credentials' | 'invalid_api_key' | 'invalid_token'; message: string };

type Headers = Record<string, string | string[] | undefined>;

/** The credential a request presents, or undefined. */
export function presentedCredential(headers: Headers): { kind: 'key' | 'token'; value: string } | undefined {
  const key = headers['x-api-key'];
  if (typeof key === 'string' && key.trim() !== '') return { kind: 'key', value: key.trim() };
  const authorization = headers.authorization;
  const bearer = typeof authorization === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] : undefined;
  if (bearer === undefined) return undefined;
  return { kind: bearer.startsWith(SERVER_KEY_PREFIX) ? 'key' : 'token', value: bearer };
}

/**
 * Authenticates by key or bearer access token. `verifyAccessToken` returns the claims of a
 * valid, unexpired token (the tenancy plugin passes its JWT verifier), else undefined.
 */
export function authenticate(directory: TenancyDirectory, verifyAccessToken: (token: string) => AccessClaims | undefined, headers: Headers): AuthOutcome {
  const credential = presentedCredential(headers);
  if (credential === undefined) {
    return { ok: false, status: 401, error: 'missing_credentials', message: 'send a secret key in X-API-Key (or Authorization: Bearer sk_…), or an access token as Authorization: Bearer' };
  }
  if (credential.kind === 'key') {
    const principal = directory.verifyKey(credential.value);
    return principal
      ? { ok: true, caller: keyCaller(principal) }
      : { ok: false, status: 401, error: 'invalid_api_key', message: 'the key is unknown, revoked or expired' };
  }
  const claims = verifyAccessToken(credential.value);
  return claims
    ? { ok: true, caller: userCaller(claims.sub, claims.orgs.map((o) => ({ orgId: o.id, role: o.role }))) }
    : { ok: false, status: 401, error: 'invalid_token', message: 'the access token is invalid or expired: sign in again or refresh it' };
}
