// LISTEN for the loader's commits (lib/stored-notice.ts) on a connection of its own, reconnecting
// after a lost connection. A notice missed while disconnected is covered by the next one: each is a
// watermark for its partition.
import pg from 'pg';
import type { Logger } from '../../../lib/logger.ts';
import { parseStoredNotice, STORED_CHANNEL, type StoredNotice } from '../../../lib/stored-notice.ts';

export interface StoredListener {
  /** Resolves once LISTEN is in effect. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export function listenForStored(databaseUrl: string, onNotice: (notice: StoredNotice) => void, logger: Logger, retryMs = 1000): StoredListener {
  const log = logger.child({ component: 'stored-listener' });
  let client: pg.Client | undefined;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let listening!: () => void;
  const first = new Promise<void>((resolve) => (listening = resolve));

  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
    const retry = (error: unknown) => {
      if (closed || client !== c) return;
      client = undefined;
      log.warn({ err: error }, 'stored notices: connection lost, reconnecting');
      void c.end().catch(() => undefined);
      timer = setTimeout(() => void connect(), retryMs);
    };
    client = c;
    c.on('error', retry);
    c.on('end', () => retry(new Error('connection ended')));
    c.on('notification', (n) => {
      if (n.channel !== STORED_CHANNEL) return;
      const notice = parseStoredNotice(n.payload);
      if (notice !== undefined) onNotice(notice);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${STORED_CHANNEL}`);
      listening();
    } catch (error) {
      retry(error);
    }
  };
  void connect();
  return {
    ready: () => first,
    async close() {
      closed = true;
      clearTimeout(timer);
      await client?.end().catch(() => undefined);
    },
  };
}
