// The shapes the CLI and the admin routes print: snake_case JSON, the same in both. A key's hash
// never leaves the store; its hint does.
import type { Project, Scope } from './model.ts';

export interface ProjectRecord extends Project {
  orgName: string;
  createdAt: Date;
}

export interface KeyRecord {
  id: string;
  orgId: string;
  projectId: string | null;
  name: string;
  hint: string;
  scopes: Scope[];
  rateLimitPerMinute: number | null;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

/** `{"project": id, "name", "org", "site_key", …}`: what `projects create` and `list` print. */
export function projectJson(p: ProjectRecord) {
  return {
    project: p.id,
    name: p.name,
    org: p.orgName,
    org_id: p.orgId,
    site_key: p.siteKey,
    allowed_origins: [...p.allowedOrigins],
    timezone: p.timezone,
    retention_days: p.retentionDays,
    visitor_id_mode: p.visitorIdMode,
    created_at: iso(p.createdAt),
  };
}

/** A key without its secret: what `keys list` and `revoke` print. */
export function keyJson(k: KeyRecord) {
  return {
    id: k.id,
    org_id: k.orgId,
    project_id: k.projectId,
    name: k.name,
    hint: k.hint,
    scopes: k.scopes,
    rate_limit_per_minute: k.rateLimitPerMinute,
    created_at: iso(k.createdAt),
    expires_at: iso(k.expiresAt),
    revoked_at: iso(k.revokedAt),
    last_used_at: iso(k.lastUsedAt),
  };
}
