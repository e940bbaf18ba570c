// Entry point: `npx tsx demo-site/server.ts`. Builds analytics.js when no bundle exists yet,
// serves the demo pages on DEMO_PORT (8080) and stops cleanly on SIGTERM/SIGINT (lib/service.ts).
import { access, readFile } from 'node:fs/promises';
import type { Logger } from '../lib/logger.ts';
import { runService } from '../lib/service.ts';
import { BUNDLE_PATH, buildTracker } from '../tracker/build.ts';
import { buildDemoApp } from './app.ts';
import { DemoConfigSchema } from './config.ts';

async function trackerCode(logger: Logger): Promise<string> {
  try {
    await access(BUNDLE_PATH);
  } catch {
    const bundle = await buildTracker();
    logger.info({ path: BUNDLE_PATH, bytes: bundle.bytes, gzipBytes: bundle.gzipBytes }, 'built analytics.js');
  }
  return readFile(BUNDLE_PATH, 'utf8');
}

await runService({
  name: 'demo-site',
  config: DemoConfigSchema,
  async start({ config, logger }) {
    const app = await buildDemoApp({ config, logger, trackerCode: await trackerCode(logger) });
    await app.listen({ port: config.demoPort, host: config.demoHost });
    return { close: () => app.close() };
  },
});
