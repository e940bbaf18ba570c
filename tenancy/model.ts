// The tenancy model every service shares: organizations own projects; secret API keys act for
// one project or a whole organization with a set of scopes. Isolation is enforced in code (not
// row-level security, which TimescaleDB refuses together with compression and continuous
// aggregates): every query function takes the project first.
import type { VisitorIdMode } from '#contract';

export const SCOPES = ['ingest', 'read', 'live', 'admin'] as const;
/** What a key may do: `ingest` events, `read` the query API, follow `live` streams, `admin` projects and keys. */
export type Scope = (typeof SCOPES)[number];

/** Public site keys (sent by the browser tracker as `site_id`) start with this; not a secret. */
export const SITE_KEY_PREFIX = 'pk_';
/** Secret API keys (sent as `X-API-Key` or `Authorization: Bearer`) start with this. */
export const SERVER_KEY_PREFIX = 'sk_';

export interface Project {
  /** UUID; `DEFAULT_PROJECT_ID` from the contract for the default project. */
  id: string;
  orgId: string;
  /** Unique within its organization. */
  name: string;
  /** `pk_…`: resolves browser events to this project. */
  siteKey: string;
  /** Browser origins (`https://shop.example`) allowed to send events with this site key. */
  allowedOrigins: readonly string[];
  /** IANA zone for reports, e.g. `Europe/Berlin`. */
  timezone: string;
  /** Days events are kept; also how far back server-side events may be backfilled. */
  retentionDays: number;
  /**
   * How anonymous visitors are identified (docs/metrics.md § Visitor): `daily` (hash with a salt
   * of the UTC day, the default), `monthly` (of the UTC month) or `anonymous_id` (the tracker's
   * persistent id when sent, else the daily hash).
   */
  visitorIdMode: VisitorIdMode;
}

/** Who a verified secret key acts for. */
export interface Principal {
  keyId: string;
  orgId: string;
  /** The one project the key is scoped to, or null for an organization-wide key. */
  projectId: string | null;
  scopes: readonly Scope[];
  /** Requests per minute allowed for this key, or null for the service default. */
  rateLimitPerMinute: number | null;
}

/**
 * The in-memory view of projects and keys each service keeps (loaded from PostgreSQL, refreshed on
 * change notifications within seconds). Lookups are synchronous and cost microseconds: no
 * database round trip per request.
 */
export interface TenancyDirectory {
  /** The principal of a raw `sk_…` key, or undefined when unknown, revoked or expired. */
  verifyKey(rawKey: string): Principal | undefined;
  /**
   * The principal of a key by its id while the key is live (not revoked, not expired), else
   * undefined: credentials derived from a key (live stream tokens) end with it.
   */
  keyById(keyId: string): Principal | undefined;
  /** The project of a public `pk_…` site key, or undefined. */
  projectBySiteKey(siteKey: string): Project | undefined;
  /** A project by id, or undefined. */
  project(id: string): Project | undefined;
  /** True when the principal may act on the project (its own project, or any project of its organization). */
  canAccess(principal: Principal, projectId: string): boolean;
}
