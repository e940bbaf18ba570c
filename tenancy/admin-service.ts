// The admin use cases behind /api/v1/admin (the CLI's operations, scoped to the caller): each
// takes the caller first and answers only within its grants. Anything outside them is "not
// found", never a hint that another tenant's project or key exists.
import type pg from 'pg';
import { ok, type Result } from '../lib/result.ts';
import { callerCan, orgsWithScope, type Caller } from './access.ts';
import { generateSecretKey, generateSiteKey, hashKey, keyHint } from './keys.ts';
import type { VisitorIdMode } from '#contract';
import type { Scope } from './model.ts';
import * as store from './pg-store.ts';
import type { KeyRecord, ProjectRecord } from './records.ts';
import { fieldProblem } from './field-problem.ts';
import { parseTimeZone } from '../lib/time-zone.ts';
import { parseOrigin, parseScopes } from './validate.ts';

export interface Refusal {
  status: 400 | 403 | 404 | 409;
  error: 'insufficient_scope' | 'not_found' | 'invalid_field' | 'conflict';
  message: string;
  field?: string;
}
export type AdminOutcome<T> = Result<T, Refusal>;

// The message never repeats an id: the same answer whether it exists elsewhere or not at all.
const notFound = (what: 'project' | 'key' | 'organization'): Refusal => ({ status: 404, error: 'not_found', message: `no such ${what} for these credentials` });

/** The organization a new project or org-wide key goes to: the one named, else the caller's only one. */
function targetOrg(caller: Caller, orgId: string | undefined, what: string): AdminOutcome<string> {
  const orgs = orgsWithScope(caller, 'admin');
  if (orgs.length === 0) {
    return { ok: false, status: 403, error: 'insufficient_scope', message: `creating ${what} needs an organization-wide admin key or an organization admin's sign-in` };
  }
  if (orgId !== undefined) return orgs.includes(orgId) ? ok(orgId) : { ok: false, ...notFound('organization') };
  if (orgs.length > 1) return { ok: false, ...fieldProblem('/org_id', 'you administer several organizations: name one in org_id') };
  return ok(orgs[0]!);
}

/** Organizations where the caller holds admin on anything (a whole org or one project of it). */
const adminOrgIds = (caller: Caller) => [...new Set(caller.grants.filter((g) => g.scopes.includes('admin')).map((g) => g.orgId))];

export async function listProjectsFor(db: pg.Pool, caller: Caller): Promise<ProjectRecord[]> {
  const lists = await Promise.all(adminOrgIds(caller).map((orgId) => store.listProjects(db, orgId)));
  return lists.flat().filter((p) => callerCan(caller, 'admin', p));
}

export async function getProjectFor(db: pg.Pool, caller: Caller, projectId: string): Promise<AdminOutcome<ProjectRecord>> {
  const found = await store.findProject(db, null, projectId);
  return found.ok && callerCan(caller, 'admin', found.value) ? found : { ok: false, ...notFound('project') };
}

export interface ProjectInput {
  name: string;
  org_id?: string;
  allowed_origins?: string[];
  timezone?: string;
  retention_days?: number;
  visitor_id_mode?: VisitorIdMode;
}

export async function createProjectFor(db: pg.Pool, caller: Caller, input: ProjectInput): Promise<AdminOutcome<ProjectRecord>> {
  const orgId = targetOrg(caller, input.org_id, 'projects');
  if (!orgId.ok) return orgId;
  const origins: string[] = [];
  for (const [i, o] of (input.allowed_origins ?? []).entries()) {
    const parsed = parseOrigin(o);
    if (!parsed.ok) return { ok: false, ...fieldProblem(`/allowed_origins/${i}`, parsed.error) };
    origins.push(parsed.value);
  }
  const zone = parseTimeZone(input.timezone ?? 'UTC');
  if (!zone.ok) return { ok: false, ...fieldProblem('/timezone', zone.error) };
  const created = await store.createProject(db, orgId.value, {
    name: input.name,
    siteKey: generateSiteKey(),
    allowedOrigins: [...new Set(origins)],
    timezone: zone.value,
    retentionDays: input.retention_days ?? 90,
    visitorIdMode: input.visitor_id_mode ?? 'daily',
  });
  return created.ok ? created : { ok: false, ...fieldProblem('/name', created.error, 409, 'conflict') };
}

/** Changes a project's visitor_id_mode (the body schema admits only valid modes); not found outside the caller's grants. */
export async function updateProjectFor(db: pg.Pool, caller: Caller, projectId: string, changes: { visitor_id_mode: VisitorIdMode }): Promise<AdminOutcome<ProjectRecord>> {
  const project = await getProjectFor(db, caller, projectId);
  if (!project.ok) return project;
  const updated = await store.setVisitorIdMode(db, project.value.orgId, project.value.id, changes.visitor_id_mode);
  return updated ? ok(updated) : { ok: false, ...notFound('project') };
}

export async function listKeysFor(db: pg.Pool, caller: Caller, projectId?: string): Promise<AdminOutcome<KeyRecord[]>> {
  if (projectId !== undefined) {
    const project = await getProjectFor(db, caller, projectId);
    return project.ok ? ok(await store.listKeys(db, project.value.orgId, project.value.id)) : project;
  }
  const lists = await Promise.all(
    caller.grants.filter((g) => g.scopes.includes('admin')).map((g) => store.listKeys(db, g.orgId, g.projectId ?? undefined)),
  );
  const byId = new Map(lists.flat().map((k) => [k.id, k]));
  return ok([...byId.values()].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime()));
}

export interface KeyInput {
  project_id?: string | null;
  org_id?: string;
  scopes: Scope[];
  name?: string;
  expires_in_days?: number;
  rate_limit_per_minute?: number;
}

/** Creates a key; the raw key is in the answer and nowhere else. */
export async function createKeyFor(db: pg.Pool, pepper: string, caller: Caller, input: KeyInput, now = new Date()): Promise<AdminOutcome<KeyRecord & { key: string }>> {
  const scopes = parseScopes(input.scopes);
  if (!scopes.ok) return { ok: false, ...fieldProblem('/scopes', scopes.error) };
  let orgId: string;
  let projectId: string | null = null;
  if (input.project_id !== undefined && input.project_id !== null) {
    const project = await getProjectFor(db, caller, input.project_id);
    if (!project.ok) return project;
    orgId = project.value.orgId;
    projectId = project.value.id;
  } else {
    const org = targetOrg(caller, input.org_id, 'organization-wide keys');
    if (!org.ok) return org;
    orgId = org.value;
  }
  const raw = generateSecretKey();
  const record = await store.createKey(db, orgId, {
    projectId,
    keyHash: hashKey(pepper, raw),
    hint: keyHint(raw),
    name: input.name ?? '',
    scopes: scopes.value,
    rateLimitPerMinute: input.rate_limit_per_minute ?? null,
    expiresAt: input.expires_in_days === undefined ? null : new Date(now.getTime() + input.expires_in_days * 86_400_000),
  });
  return ok({ key: raw, ...record });
}

export async function revokeKeyFor(db: pg.Pool, caller: Caller, keyId: string): Promise<AdminOutcome<KeyRecord>> {
  const key = await store.findKey(db, null, keyId);
  const allowed =
    key !== undefined &&
    (key.projectId === null ? orgsWithScope(caller, 'admin').includes(key.orgId) : callerCan(caller, 'admin', { id: key.projectId, orgId: key.orgId }));
  if (!allowed) return { ok: false, ...notFound('key') };
  const revoked = await store.revokeKey(db, key.orgId, keyId);
  return revoked ? ok(revoked) : { ok: false, ...notFound('key') };
}
