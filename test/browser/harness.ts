// What the browser tests run against, all real: the collector and the pipeline as their own
// processes from the service kit (stoppable, for outages), the demo site in-process serving the
// freshly built analytics.js (the code under test, rebuilt each run), a private
// Kafka topic read back with kafkajs, and Debian's Chromium driven by playwright-core. `hold`
// delays a page's requests on their way to the real service, for tests of slow answers;
// `openDashboard` / `signInDashboard` sign an analyst in to the dashboard.
import type net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium, type Browser, type BrowserContext, type Page, type Request } from 'playwright-core';
import type { Consumer, Kafka } from 'kafkajs';
import type { FastifyInstance } from 'fastify';
import { createLogger } from '../../lib/logger.ts';
import { buildDemoApp } from '../../demo-site/app.ts';
import { loadDemoConfig } from '../../demo-site/config.ts';
import { bundleTracker } from '../../tracker/build.ts';
import { service, waitFor, type Service } from '../support/service-kit.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The collector as its own process (stoppable, for outages), producing to `topic`. */
export function collectorProcess(topic: string): Promise<Service<'collector'>> {
  return service('collector', { env: { kafkaTopic: topic } });
}

/** The pipeline consuming `topic` into the database at `databaseUrl`. */
export function pipelineProcess(topic: string, dlqTopic: string, databaseUrl: string): Promise<Service<'pipeline'>> {
  return service('pipeline', { env: { kafkaTopic: topic, kafkaDlqTopic: dlqTopic, kafkaGroupId: `${topic}-pipeline`, databaseUrl } });
}

export async function startDemo(collectorUrl: string, options: { anonymousId?: boolean } = {}): Promise<{ app: FastifyInstance; origin: string; trackerBytes: number }> {
  const bundle = await bundleTracker();
  const config = { ...loadDemoConfig({}), demoCollectorUrl: collectorUrl, demoAllowAutomation: true, demoAnonymousId: options.anonymousId ?? false };
  const app = await buildDemoApp({ config, logger: createLogger('demo-site-test', 'warn'), trackerCode: bundle.code });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as net.AddressInfo;
  return { app, origin: `http://127.0.0.1:${port}`, trackerBytes: bundle.gzipBytes };
}

export interface Received {
  key: string;
  event: Record<string, unknown> & { event_id: string; event_type: string; session_id: string; page_url: string };
}

