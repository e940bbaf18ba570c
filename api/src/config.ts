// The query API's configuration: read once at boot from the environment (lib/config.ts), each key
// from its UPPER_SNAKE_CASE variable, e.g. `apiPort` from API_PORT.
import { Type, type Static } from '@sinclair/typebox';
import { LogLevelSetting, shutdownTimeoutSetting } from '../../lib/config.ts';
import { TenancySettings } from '../../tenancy/settings.ts';
import { LiveSettings } from './live/live-settings.ts';

/** The reports' own login: a member of analytics_reader (migration 015). */
export const QUERY_ROLE = 'analytics_api';

/** A funnel's statements run at once (queryParts): the cores of the machines this project is sized for. */
export const QUERY_PARTS_DEFAULT = 2;

export const ApiConfigSchema = Type.Object({
  /** DATABASE_URL (projects, keys, sign-in: written by the tenancy routes), API_KEY_PEPPER, JWT_SECRET. */
  ...TenancySettings,
  apiPort: Type.Integer({ minimum: 0, maximum: 65535, default: 3002 }),
  apiHost: Type.String({ minLength: 1, default: '0.0.0.0' }),
  /**
   * The connection every report runs on (QUERY_DATABASE_URL). Default: DATABASE_URL's server and
   * database as the login analytics_api with API_DB_PASSWORD. That role can SELECT the event tables
   * and nothing else (migration 015), so no query of this service can change data.
   */
  queryDatabaseUrl: Type.Optional(Type.String({ minLength: 1 })),
  /** analytics_api's password; a local default (scripts/postgres.sh and docker/postgres/11-api-role.sh set it from the same variable). */
  apiDbPassword: Type.String({ minLength: 1, default: 'analytics_api' }),
  /** Report connections; each request holds one for its queries. */
  queryPoolMax: Type.Integer({ minimum: 1, maximum: 100, default: 8 }),
  /**
   * A funnel's units are split by a hash into this many statements, run at once on their own
   * connections (api/src/query/funnel-sql.ts): PostgreSQL sorts, windows and groups a statement in
   * one process. Set it to the database server's cores; 1 runs one statement (which may then use
   * PostgreSQL's parallel workers for its reads).
   */
  queryParts: Type.Integer({ minimum: 1, maximum: 16, default: QUERY_PARTS_DEFAULT }),
  /** A report running longer is cancelled (PostgreSQL statement_timeout) and answered 503. */
  queryTimeoutMs: Type.Integer({ minimum: 100, default: 15_000 }),
  ...LiveSettings,
  shutdownTimeoutMs: shutdownTimeoutSetting(10_000),
  logLevel: LogLevelSetting,
});
export type ApiConfig = Static<typeof ApiConfigSchema>;

/** The reports' connection string: QUERY_DATABASE_URL, or DATABASE_URL as the read-only login. */
export function queryDatabaseUrl(config: Pick<ApiConfig, 'queryDatabaseUrl' | 'databaseUrl' | 'apiDbPassword'>): string {
  if (config.queryDatabaseUrl !== undefined) return config.queryDatabaseUrl;
  const url = new URL(config.databaseUrl);
  url.username = QUERY_ROLE;
  url.password = config.apiDbPassword;
  return url.toString();
}
