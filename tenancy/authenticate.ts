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
  | { ok: false; status: 401; error: 'missing_credentials' | 'invalid_api_key' | 'invalid_token'; message: string }
  | { ok: false; status: 400; error: 'conflicting_api_keys'; field: 'X-API-Key'; message: string };

type Headers = Record<string, string | string[] | undefined>;

/** X-API-Key and Authorization: Bearer holding different credentials: which one the sender meant is unknowable. */
export const CONFLICTING_CREDENTIALS = Symbol('conflicting credentials');

/**
 * The credential a request presents: from X-API-Key or Authorization: Bearer (both may carry the
 * same one); undefined when it carries none, CONFLICTING_CREDENTIALS when the two headers differ.
 */
export function presentedCredential(headers: Headers): { kind: 'key' | 'token'; value: string } | undefined | typeof CONFLICTING_CREDENTIALS {
  const header = headers['x-api-key'];
  const key = typeof header === 'string' && header.trim() !== '' ? header.trim() : undefined;
  const authorization = headers.authorization;
  const bearer = typeof authorization === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] : undefined;
  if (key !== undefined && bearer !== undefined && key !== bearer) return CONFLICTING_CREDENTIALS;
  const value = key ?? bearer;
  if (value === undefined) return undefined;
  return { kind: key !== undefined || value.startsWith(SERVER_KEY_PREFIX) ? 'key' : 'token', value };
}

/**
 * Authenticates by key or bearer access token. `verifyAccessToken` returns the claims of a
 * valid, unexpired token (the tenancy plugin passes its JWT verifier), else undefined.
 */
export function authenticate(directory: TenancyDirectory, verifyAccessToken: (token: string) => AccessClaims | undefined, headers: Headers): AuthOutcome {
  const credential = presentedCredential(headers);
  if (credential === CONFLICTING_CREDENTIALS) {
    return { ok: false, status: 400, error: 'conflicting_api_keys', field: 'X-API-Key', message: 'X-API-Key and Authorization: Bearer hold different credentials; send one' };
  }
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
