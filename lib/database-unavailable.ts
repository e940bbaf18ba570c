// Overload and outages of PostgreSQL as an HTTP answer: a 503 with Retry-After, not a 500. The
// request was fine; the server's state is not, and a client should retry. Pure; every service's
// error handler (collector, query API, tenancy routes) asks it first.

/** pg-pool's error when no connection came free within connectionTimeoutMillis (it has no code). */
const POOL_TIMEOUT = 'timeout exceeded when trying to connect';
/**
 * The database refusing connections for now: connection refused, too_many_connections (53300),
 * cannot_connect_now (57P03, starting up or in recovery), admin_shutdown (57P01). PostgreSQL
 * error codes: https://www.postgresql.org/docs/15/errcodes-appendix.html
 */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', '53300', '57P03', '57P01']);

export interface Unavailable {
  status: 503;
  error: 'busy' | 'database_unavailable';
  message: string;
  /** Seconds, for the Retry-After header. */
  retryAfter: number;
}

/** The 503 an error stands for, or undefined when it is not overload or an outage. */
export function databaseUnavailable(error: { message?: unknown; code?: unknown }): Unavailable | undefined {
  if (error.message === POOL_TIMEOUT) return { status: 503, error: 'busy', message: 'every database connection is busy; retry shortly', retryAfter: 2 };
  if (typeof error.code === 'string' && UNAVAILABLE_CODES.has(error.code)) return { status: 503, error: 'database_unavailable', message: 'the database is unavailable; retry shortly', retryAfter: 5 };
  return undefined;
}
