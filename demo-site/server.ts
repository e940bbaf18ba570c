// Entry point: `npx tsx demo-site/server.ts`. Builds analytics.js when no bundle exists yet,
// serves the demo pages on DEMO_PORT (8080) and stops cleanly on SIGTERM/SIGINT.
import { access, readFile } from 'node:fs/promises';
import { createLogger } from '../lib/logger.ts';
import { BUNDLE_PATH, buildTracker } from '../tracker/build.ts';
import { buildDemoApp } from './app.ts';
import { loadDemoConfig } from './config.ts';

const config = loadDemoConfig();
const logger = createLogger('demo-site', config.logLevel);

async function trackerCode(): Promise<string> {
  try {
    await access(BUNDLE_PATH);
  } catch {
    const bundle = await buildTracker();
    logger.info({ path: BUNDLE_PATH, bytes: bundle.bytes, gzipBytes: bundle.gzipBytes }, 'built analytics.js');
  }
  return readFile(BUNDLE_PATH, 'utf8');
}

const app = await buildDemoApp({ config, logger, trackerCode: await trackerCode() });
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'shutting down');
    void app.close().then(() => process.exit(0));
  });
}
await app.listen({ port: config.demoPort, host: config.demoHost });
