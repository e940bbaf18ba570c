// Tests find the real services running or start them with the project's own scripts, so any
// test file can run alone. Nothing here fakes a service.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

const run = promisify(execFile);
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const KAFKA_BROKER = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
export const PG_ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://analytics:analytics@127.0.0.1:5432/analytics_test';

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

/** `count` distinct ports the OS reports free on 127.0.0.1 (held together, so never the same twice). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const s = net.createServer();
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port!;
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
  if (!(await portOpen('127.0.0.1', 5432))) await script('postgres.sh', ['start']);
}
