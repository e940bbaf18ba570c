// The tenancy CLI's commands (`npm run -s projects|keys|users -- …`), apart from process I/O so
// tests call them directly. Each returns the JSON its last output line prints, or a one-line error.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type pg from 'pg';
import { ok, type Result } from '../lib/result.ts';
import { generateSecretKey, generateSiteKey, hashKey, keyHint } from './keys.ts';
import { checkPassword, hashPassword } from './passwords.ts';
import * as store from './pg-store.ts';
import { keyJson, projectJson } from './records.ts';
import { ROLES, createUser, setMembership, type Role } from './user-store.ts';
import { parseDuration, parseName, parseOrigin, parseRateLimit, parseRetentionDays, parseScopes, parseVisitorIdMode } from './validate.ts';
import { parseTimeZone } from '../lib/time-zone.ts';

export interface CliDeps {
  db: pg.Pool;
  pepper: string;
  now?: () => Date;
}

/** What a command prints: an optional line for people, then the JSON line. */
export interface CliOutput {
  note?: string;
  json: unknown;
}

type Outcome = Result<CliOutput>;
const fail = (error: string): Outcome => ({ ok: false, error });
/** A flag's value checked: its refusal reads "--<flag>: <reason>", as every refusal naming a field does. */
const flag = <T>(name: string, checked: Result<T>): Result<T> => (checked.ok ? checked : { ok: false, error: `--${name}: ${checked.error}` });

export const USAGE = {
  projects:
    'projects -- create <name> [--if-missing] [--origin URL]... [--timezone Zone] [--retention-days N] [--visitor-id-mode daily|monthly|anonymous_id] [--org name] | set <id or name> --visitor-id-mode daily|monthly|anonymous_id [--org name] | list [--org name]',
  keys: 'keys -- create (--project <id or name> | --org <name>) --scopes ingest,read,live,admin [--name N] [--expires-in 30d] [--rate-limit N] | list [--project <id or name>] [--org name] | revoke <id>',
  users: 'users -- create --email E --password P --org <name> --role admin|viewer',
} as const;
export type CliCommand = keyof typeof USAGE;

function parse(args: string[], options: NonNullable<ParseArgsConfig['options']>): Result<{ values: Record<string, unknown>; positionals: string[] }> {
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    return ok({ values: values as Record<string, unknown>, positionals });
  } catch (error) {
    return { ok: false, error: (error as Error).message.split('\n')[0]! };
  }
}

export async function runCli(command: CliCommand, argv: string[], deps: CliDeps): Promise<Outcome> {
  const [action, ...rest] = argv;
  const run = { projects, keys, users }[command];
  if (action === undefined || action === '--help' || action === 'help') return fail(`usage: npm run -s ${USAGE[command]}`);
  return run(action, rest, deps);
}

async function orgOf(db: pg.Pool, name: string | undefined): Promise<Result<{ id: string; name: string } | null>> {
  if (name === undefined) return ok(null);
  const org = await store.findOrgByName(db, name);
  // Organizations are made by their first project, not by keys or users: say so.
  return org ? ok(org) : { ok: false, error: `unknown organization "${name}": an organization is made with its first project (npm run -s projects -- create <name> --org ${name})` };
}

