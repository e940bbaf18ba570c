// The PostgreSQL adapter for tenancy: projects, keys, users and refresh tokens. Functions that
// act inside an organization take it first, so a caller cannot forget the tenant. Expected
// failures (a name taken, an unknown project) are values; infrastructure errors throw.
import type pg from 'pg';
import { ok, type Result } from '../lib/result.ts';
import type { VisitorIdMode } from '#contract';
import type { Principal, Project, Scope } from './model.ts';
import type { KeyRecord, ProjectRecord } from './records.ts';

type Db = pg.Pool | pg.ClientBase;

/** The id of the `default` organization created by migration 009. */
export const DEFAULT_ORG_ID = '00000000-0000-4000-8000-000000000000';

const UNIQUE_VIOLATION = '23505';
const isUnique = (error: unknown) => (error as { code?: string }).code === UNIQUE_VIOLATION;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface ProjectRow {
  id: string;
  org_id: string;
  org_name: string;
  name: string;
  site_key: string;
  allowed_origins: string[];
  timezone: string;
  retention_days: number;
  visitor_id_mode: VisitorIdMode;
  created_at: Date;
}

const PROJECT_COLUMNS = `p.id, p.org_id, o.name AS org_name, p.name, p.site_key, p.allowed_origins, p.timezone, p.retention_days, p.visitor_id_mode, p.created_at`;
const PROJECT_FROM = `projects p JOIN organizations o ON o.id = p.org_id`;

function toProject(r: ProjectRow): ProjectRecord {
  return {
    id: r.id,
    orgId: r.org_id,
    orgName: r.org_name,
    name: r.name,
    siteKey: r.site_key,
    allowedOrigins: r.allowed_origins,
    timezone: r.timezone,
    retentionDays: r.retention_days,
    visitorIdMode: r.visitor_id_mode,
    createdAt: r.created_at,
  };
}

