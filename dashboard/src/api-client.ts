// The dashboard's calls to the query API, same origin: sign-in, the caller's projects, the
// reports and the live stream tokens. An expired access token (401) sends the analyst back to
// the sign-in form. Every call takes an optional AbortSignal: a view that the analyst has left
// (another tab, another project, a newer run of the same form) aborts what it still waits for, so
// a late answer never lands in the view that replaced it.

export class SignedOut extends Error {}

let signedOut: () => void = () => {};
/**
 * `handler` runs on every 401 answer of a call (an expired or revoked access token), whichever
 * view or form made the call; the call then rejects with SignedOut. main.ts shows the sign-in form.
 */
export function whenSignedOut(handler: () => void): void {
  signedOut = handler;
}

export interface Session {
  accessToken: string;
  email: string;
}

export interface ProjectItem {
  id: string;
  name: string;
  org: string;
  timezone: string;
}

export async function signIn(email: string, password: string): Promise<Session> {
  const res = await fetch('/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  const body = (await res.json()) as { access_token?: string; message?: string };
  if (!res.ok || body.access_token === undefined) throw new Error(body.message ?? `sign-in failed (${res.status})`);
  return { accessToken: body.access_token, email };
}

/** True for the rejection of a call whose signal was aborted: nobody waits for it any more. */
export const isAborted = (error: unknown): boolean => error instanceof DOMException && error.name === 'AbortError';

/** True when a call's failure needs no message where it was made: aborted, or signed out (the sign-in form took the page). */
export const isHandled = (error: unknown): boolean => isAborted(error) || error instanceof SignedOut;

async function call<T>(session: Session, method: 'GET' | 'POST', path: string, payload?: object, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${session.accessToken}` };
  if (payload !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: payload === undefined ? undefined : JSON.stringify(payload), signal });
  if (res.status === 401) {
    signedOut();
    throw new SignedOut('signed out');
  }
  const body = (await res.json()) as T & { message?: string };
  // Never resolves after its signal aborted: callers need no check of their own after the await.
  signal?.throwIfAborted();
  if (!res.ok) throw new Error(body.message ?? `${path}: ${res.status}`);
  return body;
}

export const listProjects = async (session: Session) => (await call<{ data: ProjectItem[] }>(session, 'GET', '/api/v1/projects')).data;

export const report = <T>(session: Session, project: string, route: string, query: Record<string, string> = {}, signal?: AbortSignal) =>
  call<T>(session, 'GET', `/api/v1/projects/${encodeURIComponent(project)}/${route}?${new URLSearchParams(query)}`, undefined, signal);

/** A report asked for by a JSON body (funnels, retention, saved funnels). */
export const postReport = <T>(session: Session, project: string, route: string, body: object, signal?: AbortSignal) =>
  call<T>(session, 'POST', `/api/v1/projects/${encodeURIComponent(project)}/${route}`, body, signal);

export const liveToken = (session: Session, project: string, signal?: AbortSignal) =>
  call<{ token: string; expires_at: string }>(session, 'POST', `/api/v1/projects/${encodeURIComponent(project)}/live/token`, undefined, signal);