async function projects(action: string, argv: string[], { db }: CliDeps): Promise<Outcome> {
  if (action === 'list') {
    const p = parse(argv, { org: { type: 'string' } });
    if (!p.ok) return p;
    const org = await orgOf(db, p.value.values.org as string | undefined);
    if (!org.ok) return org;
    return ok({ json: { projects: (await store.listProjects(db, org.value?.id ?? null)).map(projectJson) } });
  }
  if (action === 'set') return setProject(argv, db);
  if (action !== 'create') return fail(`unknown action "${action}": usage: npm run -s ${USAGE.projects}`);
  const p = parse(argv, {
    origin: { type: 'string', multiple: true },
    timezone: { type: 'string' },
    'retention-days': { type: 'string' },
    'visitor-id-mode': { type: 'string' },
    org: { type: 'string' },
    'if-missing': { type: 'boolean' },
  });
  if (!p.ok) return p;
  const { values, positionals } = p.value;
  if (positionals.length !== 1) return fail(`give exactly one project name: npm run -s ${USAGE.projects}`);
  const name = parseName('project', positionals[0]!);
  if (!name.ok) return name;
  const orgName = parseName('organization', (values.org as string | undefined) ?? 'default');
  if (!orgName.ok) return orgName;
  const origins: string[] = [];
  for (const o of (values.origin as string[] | undefined) ?? []) {
    const parsed = flag('origin', parseOrigin(o));
    if (!parsed.ok) return parsed;
    origins.push(parsed.value);
  }
  const timezone = flag('timezone', parseTimeZone((values.timezone as string | undefined) ?? 'UTC'));
  if (!timezone.ok) return timezone;
  const retention = flag('retention-days', parseRetentionDays((values['retention-days'] as string | undefined) ?? '90'));
  if (!retention.ok) return retention;
  const mode = flag('visitor-id-mode', parseVisitorIdMode((values['visitor-id-mode'] as string | undefined) ?? 'daily'));
  if (!mode.ok) return mode;
  const org = await store.ensureOrg(db, orgName.value);
  if (values['if-missing'] === true) {
    // A second run of a setup script prints the project it made the first time, unchanged.
    const existing = await store.findProject(db, org.id, name.value);
    if (existing.ok) return ok({ note: `project ${name.value} already exists in organization ${org.name}: unchanged`, json: projectJson(existing.value) });
  }
  const created = await store.createProject(db, org.id, {
    name: name.value,
    siteKey: generateSiteKey(),
    allowedOrigins: [...new Set(origins)],
    timezone: timezone.value,
    retentionDays: retention.value,
    visitorIdMode: mode.value,
  });
  if (!created.ok) return created;
  return ok({
    note: `project ${name.value} created in organization ${org.name}${org.created ? ' (new)' : ''}; the tracker sends its site key as data-site-id`,
    json: projectJson(created.value),
  });
}

// `projects -- set <project> --visitor-id-mode M`: changes a project's settings; collectors follow within seconds.
async function setProject(argv: string[], db: pg.Pool): Promise<Outcome> {
  const p = parse(argv, { 'visitor-id-mode': { type: 'string' }, org: { type: 'string' } });
  if (!p.ok) return p;
  const { values, positionals } = p.value;
  if (positionals.length !== 1) return fail(`give exactly one project (id or name): npm run -s ${USAGE.projects}`);
  if (values['visitor-id-mode'] === undefined) return fail('give a setting to change: --visitor-id-mode daily|monthly|anonymous_id');
  const mode = flag('visitor-id-mode', parseVisitorIdMode(values['visitor-id-mode'] as string));
  if (!mode.ok) return mode;
  const org = await orgOf(db, values.org as string | undefined);
  if (!org.ok) return org;
  const found = await store.findProject(db, org.value?.id ?? null, positionals[0]!);
  if (!found.ok) return found;
  const updated = await store.setVisitorIdMode(db, found.value.orgId, found.value.id, mode.value);
  if (updated === undefined) return fail(`unknown project "${positionals[0]}"`);
  return ok({ note: `project ${updated.name}: visitor id mode ${updated.visitorIdMode}; collectors use it within seconds`, json: projectJson(updated) });
}

