// The visitor hash's salts in PostgreSQL (`visitor_salts`), shared by every collector instance.
// Each refresh makes the current and the next day's and month's salts (INSERT … ON CONFLICT DO
// NOTHING, then reads back, so every instance holds the same salt for a period whoever made it),
// keeps them in memory, and deletes the salts of periods that are over, after which no hash can
// be linked to an address again.
//
// The database away: requests are served from memory, and the next period's salt is already
// there, so an outage across midnight changes nothing. Only when no salt of the period could ever
// be loaded (the database away since boot, or for longer than a whole period) does saltFor answer
// undefined; the collector then refuses the events that need the hash with 503 and Retry-After
// (retried by the tracker) rather than invent an identity that would split or merge visitors.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Logger } from '../../../lib/logger.ts';
import { periodIsOver, periodsToKeep, saltPeriod, type VisitorSalts } from './salt-periods.ts';

export interface SaltStoreOptions {
  databaseUrl: string;
  logger: Logger;
  /** How often salts are made ahead, reloaded and pruned (ms). */
  refreshIntervalMs: number;
  /**
   * A period's salt is deleted this long after the period ended (ms), so an instance whose clock
   * runs behind by less never makes a second salt for a period another instance already ended.
   */
  deleteGraceMs?: number;
  /** A failed load is not retried by requests sooner than this (ms), so an outage costs each request no wait. */
  retryDelayMs?: number;
  now?: () => Date;
}

export interface SaltStore extends VisitorSalts {
  /** Makes, loads and prunes now; rejects when the database cannot be reached. */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

export function openSaltStore(options: SaltStoreOptions): SaltStore {
  const { logger } = options;
  const now = options.now ?? (() => new Date());
  const deleteGraceMs = options.deleteGraceMs ?? 5 * 60_000;
  const retryDelayMs = options.retryDelayMs ?? 1000;
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 1, connectionTimeoutMillis: 2000, idleTimeoutMillis: 30_000 });
  pool.on('error', (error) => logger.debug({ err: error }, 'salt store connection lost'));

  let salts = new Map<string, Uint8Array>();
  let running: Promise<void> | undefined;
  let lastFailure = 0;
  let failing = false;

  async function load(): Promise<void> {
    const at = now();
    const periods = periodsToKeep(at);
    await pool.query('INSERT INTO visitor_salts (period, salt) SELECT * FROM unnest($1::text[], $2::bytea[]) ON CONFLICT (period) DO NOTHING', [
      periods,
      periods.map(() => randomBytes(32)),
    ]);
    const { rows } = await pool.query<{ period: string; salt: Buffer }>('SELECT period, salt FROM visitor_salts');
    const pastGrace = new Date(at.getTime() - deleteGraceMs);
    const over = rows.filter((r) => periodIsOver(r.period, pastGrace)).map((r) => r.period);
    if (over.length > 0) await pool.query('DELETE FROM visitor_salts WHERE period = ANY($1::text[])', [over]);
    // Memory holds no salt the database no longer has.
    salts = new Map(rows.filter((r) => !over.includes(r.period)).map((r) => [r.period, r.salt]));
    if (failing) logger.info('visitor salts loaded again');
    failing = false;
  }

  function refresh(): Promise<void> {
    running ??= load()
      .catch((error: unknown) => {
        lastFailure = Date.now();
        const pastGrace = new Date(now().getTime() - deleteGraceMs);
        salts = new Map([...salts].filter(([period]) => !periodIsOver(period, pastGrace)));
        if (!failing) logger.warn({ err: error }, 'visitor salts could not be loaded; serving the ones in memory');
        failing = true;
        throw error;
      })
      .finally(() => (running = undefined));
    return running;
  }

  const timer = setInterval(() => void refresh().catch(() => undefined), options.refreshIntervalMs);
  timer.unref();
  void refresh().catch(() => undefined);

  return {
    refresh,
    async saltFor(mode, at) {
      const period = saltPeriod(mode, at);
      const held = salts.get(period);
      if (held !== undefined) return held;
      // Not loaded yet (boot) or a period not made ahead (clock jump): load once, unless a load
      // just failed, so requests during an outage are answered at once.
      if (running === undefined && Date.now() - lastFailure < retryDelayMs) return undefined;
      await refresh().catch(() => undefined);
      return salts.get(period);
    },
    async close() {
      clearInterval(timer);
      await running?.catch(() => undefined);
      await pool.end();
    },
  };
}
