// The demo site's configuration, read once at boot from the environment (lib/config.ts).
import { Type, type Static } from '@sinclair/typebox';
import { LogLevelSetting, loadConfig, shutdownTimeoutSetting } from '../lib/config.ts';

export const DemoConfigSchema = Type.Object({
  demoPort: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
  demoHost: Type.String({ minLength: 1, default: '0.0.0.0' }),
  /** Collector URL written into the page's script tag; empty: the tracker's default (same host, port 3001). */
  demoCollectorUrl: Type.String({ default: '' }),
  /** Lets automated browsers (navigator.webdriver) be tracked, for the browser tests. */
  demoAllowAutomation: Type.Boolean({ default: false }),
  /** Adds data-anonymous-id: the tracker sends a persistent anonymous id (projects in anonymous_id mode count visitors by it). */
  demoAnonymousId: Type.Boolean({ default: false }),
  shutdownTimeoutMs: shutdownTimeoutSetting(10_000),
  logLevel: LogLevelSetting,
});
export type DemoConfig = Static<typeof DemoConfigSchema>;

export const loadDemoConfig = (env: NodeJS.ProcessEnv = process.env): DemoConfig => loadConfig(DemoConfigSchema, env);
