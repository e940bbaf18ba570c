// Tests find the real services running or start them with the project's own scripts, so any
// test file can run alone. Nothing here fakes a service.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import net from 'node:net';

const run = promisify(execFile);
export { ROOT } from '../../lib/service-manifest.ts';
import { ROOT } from '../../lib/service-manifest.ts';

export const KAFKA_BROKER = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
/** The one spelling of the test database's URL; every other URL is derived from it. */
export const PG_ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://analytics:analytics@127.0.0.1:5432/analytics_test';

/** PG_ADMIN_URL with another database and/or port (a private cluster, a per-test database). */
export function databaseUrl(change: { database?: string; port?: number } = {}): string {
  const url = new URL(PG_ADMIN_URL);
  if (change.database !== undefined) url.pathname = `/${change.database}`;
  if (change.port !== undefined) url.port = String(change.port);
  return url.toString();
}

export function portOpen(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Runs a project script (`scripts/kafka.sh start`, …) and returns its output; throws with it on failure. */
export async function script(name: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  try {
    const { stdout, stderr } = await run('bash', [`${ROOT}scripts/${name}`, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      timeout: 180_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout + stderr;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`scripts/${name} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

export async function ensureKafka(): Promise<string> {
  const [host, port] = KAFKA_BROKER.split(':');
  if (!(await portOpen(host!, Number(port)))) await script('kafka.sh', ['start']);
  return KAFKA_BROKER;
}

export async function ensurePostgres(): Promise<void> {
  const url = new URL(PG_ADMIN_URL);
  if (!(await portOpen(url.hostname, Number(url.port || 5432)))) await script('postgres.sh', ['start']);
}
