// The PostgreSQL adapter for analysts' accounts: users, their role per organization and refresh
// tokens. Emails are unique whatever their case and Unicode normal form (users_email_nfc_unique
// on lower(normalize(email, NFC)), migration 028); each is stored as given.
import type pg from 'pg';
import { ok, type Result } from '../lib/result.ts';

type Db = pg.Pool | pg.ClientBase;

export const ROLES = ['admin', 'viewer'] as const;
/** `admin`: manages the organization's projects and keys; `viewer`: reads its data. */
export type Role = (typeof ROLES)[number];

export interface Membership {
  orgId: string;
  orgName: string;
  role: Role;
}

export interface UserRecord {
  id: string;
  email: string;
  passwordHash: string;
  memberships: Membership[];
}

/** Creates the user, or finds the existing one of that email (its password is then left as it is). */
export async function createUser(db: Db, email: string, passwordHash: string): Promise<{ id: string; created: boolean }> {
  const inserted = await db.query<{ id: string }>(
    'INSERT INTO users (email, password_hash) VALUES ($1, $2) ON CONFLICT (lower(normalize(email, NFC))) DO NOTHING RETURNING id',
    [email, passwordHash],
  );
  if (inserted.rows[0]) return { id: inserted.rows[0].id, created: true };
  const found = await db.query<{ id: string }>('SELECT id FROM users WHERE lower(normalize(email, NFC)) = lower(normalize($1, NFC))', [email]);
  return { id: found.rows[0]!.id, created: false };
}

/** Gives the user that role in the organization (replacing a previous role there). */
export async function setMembership(db: Db, orgId: string, userId: string, role: Role): Promise<void> {
  await db.query(
    'INSERT INTO memberships (user_id, org_id, role) VALUES ($1, $2, $3) ON CONFLICT (user_id, org_id) DO UPDATE SET role = EXCLUDED.role',
    [userId, orgId, role],
  );
}

async function membershipsOf(db: Db, userId: string): Promise<Membership[]> {
  const r = await db.query<{ org_id: string; org_name: string; role: Role }>(
    'SELECT m.org_id, o.name AS org_name, m.role FROM memberships m JOIN organizations o ON o.id = m.org_id WHERE m.user_id = $1 ORDER BY o.name',
    [userId],
  );
  return r.rows.map((m) => ({ orgId: m.org_id, orgName: m.org_name, role: m.role }));
}

export async function findUserByEmail(db: Db, email: string): Promise<UserRecord | undefined> {
  const r = await db.query<{ id: string; email: string; password_hash: string }>('SELECT id, email, password_hash FROM users WHERE lower(normalize(email, NFC)) = lower(normalize($1, NFC))', [email]);
  const u = r.rows[0];
  return u ? { id: u.id, email: u.email, passwordHash: u.password_hash, memberships: await membershipsOf(db, u.id) } : undefined;
}

export async function findUserById(db: Db, userId: string): Promise<UserRecord | undefined> {
  const r = await db.query<{ id: string; email: string; password_hash: string }>('SELECT id, email, password_hash FROM users WHERE id = $1', [userId]);
  const u = r.rows[0];
  return u ? { id: u.id, email: u.email, passwordHash: u.password_hash, memberships: await membershipsOf(db, u.id) } : undefined;
}

// ---- refresh tokens ------------------------------------------------------------------------

export async function insertRefreshToken(db: Db, userId: string, tokenHash: Buffer, expiresAt: Date): Promise<void> {
  await db.query('INSERT INTO refresh_tokens (user_id, token_hash, expires_at) VALUES ($1, $2, $3)', [userId, tokenHash, expiresAt]);
}

/**
 * Uses a refresh token once: marks it revoked and returns its user, atomically, so two requests
 * racing with one token cannot both succeed. A used, revoked, expired or unknown token fails.
 */
export async function consumeRefreshToken(db: Db, tokenHash: Buffer): Promise<Result<{ userId: string }>> {
  const r = await db.query<{ user_id: string }>(
    'UPDATE refresh_tokens SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > now() RETURNING user_id',
    [tokenHash],
  );
  return r.rows[0] ? ok({ userId: r.rows[0].user_id }) : { ok: false, error: 'refresh token unknown, expired or already used' };
}

/** Revokes a refresh token (logout); true when it was live. */
export async function revokeRefreshToken(db: Db, tokenHash: Buffer): Promise<boolean> {
  const r = await db.query('UPDATE refresh_tokens SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL', [tokenHash]);
  return (r.rowCount ?? 0) > 0;
}
