// The in-memory part of the directory, pure: a snapshot of projects and live keys indexed for
// synchronous lookups. verifyKey costs one HMAC and one Map lookup (a few microseconds).
import { hashKey, looksLikeSecretKey } from './keys.ts';
import type { Principal, Project, TenancyDirectory } from './model.ts';
import type { LiveKey, TenancySnapshot } from './pg-store.ts';

export interface KeyIndex extends TenancyDirectory {
  /** How many projects and live keys the snapshot holds. */
  readonly size: { projects: number; keys: number };
}

export function indexSnapshot(snapshot: TenancySnapshot, pepper: string, now: () => number = Date.now, onUse?: (principal: Principal) => void): KeyIndex {
  // Keyed by the hash's hex form: Buffers compare by identity in a Map. Looking up an HMAC leaks
  // nothing useful through timing: an attacker cannot choose the HMAC of a guess.
  const keys = new Map<string, LiveKey>(snapshot.keys.map((k) => [k.keyHash.toString('hex'), k]));
  const byId = new Map<string, LiveKey>(snapshot.keys.map((k) => [k.principal.keyId, k]));
  const projects = new Map<string, Project>(snapshot.projects.map((p) => [p.id, p]));
  const bySiteKey = new Map<string, Project>(snapshot.projects.map((p) => [p.siteKey, p]));
  return {
    size: { projects: projects.size, keys: keys.size },
    verifyKey(rawKey) {
      if (!looksLikeSecretKey(rawKey)) return undefined;
      const live = keys.get(hashKey(pepper, rawKey).toString('hex'));
      // Expiry is checked per call: a key expiring between two reloads is refused on time.
      if (live === undefined || (live.expiresAt !== null && live.expiresAt <= now())) return undefined;
      onUse?.(live.principal);
      return live.principal;
    },
    keyById(keyId) {
      const live = byId.get(keyId);
      return live === undefined || (live.expiresAt !== null && live.expiresAt <= now()) ? undefined : live.principal;
    },
    projectBySiteKey: (siteKey) => bySiteKey.get(siteKey),
    project: (id) => projects.get(id),
    canAccess(principal, projectId) {
      const project = projects.get(projectId);
      if (project === undefined || project.orgId !== principal.orgId) return false;
      return principal.projectId === null || principal.projectId === projectId;
    },
  };
}