/** Reads the whole topic from the beginning into `received`. */
export async function readTopic(kafka: Kafka, topic: string): Promise<{ consumer: Consumer; received: Received[] }> {
  const received: Received[] = [];
  // A consumer group redelivers from its last committed offset after a rebalance (slow machines):
  // a record is counted once per (partition, offset), so a second copy can only be a second record.
  const seen = new Set<string>();
  const consumer = kafka.consumer({ groupId: `${topic}-reader` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  void consumer.run({
    eachMessage: async ({ partition, message }) => {
      const at = `${partition}:${message.offset}`;
      if (seen.has(at)) return;
      seen.add(at);
      received.push({ key: message.key!.toString(), event: JSON.parse(message.value!.toString()) });
    },
  });
  return { consumer, received };
}

const CHROMIUM_OPTIONS = {
  executablePath: CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
};

/**
 * Chromium as Debian ships it, headless, saying it is the same Chromium with a window: the tests
 * play real visitors, and the headless user agent ("HeadlessChrome") is flagged as a bot
 * (docs/metrics.md), which reports leave out. Set for the whole browser (--user-agent), because
 * a per-context override does not reach the beacons a page sends while it unloads. Playwright
 * gives each launch a fresh temporary profile.
 */
export async function launchChromium(): Promise<Browser> {
  const probe = await chromium.launch(CHROMIUM_OPTIONS);
  const major = probe.version().split('.')[0];
  await probe.close();
  const userAgent = `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${major}.0.0.0 Safari/537.36`;
  return chromium.launch({ ...CHROMIUM_OPTIONS, args: [...CHROMIUM_OPTIONS.args, `--user-agent=${userAgent}`] });
}

export interface Held {
  /** URLs of the held requests, in order. */
  urls: string[];
  /** Resolves once `n` requests are held. */
  arrived(n?: number): Promise<unknown>;
  /** Resolves once every held request went on to the API (or was found aborted by the page). */
  released(): Promise<unknown>;
  /** How each held request ended: 'finished', or the failure ('net::ERR_ABORTED' when the page aborted it). */
  outcomes: string[];
}

/**
 * Holds the page's requests to `pattern` (the first `count` of them) for `ms` before they go to the
 * real API: a slow answer, made deterministic. The rest pass at once.
 */
export async function hold(page: Page, pattern: RegExp, ms: number, count = Infinity): Promise<Held> {
  const urls: string[] = [];
  const held: Request[] = [];
  const outcomes: string[] = [];
  const pending: Promise<unknown>[] = [];
  page.on('requestfinished', (r) => held.includes(r) && outcomes.push('finished'));
  page.on('requestfailed', (r) => held.includes(r) && outcomes.push(r.failure()?.errorText ?? 'failed'));
  await page.route(pattern, async (route) => {
    if (urls.length >= count) return route.continue();
    urls.push(route.request().url());
    held.push(route.request());
    const gone = sleep(ms).then(() => route.continue().catch(() => 'the page aborted it'));
    pending.push(gone);
    await gone;
  });
  return {
    urls,
    outcomes,
    arrived: (n = 1) => waitFor('the held requests', () => urls.length, { until: (k) => k >= n, timeoutMs: 10_000, intervalMs: 20 }),
    // Then time for the page to handle the late answer, as it would if it still listened.
    released: async () => {
      await Promise.all(pending);
      await waitFor('the held requests to end', () => outcomes.length, { until: (n) => n >= urls.length, timeoutMs: 10_000, intervalMs: 20 });
      await page.evaluate(() => new Promise((r) => setTimeout(r, 300)));
    },
  };
}

/**
 * Fills and submits the dashboard's sign-in form shown on `dash`, waits for the project picker.
 * Returns when the access token it got expires (ms since the epoch, from its own `exp` claim: whole
 * seconds from when the server signed it, not a guess from here).
 */
export async function signInDashboard(dash: Page, analyst: { email: string; password: string }): Promise<number> {
  await dash.fill('#email', analyst.email);
  await dash.fill('#password', analyst.password);
  const answered = dash.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'));
  await dash.click('#sign-in button[type=submit]');
  const answer = await answered;
  if (answer.status() !== 200) throw new Error(`sign-in answered ${answer.status()}: ${await answer.text()}`);
  const token = ((await answer.json()) as { access_token: string }).access_token;
  const { exp } = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { exp: number };
  await dash.waitForSelector('#project option', { state: 'attached' });
  return exp * 1000;
}

export interface DashboardTab {
  context: BrowserContext;
  dash: Page;
  /** The page's uncaught errors, as they came. */
  errors: string[];
  /** The page's console errors (a failed request is one), as they came. */
  consoleErrors: string[];
  /** When the access token of the sign-in expires (ms since the epoch). */
  expiresAt: number;
}

/** A tab of a new context on the dashboard at `url`, signed in as `analyst`; `beforeSignIn` runs first (to hold requests). */
export async function openDashboard(browser: Browser, url: string, analyst: { email: string; password: string }, beforeSignIn: (page: Page) => Promise<unknown> = async () => {}): Promise<DashboardTab> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const dash = await context.newPage();
  const errors: string[] = [];
  const consoleErrors: string[] = [];
  dash.on('pageerror', (e) => errors.push(e.message));
  dash.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  await beforeSignIn(dash);
  await dash.goto(url);
  return { context, dash, errors, consoleErrors, expiresAt: await signInDashboard(dash, analyst) };
}
