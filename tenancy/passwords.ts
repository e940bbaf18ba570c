// Analysts' passwords: argon2id (the kept `argon2` package, prebuilt binaries) with its default
// cost (64 MiB, 3 passes): people choose guessable passwords, so a slow, memory-hard hash is what
// protects them if the table leaks. Keys are random and use HMAC instead (see keys.ts).
import argon2 from 'argon2';
import { ok, type Result } from '../lib/result.ts';

export const MIN_PASSPHRASE_CHARS = 10;
const MAX_PASSPHRASE_CHARS = 1024;

export function checkPassword(password: string): Result<string> {
  if (password.length < MIN_PASSPHRASE_CHARS) return { ok: false, error: `password too short: at least ${MIN_PASSPHRASE_CHARS} characters` };
  if (password.length > MAX_PASSPHRASE_CHARS) return { ok: false, error: `password too long: at most ${MAX_PASSPHRASE_CHARS} characters` };
  return ok(password);
}

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

/** False for a wrong password and for a hash that is not argon2 (never throws for those). */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  if (password.length > MAX_PASSPHRASE_CHARS) return false;
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}
