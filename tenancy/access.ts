// Who a caller is and what it may do, the same for machines (API keys) and people (signed-in
// analysts): a list of grants, each an organization, optionally one project, and scopes. Pure.
import type { Principal, Project, Scope } from './model.ts';
import type { Role } from './user-store.ts';

export interface Grant {
  orgId: string;
  /** The one project granted, or null for every project of the organization. */
  projectId: string | null;
  scopes: readonly Scope[];
}

export interface Caller {
  kind: 'key' | 'user';
  /** The key's id or the user's id. */
  id: string;
  grants: readonly Grant[];
  /** Requests per minute for a key with its own limit; null otherwise. */
  rateLimitPerMinute: number | null;
}

/** What each role may do in its organization: viewers read, admins also manage projects and keys. */
export const ROLE_SCOPES: Record<Role, readonly Scope[]> = {
  admin: ['read', 'live', 'admin'],
  viewer: ['read', 'live'],
};

export function keyCaller(principal: Principal): Caller {
  return {
    kind: 'key',
    id: principal.keyId,
    grants: [{ orgId: principal.orgId, projectId: principal.projectId, scopes: principal.scopes }],
    rateLimitPerMinute: principal.rateLimitPerMinute,
  };
}

export function userCaller(userId: string, memberships: readonly { orgId: string; role: Role }[]): Caller {
  return {
    kind: 'user',
    id: userId,
    grants: memberships.map((m) => ({ orgId: m.orgId, projectId: null, scopes: ROLE_SCOPES[m.role] })),
    rateLimitPerMinute: null,
  };
}

/** True when the caller holds the scope on that project (its own project, or its whole organization). */
export function callerCan(caller: Caller, scope: Scope, project: Pick<Project, 'id' | 'orgId'>): boolean {
  return caller.grants.some((g) => g.orgId === project.orgId && (g.projectId === null || g.projectId === project.id) && g.scopes.includes(scope));
}

/** Organizations where the caller holds the scope for every project (may create projects, org-wide keys). */
export function orgsWithScope(caller: Caller, scope: Scope): string[] {
  return [...new Set(caller.grants.filter((g) => g.projectId === null && g.scopes.includes(scope)).map((g) => g.orgId))];
}

/** True when some grant carries the scope (on anything). */
export function hasScope(caller: Caller, scope: Scope): boolean {
  return caller.grants.some((g) => g.scopes.includes(scope));
}
