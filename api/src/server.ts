// Entry point: `npx tsx api/src/server.ts`. Opens the tenancy directory (keys and projects in
// memory), the read-only report pool and the tenancy pool, and serves HTTP; SIGTERM/SIGINT close
// it through lib/service.ts.
import pg from 'pg';
import { runService } from '../../lib/service.ts';
import { openTenancyDirectory } from '../../tenancy/directory.ts';
import { buildApiApp } from './app.ts';
import { ApiConfigSchema, queryDatabaseUrl } from './config.ts';
import { createLiveHub } from './live/create-hub.ts';
import { startKafkaFeed } from './live/kafka-feed.ts';
import { listenForStored } from './live/stored-listener.ts';
import { readDashboard } from './routes/dashboard.ts';
import { openQueryPool } from './query/query-pool.ts';

await runService({
  name: 'api',
  config: ApiConfigSchema,
  async start({ config, logger }) {
    const directory = openTenancyDirectory({ databaseUrl: config.databaseUrl, pepper: config.apiKeyPepper, logger, reloadIntervalMs: config.tenancyReloadIntervalMs });
    // Sign-in and admin routes write (refresh tokens, keys); reports never use this pool.
    const tenancyDb = new pg.Pool({ connectionString: config.databaseUrl, max: 4, connectionTimeoutMillis: 2000 });
    tenancyDb.on('error', (error) => logger.debug({ err: error }, 'tenancy pool connection lost'));
    const queryPool = openQueryPool({ url: queryDatabaseUrl(config), max: config.queryPoolMax, statementTimeoutMs: config.queryTimeoutMs, logger });
    // Live streams: every record of the events topic as Kafka has it, and the loader's commits.
    const live = createLiveHub(config, queryPool, logger, () => new Date());
    const feed = startKafkaFeed(config, (events) => live.publish(events), logger);
    const stored = listenForStored(queryDatabaseUrl(config), (notice) => live.stored(notice), logger);
    const closeAll = async () => {
      await feed.close();
      await stored.close();
      await directory.close();
      await tenancyDb.end();
      await queryPool.end();
    };
    // Keys are verified in memory: until the first snapshot is loaded, keyed requests get 503.
    let directoryLoaded = false;
    void directory.ready().then(() => (directoryLoaded = true));
    const app = await buildApiApp({ config, directory, directoryReady: () => directoryLoaded, tenancyDb, queryPool, logger, live, dashboard: await readDashboard() });
    try {
      await app.listen({ port: config.apiPort, host: config.apiHost });
    } catch (error) {
      await closeAll();
      throw error;
    }
    return {
      async close() {
        await app.close();
        await closeAll();
      },
    };
  },
});
