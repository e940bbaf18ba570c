// What the browser tests run against, all real: the collector as its own process (stoppable,
// for outages), the demo site in-process serving the freshly built analytics.js, a private
// Kafka topic read back with kafkajs, and Debian's Chromium driven by playwright-core.
import { spawn, type ChildProcess } from 'node:child_process';
import type net from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import type { Consumer, Kafka } from 'kafkajs';
import type { FastifyInstance } from 'fastify';
import { createLogger } from '../../lib/logger.ts';
import { buildDemoApp } from '../../demo-site/app.ts';
import { loadDemoConfig } from '../../demo-site/config.ts';
import { bundleTracker } from '../../tracker/build.ts';
import { KAFKA_BROKER, ROOT } from '../support/services.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * A service run exactly as in production (`node --import tsx <entry>`), with its own env, ready
 * when `readyUrl` answers 200; stoppable and restartable, for outages.
 */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  output = '';
  constructor(
    readonly entry: string,
    readonly env: Record<string, string>,
    readonly readyUrl: string,
  ) {}

  async start(): Promise<void> {
    const child = spawn(process.execPath, ['--import', 'tsx', this.entry], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...this.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout!.on('data', (d: Buffer) => (this.output += d));
    child.stderr!.on('data', (d: Buffer) => (this.output += d));
    await waitFor(`${this.entry} ready at ${this.readyUrl}`, async () => {
      if (child.exitCode !== null) throw new Error(`${this.entry} exited: ${this.output}`);
      const res = await fetch(this.readyUrl).catch(() => undefined);
      return res?.status === 200 || undefined;
    });
  }

  /** SIGTERM, and wait until the process is gone (then SIGKILL if it lingers). */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

/** The collector on its own port, producing to `topic`. */
export function collectorProcess(port: number, topic: string): ServiceProcess & { url: string } {
  const service = new ServiceProcess(
    'collector/src/server.ts',
    { COLLECTOR_PORT: String(port), COLLECTOR_HOST: '127.0.0.1', KAFKA_BROKERS: KAFKA_BROKER, KAFKA_TOPIC: topic },
    `http://127.0.0.1:${port}/health`,
  );
  return Object.assign(service, { url: `http://127.0.0.1:${port}/analytics` });
}

/** The pipeline consuming `topic` into the database at `databaseUrl`, its ops port on `opsPort`. */
export function pipelineProcess(opsPort: number, topic: string, dlqTopic: string, databaseUrl: string): ServiceProcess {
  return new ServiceProcess(
    'pipeline/src/main.ts',
    {
      KAFKA_BROKERS: KAFKA_BROKER,
      KAFKA_TOPIC: topic,
      KAFKA_DLQ_TOPIC: dlqTopic,
      KAFKA_GROUP_ID: `${topic}-pipeline`,
      DATABASE_URL: databaseUrl,
      PIPELINE_OPS_HOST: '127.0.0.1',
      PIPELINE_OPS_PORT: String(opsPort),
    },
    `http://127.0.0.1:${opsPort}/ready`,
  );
}

export async function startDemo(collectorUrl: string): Promise<{ app: FastifyInstance; origin: string; trackerBytes: number }> {
  const bundle = await bundleTracker();
  const config = { ...loadDemoConfig({}), demoCollectorUrl: collectorUrl, demoAllowAutomation: true };
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
  const consumer = kafka.consumer({ groupId: `${topic}-reader` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  void consumer.run({
    eachMessage: async ({ message }) => {
      received.push({ key: message.key!.toString(), event: JSON.parse(message.value!.toString()) });
    },
  });
  return { consumer, received };
}

/** Chromium as Debian ships it, headless; Playwright gives each launch a fresh temporary profile. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
