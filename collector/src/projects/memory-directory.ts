// An in-memory TenancyDirectory: fast unit tests of the ingest use cases, and the directory of an
// app built without one (it knows no projects, so only the default project's browser events pass).
// The service opens the real directory (loaded from PostgreSQL, kept fresh) in server.ts.
import type { Principal, Project, TenancyDirectory } from '../../../tenancy/model.ts';

export interface MemoryDirectory extends TenancyDirectory {
  addProject(project: Project): void;
  /** Makes `rawKey` (`sk_…`) verify as `principal`. */
  addKey(rawKey: string, principal: Principal): void;
  /** Revoked keys verify as nothing, like unknown ones. */
  revokeKey(rawKey: string): void;
}

export function createMemoryDirectory(): MemoryDirectory {
  const projects = new Map<string, Project>();
  const bySiteKey = new Map<string, Project>();
  const keys = new Map<string, Principal>();
  return {
    addProject(project) {
      projects.set(project.id, project);
      bySiteKey.set(project.siteKey, project);
    },
    addKey(rawKey, principal) {
      keys.set(rawKey, principal);
    },
    revokeKey(rawKey) {
      keys.delete(rawKey);
    },
    verifyKey: (rawKey) => keys.get(rawKey),
    keyById: (keyId) => [...keys.values()].find((p) => p.keyId === keyId),
    projectBySiteKey: (siteKey) => bySiteKey.get(siteKey),
    project: (id) => projects.get(id),
    canAccess(principal, projectId) {
      if (principal.projectId !== null) return principal.projectId === projectId;
      return projects.get(projectId)?.orgId === principal.orgId;
    },
  };
}
