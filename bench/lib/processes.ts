// Child processes the benchmarks start: the real collector and pipeline entry points and the
// baseline servers, each with a log file, readiness polling and peak memory from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildServices, readServiceList } from '../../scripts/build-services.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const RUN_DIR = path.join(ROOT, 'bench', 'results', 'tmp');
/**
 * Where the measured services (collector, pipeline) are started from. Defaults to this checkout;
 * point it at an export of another revision (`git archive <rev> | tar -x -C dir`, plus a
 * node_modules symlink) to measure before/after a change on the same machine minutes apart.
 */
export const SERVICE_ROOT = process.env.BENCH_SERVICE_ROOT ?? ROOT;

/** Where the measured services' bundles go (apart from bin/start's .cache/build, so the two never race). */
export const BUILD_DIR = path.join(RUN_DIR, 'build');

interface MeasuredBuild {
  /** Entry file (relative to SERVICE_ROOT) -> its bundle. */
  bundles: Map<string, string>;
  nodeFlags: string[];
}
let measuredBuild: MeasuredBuild | undefined;

/**
 * Bundles SERVICE_ROOT's services the way bin/start does (same build, same node flags from its
 * scripts/services.sh), so the bench measures what `npm start` runs. Call before startService.
 */
export async function buildMeasuredServices(): Promise<{ nodeFlags: string[] }> {
  const { entries, nodeFlags } = readServiceList(SERVICE_ROOT);
  const outputs = await buildServices(entries, SERVICE_ROOT, BUILD_DIR);
  measuredBuild = { bundles: new Map(Object.entries(entries).map(([name, file]) => [file, outputs[name]!])), nodeFlags };
  return { nodeFlags };
}

/** node arguments for a script: a measured service runs its bundle, a bench helper runs under tsx. */
function scriptArgs(opts: StartOptions): string[] {
  if (!opts.measured) return ['--import', 'tsx', opts.script];
  const bundle = measuredBuild?.bundles.get(opts.script);
  if (!measuredBuild || !bundle) throw new Error(`${opts.script}: no bundle; call buildMeasuredServices() first`);
  return [...measuredBuild.nodeFlags, bundle];
}

export interface Service {
  name: string;
  pid: number;
  child: ChildProcess;
  logFile: string;
  /** Resident set when it first answered ready (before any load), bytes. */
  rssAtReadyBytes?: number;
  /** Peak resident set (VmHWM) in bytes, as last read from /proc; sampled every second and at stop. */
  peakRssBytes(): number;
  /** SIGTERM, wait up to `graceMs`, then SIGKILL. Resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

/** A `/proc/<pid>/status` memory field (VmHWM = peak resident set, VmRSS = now) in bytes; undefined once the process is gone. */
export function readStatusBytes(pid: number, field: 'VmHWM' | 'VmRSS'): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

export const readPeakRss = (pid: number) => readStatusBytes(pid, 'VmHWM');

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat; 0 once it is gone. */
export function readCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th overall.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** `K=V,K2=V2` from BENCH_COLLECTOR_ENV / BENCH_PIPELINE_ENV: tuning experiments without code changes. */
export function extraEnv(variable: 'BENCH_COLLECTOR_ENV' | 'BENCH_PIPELINE_ENV', env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (env[variable] ?? '').split(',')) {
    const i = pair.indexOf('=');
    if (i > 0) out[pair.slice(0, i).trim()] = pair.slice(i + 1).trim();
  }
  return out;
}

export interface StartOptions {
  name: string;
  /** Script relative to the repository root: its bundle when measured, else `node --import tsx <script>`. */
  script: string;
  args?: string[];
  env: NodeJS.ProcessEnv;
  /** Extra node flags, e.g. ['--cpu-prof'] (BENCH_CPU_PROF=1 adds it to every service). */
  nodeFlags?: string[];
  /** A measured service (run from SERVICE_ROOT) rather than a bench helper (run from here). */
  measured?: boolean;
}

export function startService(opts: StartOptions): Service {
  mkdirSync(RUN_DIR, { recursive: true });
  const logFile = path.join(RUN_DIR, `${opts.name}.log`);
  const fd = openSync(logFile, 'a');
  const profile = process.env.BENCH_CPU_PROF === '1' ? ['--cpu-prof', `--cpu-prof-dir=${path.join(RUN_DIR, 'profiles')}`] : [];
  const child = spawn(process.execPath, [...profile, ...(opts.nodeFlags ?? []), ...scriptArgs(opts), ...(opts.args ?? [])], {
    cwd: opts.measured ? SERVICE_ROOT : ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${opts.name} did not start`);
  let peak = 0;
  const sample = () => {
    const v = readPeakRss(pid);
    if (v !== undefined && v > peak) peak = v;
  };
  const sampler = setInterval(sample, 1000);
  sampler.unref();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', () => clearInterval(sampler));
  return {
    name: opts.name,
    pid,
    child,
    logFile,
    peakRssBytes: () => (sample(), peak),
    async stop(graceMs = 15_000) {
      sample();
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls `url` until it answers 2xx; fails early if the process exits. */
export async function waitReady(service: Service, url: string, timeoutMs = 60_000, intervalMs = 50): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null) throw new Error(`${service.name} exited (${service.child.exitCode}); see ${service.logFile}`);
    const ok = await fetch(url, { signal: AbortSignal.timeout(1000) })
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) {
      service.rssAtReadyBytes ??= readStatusBytes(service.pid, 'VmRSS');
      return performance.timeOrigin + performance.now();
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`${service.name} not ready at ${url} after ${timeoutMs} ms; see ${service.logFile}`);
}

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
