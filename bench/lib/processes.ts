// The processes the benchmarks measure: the manifest's services through the one process kit
// (test/support/service-kit.ts: the same bundles and node flags `npm start` runs), plus the
// baseline servers, each with a log file and peak memory sampled from /proc.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Manifest from '../../lib/service-manifest.ts';
import { ROOT, type ServiceOverrides } from '../../lib/service-manifest.ts';
import { service, ServiceProcess } from '../../test/support/service-kit.ts';
import { KAFKA_BROKERS } from './kafka.ts';

export { ROOT };
export const RUN_DIR = path.join(ROOT, 'bench', 'results', 'tmp');
/**
 * Where the measured services (collector, pipeline) are bundled and started from. Defaults to this
 * checkout; point it at an export of another revision (`git archive <rev> | tar -x -C dir`, plus a
 * node_modules symlink) to measure before/after a change on the same machine minutes apart.
 */
export const SERVICE_ROOT = process.env.BENCH_SERVICE_ROOT ?? ROOT;

/** A started process with its memory readings. */
export type Service = ServiceProcess & {
  /** Resident set when it first answered ready (before any load), bytes. */
  rssAtReadyBytes?: number;
  /** Peak resident set (VmHWM) in bytes, as last read from /proc; sampled every second and at stop. */
  peakRssBytes(): number;
};

/**
 * The node flags the measured revision gives service `name` (its own lib/service-manifest.ts), so a
 * before/after compares each revision as it runs; SERVICE_NODE_FLAGS still replaces them.
 */
export async function revisionFlags(name: string): Promise<string[]> {
  const manifest = (await import(pathToFileURL(path.join(SERVICE_ROOT, 'lib', 'service-manifest.ts')).href)) as typeof Manifest;
  return manifest.nodeFlags(process.env, name);
}

const profileFlags = () => (process.env.BENCH_CPU_PROF === '1' ? ['--cpu-prof', `--cpu-prof-dir=${path.join(RUN_DIR, 'profiles')}`] : []);
const logFile = (name: string) => path.join(RUN_DIR, `${name}.log`);

/** Spawns `proc` and samples its peak RSS every second until it exits. */
function spawnMeasured(proc: ServiceProcess): Service {
  proc.spawn();
  const pid = proc.pid!;
  let peak = 0;
  const sample = () => {
    const v = readPeakRss(pid);
    if (v !== undefined && v > peak) peak = v;
  };
  const sampler = setInterval(sample, 1000);
  sampler.unref();
  void proc.exited.then(() => clearInterval(sampler));
  const stop = proc.stop.bind(proc);
  return Object.assign(proc, {
    peakRssBytes: () => (sample(), peak),
    stop: (signal?: NodeJS.Signals, graceMs?: number) => (sample(), stop(signal, graceMs)),
  });
}

/** Waits until `svc` is ready; notes its RSS then; resolves with that moment (nowMs). */
export async function waitReady(svc: Service, timeoutMs = 60_000, intervalMs = 50): Promise<number> {
  await svc.ready(timeoutMs, intervalMs);
  const at = nowMs();
  svc.rssAtReadyBytes ??= readStatusBytes(svc.pid!, 'VmRSS');
  return at;
}

/** The measured collector producing to `topic` (not yet ready: see waitReady); `env` adds settings (a database, limits). */
export async function spawnCollector(name: string, topic: string, env: ServiceOverrides<'collector'> = {}): Promise<Service & { url: string; ports: Record<string, number> }> {
  const proc = await service('collector', {
    root: SERVICE_ROOT,
    env: { kafkaTopic: topic, kafkaBrokers: KAFKA_BROKERS, rateLimitMax: 0, logLevel: 'warn', ...env },
    extraEnv: extraEnv('BENCH_COLLECTOR_ENV'),
    nodeFlags: profileFlags(),
    manifestFlags: await revisionFlags('collector'),
    logFile: logFile(name),
  });
  return Object.assign(spawnMeasured(proc), { url: proc.url, ports: proc.ports });
}

/** The measured pipeline consuming `topic` into `databaseUrl` in a group of its own (not yet ready). */
export async function spawnPipeline(name: string, topic: string, dlqTopic: string, databaseUrl: string): Promise<Service & { url: string }> {
  const proc = await service('pipeline', {
    root: SERVICE_ROOT,
    env: {
      kafkaBrokers: KAFKA_BROKERS,
      kafkaTopic: topic,
      kafkaDlqTopic: dlqTopic,
      kafkaGroupId: `bench-${name}-${randomBytes(4).toString('hex')}`,
      databaseUrl,
      logLevel: 'warn',
    },
    extraEnv: extraEnv('BENCH_PIPELINE_ENV'),
    nodeFlags: profileFlags(),
    manifestFlags: await revisionFlags('pipeline'),
    logFile: logFile(name),
  });
  return Object.assign(spawnMeasured(proc), { url: proc.url });
}

/**
 * A bench helper script (a baseline server) under tsx, ready when `readyUrl` answers 200. It runs
 * with the measured collector's node flags (the same young-generation size and heap growth), so a
 * ratio to it measures the collector's work, not a difference in V8 settings.
 */
export async function spawnHelper(name: string, script: string, args: string[], env: Record<string, string>, readyUrl: string): Promise<Service> {
  const flags = await revisionFlags('collector');
  return spawnMeasured(new ServiceProcess({ name, args: [...profileFlags(), ...flags, '--import', 'tsx', script, ...args], env, readyUrl, logFile: logFile(name) }));
}

/** A `/proc/<pid>/status` memory field (VmHWM = peak resident set, VmRSS = now) in bytes; undefined once the process is gone. */
function readStatusBytes(pid: number, field: 'VmHWM' | 'VmRSS'): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

const readPeakRss = (pid: number) => readStatusBytes(pid, 'VmHWM');

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

/** A Prometheus sample without labels (`name value`), or undefined when the text lacks it. */
export function metricSample(text: string, name: string): number | undefined {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

/**
 * CPU seconds a service has used, from its own `/metrics` text: prom-client's
 * process_cpu_seconds_total is `process.cpuUsage()` (user + system, microseconds), finer than
 * /proc's 10 ms ticks. `prefix` is the service's metric prefix (the pipeline's `pipeline_`). A
 * revision whose service lacks the metric falls back to /proc/<pid>/stat.
 */
export function cpuSecondsOf(metricsText: string, prefix: string, pid: number): { seconds: number; source: 'process.cpuUsage' | '/proc' } {
  const seconds = metricSample(metricsText, `${prefix}process_cpu_seconds_total`);
  return seconds === undefined ? { seconds: readCpuSeconds(pid), source: '/proc' } : { seconds, source: 'process.cpuUsage' };
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

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
