// A PRIVATE Kafka broker or PostgreSQL cluster, started by the project's own scripts on free
// ports in their own run directory, for tests that stop and restart them. The shared Kafka (9092)
// and PostgreSQL (5432) are never touched: a shared port is refused outright.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { assertTestDatabase } from '../support/database.ts';
import { databaseUrl, portOpen, script } from '../support/services.ts';
import { freePorts, waitFor } from '../support/service-kit.ts';

const SHARED_PORTS = new Set([9092, 9093, 5432, 3001, 4195]);

export function refuseShared(...ports: number[]): void {
  for (const port of ports) if (SHARED_PORTS.has(port)) throw new Error(`refusing shared port ${port}`);
}

export async function privateRunDir(prefix: string): Promise<string> {
  const dir = path.join(tmpdir(), `${prefix}-${randomBytes(3).toString('hex')}`);
  await mkdir(path.join(dir, 'logs'), { recursive: true });
  return dir;
}

export class PrivateKafka {
  private readonly env: NodeJS.ProcessEnv;
  constructor(readonly port: number, controllerPort: number, readonly runDir: string) {
    refuseShared(port, controllerPort);
    this.env = { KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(controllerPort), ANALYTICS_RUN_DIR: runDir };
  }

  get broker(): string {
    return `127.0.0.1:${this.port}`;
  }

  start(): Promise<string> {
    return script('kafka.sh', ['start'], this.env);
  }

  stop(): Promise<string> {
    return script('kafka.sh', ['stop'], this.env);
  }
}

export class PrivatePostgres {
  readonly cluster = `rel${randomBytes(3).toString('hex')}`;
  private readonly env: NodeJS.ProcessEnv;
  constructor(readonly port: number, readonly runDir: string) {
    refuseShared(port);
    this.env = { PG_CLUSTER: this.cluster, PGPORT: String(port), ANALYTICS_RUN_DIR: runDir };
  }

  /** The provisioned test database (role analytics, database analytics_test). */
  get url(): string {
    const url = databaseUrl({ port: this.port });
    assertTestDatabase(url);
    return url;
  }

  start(): Promise<string> {
    return script('postgres.sh', ['start'], this.env);
  }

  /** Stops the server and keeps the cluster: an outage, not a removal. */
  stopServer(): Promise<string> {
    return script('postgres.sh', ['stop-server'], this.env);
  }

  /** Stops the server and removes the cluster. */
  async remove(): Promise<void> {
    await script('postgres.sh', ['stop'], this.env).catch(() => undefined);
    if (process.getuid?.() === 0) await promisify(execFile)('pg_dropcluster', ['--stop', '15', this.cluster]).catch(() => undefined);
  }
}

export async function removeRunDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Resolves with the moment something accepts connections on the port (polled every 50 ms). */
export async function whenPortOpens(port: number, boundMs = 180_000): Promise<number> {
  await waitFor(`port ${port} to open`, () => portOpen('127.0.0.1', port, 200), { timeoutMs: boundMs, intervalMs: 50 });
  return Date.now();
}

/**
 * True once the broker takes writes: it answers metadata and gives an idempotent producer its id
 * (what the collector needs). A restarting KRaft broker opens its port, then answers metadata,
 * then finishes loading its coordinators, seconds apart; the last is when Kafka is back.
 */
async function brokerServing(broker: string, topic = 'analytics-events'): Promise<boolean> {
  const kafka = new Kafka({ clientId: 'broker-probe', brokers: [broker], connectionTimeout: 500, requestTimeout: 1000, retry: { retries: 0 }, logLevel: logLevel.NOTHING });
  const admin = kafka.admin({ retry: { retries: 0 } });
  // kafkajs refuses an idempotent producer without retries; one keeps the probe short.
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 1, initialRetryTime: 50, maxRetryTime: 100 } });
  try {
    await admin.connect();
    await admin.fetchTopicMetadata({ topics: [topic] });
    await producer.connect();
    return true;
  } catch {
    return false;
  } finally {
    await Promise.allSettled([admin.disconnect(), producer.disconnect()]);
  }
}

/** Polls until the broker serves requests; resolves with that moment. */
export async function whenBrokerServes(broker: string, boundMs = 180_000): Promise<number> {
  await waitFor(`broker ${broker} to serve requests`, () => brokerServing(broker), { timeoutMs: boundMs });
  return Date.now();
}

/**
 * A private broker on free ports in a run directory of its own, started; its stop and the
 * directory's removal are pushed onto `cleanups` (run in reverse order by the test's after hook).
 */
export async function startPrivateKafka(prefix: string, cleanups: (() => Promise<unknown>)[]): Promise<PrivateKafka> {
  const runDir = await privateRunDir(prefix);
  cleanups.push(() => removeRunDir(runDir));
  const [port, controllerPort] = await freePorts(2);
  const kafka = new PrivateKafka(port!, controllerPort!, runDir);
  cleanups.push(() => kafka.stop());
  await kafka.start();
  return kafka;
}
