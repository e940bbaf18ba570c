// Key material: secret keys are 256 random bits, so a keyed hash (HMAC-SHA256 with a server
// pepper) is enough to store them; a slow KDF (scrypt, argon2) protects guessable passwords and
// would cost tens of milliseconds on every request for no gain here.
import { createHmac, randomBytes } from 'node:crypto';
import { SERVER_KEY_PREFIX, SITE_KEY_PREFIX } from './model.ts';

/** Longest raw key worth hashing; anything longer is refused before any work. */
export const MAX_RAW_KEY_LENGTH = 128;
const SK_SHAPE = /^sk_[A-Za-z0-9_-]{43}$/;

/** A new secret key: `sk_` + 32 random bytes, base64url (46 characters). */
export function generateSecretKey(): string {
  return SERVER_KEY_PREFIX + randomBytes(32).toString('base64url');
}

/** A new public site key: `pk_` + 16 random bytes, base64url (25 characters). */
export function generateSiteKey(): string {
  return SITE_KEY_PREFIX + randomBytes(16).toString('base64url');
}

/** True when the text has the shape of a secret key (checked before hashing anything). */
export function looksLikeSecretKey(raw: string): boolean {
  return raw.length <= MAX_RAW_KEY_LENGTH && SK_SHAPE.test(raw);
}

/** HMAC-SHA256(pepper, raw key): 32 bytes, what api_keys.key_hash stores. */
export function hashKey(pepper: string, rawKey: string): Buffer {
  return createHmac('sha256', pepper).update(rawKey).digest();
}

/** What lists show instead of the key: `sk_…` and its last 4 characters. */
export function keyHint(rawKey: string): string {
  return `${rawKey.slice(0, 3)}…${rawKey.slice(-4)}`;
}
