// Tenancy settings every service (and the CLI) reads from the environment through lib/config.ts.
// The defaults are for local use only; a deployment sets its own secrets.
import { Type } from '@sinclair/typebox';

export const DEFAULT_DATABASE_URL = 'postgres://analytics:analytics@127.0.0.1:5432/analytics';

export const TenancySettings = {
  databaseUrl: Type.String({ minLength: 1, default: DEFAULT_DATABASE_URL }),
  /**
   * The HMAC key of stored API key hashes (API_KEY_PEPPER). Changing it invalidates every key.
   * Keep it out of the database, so a leaked table alone cannot confirm a key.
   */
  apiKeyPepper: Type.String({ minLength: 16, default: 'local-development-pepper' }),
  /** Signs analysts' access tokens (HS256), from JWT_SECRET; at least 32 characters. */
  jwtSecret: Type.String({ minLength: 32, default: 'local-development-jwt-signing-key-0123456789' }),
  /**
   * How long (s) a signed-in analyst's access token is valid (ACCESS_TOKEN_TTL_SECONDS): the
   * bound on how long one stays usable after its refresh token was revoked. 15 minutes by default.
   */
  accessTokenTtlSeconds: Type.Integer({ minimum: 1, maximum: 86_400, default: 900 }),
  /** How often (ms) every process reloads projects and keys even without a notification. */
  tenancyReloadIntervalMs: Type.Integer({ minimum: 100, maximum: 5000, default: 2000 }),
};
