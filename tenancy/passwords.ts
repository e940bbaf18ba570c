// Analysts' passwords: argon2id (the kept `argon2` package, prebuilt binaries) with its default
// cost (64 MiB, 3 passes): people choose guessable passwords, so a slow, memory-hard hash is what
// protects them if the table leaks. Keys are random and use HMAC instead (see keys.ts).
import argon2 from 'argon2';
import { ok, type Result } from '../lib/result.ts';

export const MIN_PASSWORD_LENGTH = 10;
const MAX_PASSWORD_LENGTH = 1024;

export function checkPassword(password: string): Result<string> {
  if (password.length < MIN_PASSWORD_LENGTH) return { ok: false, error: `password too short: at least ${MIN_PASSWORD_LENGTH} characters` };
  if (password.length > MAX_PASSWORD_LENGTH) return { ok: false, error: `password too long: at most ${MAX_PASSWORD_LENGTH} characters` };
  return ok(password);
}

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

/** False for a wrong password and for a hash that is not argon2 (never throws for those). */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  if (password.length > MAX_PASSWORD_LENGTH) return false;
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}
