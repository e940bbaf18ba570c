// Short-lived stream tokens: an EventSource (and a browser WebSocket) cannot send headers, so a
// client with a live key or a signed-in analyst first POSTs …/live/token and then opens the stream
// with `?token=`. The token is signed with the server's JWT secret, names one project and the
// `live` scope only, expires after LIVE_TOKEN_TTL_SECONDS and is checked when a stream opens (a
// stream already open continues; the routes end a revoked key's streams and refuse its tokens).
// It is no access token: it opens no other route, and an access
// token or a key is never accepted in a URL. Pure apart from the signer it is given.
import type { Caller } from '../../../tenancy/access.ts';
import type { AuthOutcome } from '../../../tenancy/authenticate.ts';
import type { Project } from '../../../tenancy/model.ts';

const STREAM_CLAIM = 'live';

export interface LiveTokenClaims {
  typ: typeof STREAM_CLAIM;
  /** The project it opens. */
  prj: string;
  /** That project's organization. */
  org: string;
  /** Who asked: `key:<id>` or `user:<id>` (logs). */
  sub: string;
}

export interface Signer {
  sign(claims: LiveTokenClaims, ttlSeconds: number): string;
  /** The claims of a valid, unexpired token, else undefined. */
  verify(token: string): unknown;
}

export function issueLiveToken(signer: Signer, caller: Caller, project: Pick<Project, 'id' | 'orgId'>, ttlSeconds: number, now: Date): { token: string; expires_at: string; expires_in: number } {
  const token = signer.sign({ typ: STREAM_CLAIM, prj: project.id, org: project.orgId, sub: `${caller.kind}:${caller.id}` }, ttlSeconds);
  return { token, expires_at: new Date(now.getTime() + ttlSeconds * 1000).toISOString(), expires_in: ttlSeconds };
}

const isLiveClaims = (value: unknown): value is LiveTokenClaims => {
  const c = value as Partial<LiveTokenClaims>;
  return c?.typ === STREAM_CLAIM && typeof c.prj === 'string' && typeof c.org === 'string' && typeof c.sub === 'string';
};

/** The caller a `?token=` stands for: the live scope on its one project; 401 when invalid or expired. */
export function authenticateLiveToken(signer: Signer, token: string): AuthOutcome {
  const claims = signer.verify(token);
  if (!isLiveClaims(claims)) return { ok: false, status: 401, error: 'invalid_token', message: 'the live token is invalid or expired: POST …/live/token for a new one' };
  const [kind, ...id] = claims.sub.split(':');
  return {
    ok: true,
    caller: { kind: kind === 'key' ? 'key' : 'user', id: id.join(':'), grants: [{ orgId: claims.org, projectId: claims.prj, scopes: ['live'] }], rateLimitPerMinute: null },
  };
}
