// The tenancy directory every service opens: projects and live keys held in memory, so a key is
// verified without a database round trip. It reloads on `NOTIFY tenancy_changed` (sent by the
// triggers of migration 009) and every reloadIntervalMs as a safety net, so a revocation reaches
// every process within seconds even if a notification is lost. While PostgreSQL is down it keeps
// serving the last snapshot and reconnects by itself.
import pg from 'pg';
import type { Logger } from '../lib/logger.ts';
import { indexSnapshot, type KeyIndex } from './key-index.ts';
import type { Principal, TenancyDirectory } from './model.ts';
import { loadSnapshot, touchKeys } from './pg-store.ts';

export interface TenancyDirectoryOptions {
  databaseUrl: string;
  /** The HMAC key of stored key hashes (API_KEY_PEPPER). */
  pepper: string;
  logger: Logger;
  /** Full reload period (ms), the bound on how late a missed notification is noticed; default 2000. */
  reloadIntervalMs?: number;
  /** How often used keys' last_used_at is written (ms); each key at most once a minute; default 10000. */
  touchFlushMs?: number;
  /** Wait before reconnecting the notification listener (ms); default 1000. */
  reconnectDelayMs?: number;
}

export interface OpenTenancyDirectory extends TenancyDirectory {
  /** Resolves once the first snapshot is loaded (retrying while PostgreSQL is unreachable). */
  ready(): Promise<void>;
  /** Loads a fresh snapshot now (e.g. right after this process changed a key). */
  reload(): Promise<void>;
  /** Writes pending last_used_at updates and closes every connection. */
  close(): Promise<void>;
}

const TOUCH_EVERY_MS = 60_000;
export const TENANCY_CHANNEL = 'tenancy_changed';

export function openTenancyDirectory(options: TenancyDirectoryOptions): OpenTenancyDirectory {
  const { databaseUrl, pepper, logger } = options;
  const reloadIntervalMs = options.reloadIntervalMs ?? 2000;
  const reconnectDelayMs = options.reconnectDelayMs ?? 1000;
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2, connectionTimeoutMillis: 2000, idleTimeoutMillis: 30_000 });
  // An idle pooled connection dropped by the server must not crash the process.
  pool.on('error', (error) => logger.debug({ err: error }, 'tenancy pool connection lost'));

  const lastTouched = new Map<string, number>();
  const pendingTouch = new Set<string>();
  const onUse = (principal: Principal) => {
    const now = Date.now();
    if (now - (lastTouched.get(principal.keyId) ?? 0) < TOUCH_EVERY_MS) return;
    lastTouched.set(principal.keyId, now);
    pendingTouch.add(principal.keyId);
  };

  let index: KeyIndex = indexSnapshot({ projects: [], keys: [] }, pepper);
  let closed = false;
  let failing = false;
  let markReady!: () => void;
  const readyPromise = new Promise<void>((resolve) => (markReady = resolve));

  let running: Promise<void> | undefined;
  let again = false;
  const loadOnce = async () => {
    try {
      const snapshot = await loadSnapshot(pool);
      index = indexSnapshot(snapshot, pepper, Date.now, onUse);
      if (failing) logger.info(index.size, 'tenancy snapshot loaded again');
      failing = false;
      markReady();
    } catch (error) {
      if (!failing) logger.warn({ err: error }, 'tenancy snapshot reload failed; serving the last one');
      failing = true;
    }
  };
  // One load at a time; a request during a load runs one more after it (it may have missed the change).
  const reload = (): Promise<void> => {
    if (closed) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await loadOnce();
      } while (again && !closed);
      running = undefined;
    })();
    return running;
  };

  let listener: pg.Client | undefined;
  let reconnectTimer: NodeJS.Timeout | undefined;
  const listen = async () => {
    if (closed) return;
    const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 2000 });
    listener = client;
    let lost = false;
    const onLost = (error?: Error) => {
      if (lost || closed) return;
      lost = true;
      logger.debug({ err: error }, 'tenancy listener lost; reconnecting');
      client.end().catch(() => undefined);
      reconnectTimer = setTimeout(() => void listen(), reconnectDelayMs);
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', () => void reload());
    try {
      await client.connect();
      await client.query(`LISTEN ${TENANCY_CHANNEL}`);
      // Changes made while not listening were never notified here.
      await reload();
    } catch (error) {
      onLost(error as Error);
    }
  };

  void listen();
  void reload();
  const reloadTimer = setInterval(() => void reload(), reloadIntervalMs);
  reloadTimer.unref();
  const flushTouches = async () => {
    if (pendingTouch.size === 0) return;
    const ids = [...pendingTouch];
    pendingTouch.clear();
    try {
      await touchKeys(pool, ids);
    } catch (error) {
      logger.debug({ err: error }, 'last_used_at not written; retrying later');
      for (const id of ids) pendingTouch.add(id);
    }
  };
  const touchTimer = setInterval(() => void flushTouches(), options.touchFlushMs ?? 10_000);
  touchTimer.unref();

  return {
    verifyKey: (rawKey) => index.verifyKey(rawKey),
    keyById: (keyId) => index.keyById(keyId),
    projectBySiteKey: (siteKey) => index.projectBySiteKey(siteKey),
    project: (id) => index.project(id),
    canAccess: (principal, projectId) => index.canAccess(principal, projectId),
    ready: () => readyPromise,
    reload,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(reloadTimer);
      clearInterval(touchTimer);
      clearTimeout(reconnectTimer);
      await running;
      await flushTouches();
      await listener?.end().catch(() => undefined);
      await pool.end();
    },
  };
}