async function keys(action: string, argv: string[], { db, pepper, now = () => new Date() }: CliDeps): Promise<Outcome> {
  if (action === 'revoke') {
    const p = parse(argv, {});
    if (!p.ok) return p;
    if (p.value.positionals.length !== 1) return fail(`give the key's id: npm run -s keys -- revoke <id>`);
    const id = p.value.positionals[0]!;
    const revoked = await store.revokeKey(db, null, id);
    return revoked ? ok({ note: 'key revoked: every service refuses it within seconds', json: keyJson(revoked) }) : fail(`unknown key "${id}"`);
  }
  const p = parse(argv, {
    project: { type: 'string' },
    org: { type: 'string' },
    scopes: { type: 'string' },
    name: { type: 'string' },
    'expires-in': { type: 'string' },
    'rate-limit': { type: 'string' },
  });
  if (!p.ok) return p;
  const { values, positionals } = p.value;
  if (positionals.length > 0) return fail(`unexpected argument "${positionals[0]}": usage: npm run -s ${USAGE.keys}`);
  const org = await orgOf(db, values.org as string | undefined);
  if (!org.ok) return org;
  const projectArg = values.project as string | undefined;
  let project: { id: string; orgId: string } | undefined;
  if (projectArg !== undefined) {
    const found = await store.findProject(db, org.value?.id ?? null, projectArg);
    if (!found.ok) return found;
    project = found.value;
  }
  if (action === 'list') {
    return ok({ json: { keys: (await store.listKeys(db, org.value?.id ?? project?.orgId ?? null, project?.id)).map(keyJson) } });
  }
  if (action !== 'create') return fail(`unknown action "${action}": usage: npm run -s ${USAGE.keys}`);
  const orgId = project?.orgId ?? org.value?.id;
  if (orgId === undefined) return fail('give --project <id or name> (a project key) or --org <name> (an organization-wide key)');
  const scopes = flag('scopes', parseScopes((values.scopes as string | undefined) ?? ''));
  if (!scopes.ok) return scopes;
  let expiresAt: Date | null = null;
  if (values['expires-in'] !== undefined) {
    const ms = flag('expires-in', parseDuration(values['expires-in'] as string));
    if (!ms.ok) return ms;
    expiresAt = new Date(now().getTime() + ms.value);
  }
  let rateLimit: number | null = null;
  if (values['rate-limit'] !== undefined) {
    const n = flag('rate-limit', parseRateLimit(values['rate-limit'] as string));
    if (!n.ok) return n;
    rateLimit = n.value;
  }
  const raw = generateSecretKey();
  const record = await store.createKey(db, orgId, {
    projectId: project?.id ?? null,
    keyHash: hashKey(pepper, raw),
    hint: keyHint(raw),
    name: (values.name as string | undefined) ?? '',
    scopes: scopes.value,
    rateLimitPerMinute: rateLimit,
    expiresAt,
  });
  return ok({ note: 'store this key now: it is shown only once (only its hash is kept)', json: { key: raw, ...keyJson(record) } });
}

async function users(action: string, argv: string[], { db }: CliDeps): Promise<Outcome> {
  if (action !== 'create') return fail(`unknown action "${action}": usage: npm run -s ${USAGE.users}`);
  const p = parse(argv, { email: { type: 'string' }, password: { type: 'string' }, org: { type: 'string' }, role: { type: 'string' } });
  if (!p.ok) return p;
  const { email, password, org: orgName, role } = p.value.values as Record<string, string | undefined>;
  if (email === undefined || !/^[^@\s]+@[^@\s]+$/.test(email)) return fail(`--email: invalid email "${email ?? ''}"`);
  const checked = flag('password', checkPassword(password ?? ''));
  if (!checked.ok) return checked;
  if (role === undefined || !(ROLES as readonly string[]).includes(role)) return fail(`--role: invalid role "${role ?? ''}": use admin or viewer`);
  if (orgName === undefined) return fail('give the organization: --org <name>');
  const org = await orgOf(db, orgName);
  if (!org.ok) return org;
  const user = await createUser(db, email, await hashPassword(checked.value));
  await setMembership(db, org.value!.id, user.id, role as Role);
  return ok({
    note: user.created ? `user ${email} created` : `user ${email} already existed (password unchanged); role set`,
    json: { user: user.id, email, org: org.value!.name, org_id: org.value!.id, role, created: user.created },
  });
}