interface KeyRow {
  id: string;
  org_id: string;
  project_id: string | null;
  name: string;
  hint: string;
  scopes: Scope[];
  rate_limit_per_minute: number | null;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

const KEY_COLUMNS = `id, org_id, project_id, name, hint, scopes, rate_limit_per_minute, created_at, expires_at, revoked_at, last_used_at`;

function toKey(r: KeyRow): KeyRecord {
  return {
    id: r.id,
    orgId: r.org_id,
    projectId: r.project_id,
    name: r.name,
    hint: r.hint,
    scopes: r.scopes,
    rateLimitPerMinute: r.rate_limit_per_minute,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
    lastUsedAt: r.last_used_at,
  };
}

// ---- what every service loads --------------------------------------------------------------

export interface LiveKey {
  keyHash: Buffer;
  principal: Principal;
  /** Epoch ms, or null for a key that never expires. */
  expiresAt: number | null;
}

export interface TenancySnapshot {
  projects: Project[];
  keys: LiveKey[];
}

/** Every project and every key neither revoked nor expired: what a directory holds in memory. */
export async function loadSnapshot(db: Db): Promise<TenancySnapshot> {
  const projects = await db.query<ProjectRow>(`SELECT ${PROJECT_COLUMNS} FROM ${PROJECT_FROM}`);
  const keys = await db.query<KeyRow & { key_hash: Buffer }>(
    `SELECT ${KEY_COLUMNS}, key_hash FROM api_keys WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
  );
  return {
    projects: projects.rows.map((r) => {
      const { orgName: _o, createdAt: _c, ...project } = toProject(r);
      return project;
    }),
    keys: keys.rows.map((r) => ({
      keyHash: r.key_hash,
      expiresAt: r.expires_at?.getTime() ?? null,
      principal: { keyId: r.id, orgId: r.org_id, projectId: r.project_id, scopes: r.scopes, rateLimitPerMinute: r.rate_limit_per_minute },
    })),
  };
}

/** Marks keys used now (batched by the directory: at most once a minute per key and process). */
export async function touchKeys(db: Db, keyIds: readonly string[]): Promise<void> {
  if (keyIds.length === 0) return;
  await db.query('UPDATE api_keys SET last_used_at = now() WHERE id = ANY($1::uuid[])', [keyIds]);
}

// ---- organizations and projects --------------------------------------------------------------

export async function findOrgByName(db: Db, name: string): Promise<{ id: string; name: string } | undefined> {
  const r = await db.query<{ id: string; name: string }>('SELECT id, name FROM organizations WHERE name = $1', [name]);
  return r.rows[0];
}

/** The organization of that name, created when it does not exist yet. */
export async function ensureOrg(db: Db, name: string): Promise<{ id: string; name: string; created: boolean }> {
  const inserted = await db.query<{ id: string }>('INSERT INTO organizations (name) VALUES ($1) ON CONFLICT (name) DO NOTHING RETURNING id', [name]);
  if (inserted.rows[0]) return { id: inserted.rows[0].id, name, created: true };
  const found = await findOrgByName(db, name);
  if (!found) throw new Error(`organization ${name} vanished while being created`);
  return { ...found, created: false };
}

export interface NewProject {
  name: string;
  siteKey: string;
  allowedOrigins: readonly string[];
  timezone: string;
  retentionDays: number;
  /** `daily` when absent (the column's default). */
  visitorIdMode?: VisitorIdMode;
}

export async function createProject(db: Db, orgId: string, p: NewProject): Promise<Result<ProjectRecord>> {
  try {
    const r = await db.query<ProjectRow>(
      `WITH p AS (INSERT INTO projects (org_id, name, site_key, allowed_origins, timezone, retention_days, visitor_id_mode)
                  VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *)
       SELECT ${PROJECT_COLUMNS} FROM ${PROJECT_FROM.replace('projects p', 'p')}`,
      [orgId, p.name, p.siteKey, p.allowedOrigins, p.timezone, p.retentionDays, p.visitorIdMode ?? 'daily'],
    );
    return ok(toProject(r.rows[0]!));
  } catch (error) {
    if (isUnique(error)) return { ok: false, error: `a project named "${p.name}" already exists in this organization` };
    throw error;
  }
}

/**
 * Changes how a project identifies anonymous visitors, within one organization (null: any,
 * operators' CLI only). Every collector follows within seconds (the projects trigger notifies).
 * Undefined when no such project exists there.
 */
export async function setVisitorIdMode(db: Db, orgId: string | null, projectId: string, mode: VisitorIdMode): Promise<ProjectRecord | undefined> {
  if (!UUID.test(projectId)) return undefined;
  const r = await db.query<ProjectRow>(
    `WITH p AS (UPDATE projects SET visitor_id_mode = $3 WHERE id = $2 AND ($1::uuid IS NULL OR org_id = $1) RETURNING *)
     SELECT ${PROJECT_COLUMNS} FROM ${PROJECT_FROM.replace('projects p', 'p')}`,
    [orgId, projectId, mode],
  );
  return r.rows[0] ? toProject(r.rows[0]) : undefined;
}

/** Projects of one organization, or of all when orgId is null (operators' CLI only). */
export async function listProjects(db: Db, orgId: string | null): Promise<ProjectRecord[]> {
  const r = await db.query<ProjectRow>(`SELECT ${PROJECT_COLUMNS} FROM ${PROJECT_FROM} WHERE $1::uuid IS NULL OR p.org_id = $1 ORDER BY o.name, p.name`, [orgId]);
  return r.rows.map(toProject);
}

/**
 * A project by id or by name, within one organization (or any when orgId is null). A name held
 * by projects of several organizations is refused as ambiguous rather than guessed.
 */
export async function findProject(db: Db, orgId: string | null, idOrName: string): Promise<Result<ProjectRecord>> {
  const byId = UUID.test(idOrName);
  const r = await db.query<ProjectRow>(
    `SELECT ${PROJECT_COLUMNS} FROM ${PROJECT_FROM} WHERE ($1::uuid IS NULL OR p.org_id = $1) AND ${byId ? 'p.id = $2::uuid' : 'p.name = $2'}`,
    [orgId, idOrName],
  );
  if (r.rows.length === 1) return ok(toProject(r.rows[0]!));
  if (r.rows.length === 0) return { ok: false, error: `unknown project "${idOrName}"` };
  return { ok: false, error: `project name "${idOrName}" exists in several organizations (${r.rows.map((x) => x.org_name).join(', ')}): give its id` };
}

// ---- keys ----------------------------------------------------------------------------------

export interface NewKey {
  projectId: string | null;
  keyHash: Buffer;
  hint: string;
  name: string;
  scopes: readonly Scope[];
  rateLimitPerMinute: number | null;
  expiresAt: Date | null;
}

export async function createKey(db: Db, orgId: string, k: NewKey): Promise<KeyRecord> {
  const r = await db.query<KeyRow>(
    `INSERT INTO api_keys (org_id, project_id, key_hash, hint, name, scopes, rate_limit_per_minute, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${KEY_COLUMNS}`,
    [orgId, k.projectId, k.keyHash, k.hint, k.name, k.scopes, k.rateLimitPerMinute, k.expiresAt],
  );
  return toKey(r.rows[0]!);
}

/** Keys of an organization (null: all, operators' CLI only), optionally of one project; newest first. */
export async function listKeys(db: Db, orgId: string | null, projectId?: string): Promise<KeyRecord[]> {
  const r = await db.query<KeyRow>(
    `SELECT ${KEY_COLUMNS} FROM api_keys WHERE ($1::uuid IS NULL OR org_id = $1) AND ($2::uuid IS NULL OR project_id = $2) ORDER BY created_at DESC, id`,
    [orgId, projectId ?? null],
  );
  return r.rows.map(toKey);
}

/**
 * Revokes a key of the organization (null: any, operators' CLI only); revoking twice keeps the
 * first time. Undefined when no such key exists there.
 */
export async function revokeKey(db: Db, orgId: string | null, keyId: string): Promise<KeyRecord | undefined> {
  if (!UUID.test(keyId)) return undefined;
  const r = await db.query<KeyRow>(
    `UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $2 AND ($1::uuid IS NULL OR org_id = $1) RETURNING ${KEY_COLUMNS}`,
    [orgId, keyId],
  );
  return r.rows[0] ? toKey(r.rows[0]) : undefined;
}

/** One key of the organization, or undefined. */
export async function findKey(db: Db, orgId: string | null, keyId: string): Promise<KeyRecord | undefined> {
  if (!UUID.test(keyId)) return undefined;
  const r = await db.query<KeyRow>(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE id = $2 AND ($1::uuid IS NULL OR org_id = $1)`, [orgId, keyId]);
  return r.rows[0] ? toKey(r.rows[0]) : undefined;
}
