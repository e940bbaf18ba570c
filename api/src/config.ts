// The query API's configuration: read once at boot from the environment (lib/config.ts), each key
// from its UPPER_SNAKE_CASE variable, e.g. `apiPort` from API_PORT.
import { Type, type Static } from '@sinclair/typebox';
import { LogLevelSetting, shutdownTimeoutSetting } from '../../lib/config.ts';
import { TenancySettings } from '../../tenancy/settings.ts';

/**
 * The reports' own login: a member of analytics_reader (migration 015), which can SELECT the
 * event tables and nothing else, so no query of this service can change data. The password is a
 * local default (scripts/postgres.sh and docker/postgres/11-api-role.sh set it from API_DB_PASSWORD).
 */
export const DEFAULT_QUERY_DATABASE_URL = 'postgres://analytics_api:analytics_api@127.0.0.1:5432/analytics';

export const ApiConfigSchema = Type.Object({
  /** DATABASE_URL (projects, keys, sign-in: written by the tenancy routes), API_KEY_PEPPER, JWT_SECRET. */
  ...TenancySettings,
  apiPort: Type.Integer({ minimum: 0, maximum: 65535, default: 3002 }),
  apiHost: Type.String({ minLength: 1, default: '0.0.0.0' }),
  /** The read-only connection every report runs on (QUERY_DATABASE_URL). */
  queryDatabaseUrl: Type.String({ minLength: 1, default: DEFAULT_QUERY_DATABASE_URL }),
  /** Report connections; each request holds one for its queries. */
  queryPoolMax: Type.Integer({ minimum: 1, maximum: 100, default: 8 }),
  /** A report running longer is cancelled (PostgreSQL statement_timeout) and answered 503. */
  queryTimeoutMs: Type.Integer({ minimum: 100, default: 15_000 }),
  shutdownTimeoutMs: shutdownTimeoutSetting(10_000),
  logLevel: LogLevelSetting,
});
export type ApiConfig = Static<typeof ApiConfigSchema>;
