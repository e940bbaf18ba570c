// The one process kit: every test, the chaos run and the bench start a service of
// lib/service-manifest.ts through here, as `npm start` and the Docker image run it (its esbuild
// bundle under plain node with the manifest's node flags), configured only by typed overrides of its
// config schema, awaited through its readiness URL and stopped with SIGTERM, then SIGKILL after a
// bound. Its output goes to a log file whose tail is shown when it fails. Also here: the one
// polling helper (waitFor) and the one free-port helper (get-port).
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import getPort from 'get-port';
import { buildServices } from '../../scripts/build-services.ts';
import {
  bundlePath,
  configVariables,
  nodeFlags,
  ROOT,
  SERVICE_NAMES,
  serviceSpec,
  toEnv,
  type ServiceName,
  type ServiceOverrides,
} from '../../lib/service-manifest.ts';
import { KAFKA_BROKER } from './services.ts';

export interface WaitOptions<T> {
  /** When the probe's value counts as done (default: truthy). */
  until?: (value: T) => boolean;
  timeoutMs?: number;
  /** Milliseconds between probes, or a function of the value just read (a wait that should poll less while far from done). */
  intervalMs?: number | ((value: T) => number);
}

/** Thrown by a waitFor probe when waiting longer cannot help (the process exited): ends the wait at once. */
export class GiveUp extends Error {}

/**
 * Polls `probe` until its value satisfies `until` (a throwing probe counts as "not yet", unless it
 * throws GiveUp) and returns that value; after `timeoutMs` it throws, naming `what` and the last
 * value or error. The bound only keeps a broken test from hanging.
 */
export async function waitFor<T>(what: string, probe: () => T | Promise<T>, options: WaitOptions<Awaited<T>> = {}): Promise<Awaited<T>> {
  const { until = Boolean, timeoutMs = 60_000, intervalMs = 100 } = options;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    let interval = typeof intervalMs === 'number' ? intervalMs : 100;
    try {
      const value = await probe();
      if (until(value)) return value;
      last = value;
      if (typeof intervalMs === 'function') interval = intervalMs(value);
    } catch (error) {
      if (error instanceof GiveUp) throw error;
      last = error;
    }
    if (Date.now() >= deadline) {
      const shown = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${shown?.slice(0, 500)}`);
    }
    await sleep(interval);
  }
}

/** A port nothing listens on right now on 127.0.0.1, never handed out twice by this process. */
export function freePort(): Promise<number> {
  return getPort({ host: '127.0.0.1', reserve: true });
}

export async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let i = 0; i < count; i++) ports.push(await freePort());
  return ports;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ProcessSpec {
  name: string;
  /** The program; node by default. */
  command?: string;
  /** Its arguments (node's: flags, then the script). */
  args: string[];
  cwd?: string;
  /** The child's whole configuration on top of the inherited environment. */
  env?: Record<string, string>;
  /** Answers 200 once the process is ready (start() waits for it). */
  readyUrl?: string;
  /** Where its stdout and stderr go (appended); default .run/test-logs/<name>-<pid>-<n>.log. */
  logFile?: string;
}

let logCount = 0;
const CONFIG_VARIABLES = configVariables();

/**
 * One child process (the only class that starts any). `start()` spawns it and waits until `readyUrl` answers 200 (failing early,
 * with its log tail, when it exits first); `spawn()` only spawns, for callers that time recovery
 * themselves. It can be stopped and started again; `starts` counts the starts.
 */
export class ServiceProcess {
  readonly name: string;
  readonly logFile: string;
  readonly readyUrl: string | undefined;
  private child: ChildProcess | undefined;
  private exit: Promise<Exit> | undefined;
  starts = 0;

  constructor(private readonly spec: ProcessSpec) {
    this.name = spec.name;
    this.readyUrl = spec.readyUrl;
    this.logFile = spec.logFile ?? path.join(ROOT, '.run', 'test-logs', `${spec.name}-${process.pid}-${++logCount}.log`);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves with the exit of the current (last started) process. */
  get exited(): Promise<Exit> {
    if (!this.exit) throw new Error(`${this.name} was never started`);
    return this.exit;
  }

  spawn(): this {
    if (this.running) throw new Error(`${this.name} is already running`);
    mkdirSync(path.dirname(this.logFile), { recursive: true });
    const fd = openSync(this.logFile, 'a');
    // Only the variables the caller sets configure a service, never ones this process inherited.
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !CONFIG_VARIABLES.has(k)));
    const child = spawn(this.spec.command ?? process.execPath, this.spec.args, { cwd: this.spec.cwd ?? ROOT, env: { ...inherited, ...this.spec.env }, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    this.exit = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    this.child = child;
    this.starts++;
    return this;
  }

  /** Spawns and waits until ready; throws with the log tail if it exits or is not ready in time. */
  async start(timeoutMs = 120_000): Promise<this> {
    this.spawn();
    await this.ready(timeoutMs);
    return this;
  }

  /** Waits until the readiness URL answers 200; resolves with that moment (ms since the epoch). */
  async ready(timeoutMs = 120_000, intervalMs = 50): Promise<number> {
    const url = this.readyUrl;
    if (url === undefined) throw new Error(`${this.name} has no readiness URL`);
    try {
      await waitFor(`${this.name} ready at ${url}`, async () => {
        if (!this.running) throw new GiveUp(`${this.name} exited (${JSON.stringify(await this.exited)})`);
        const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
        await res.arrayBuffer();
        return res.status === 200;
      }, { timeoutMs, intervalMs, until: (ok) => ok });
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- ${this.logFile} ---\n${this.tail()}`);
    }
    return Date.now();
  }

  /** Sends `signal` and waits for the exit; SIGKILL after `graceMs` if it has not gone. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<Exit> {
    const child = this.child;
    if (!child) return { code: null, signal: null };
    if (!this.running) return this.exited;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }

  /** Everything it has logged (all starts). */
  output(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  /** The last lines of its log, for failure messages. */
  tail(lines = 40): string {
    return this.output().trimEnd().split('\n').slice(-lines).join('\n');
  }
}

const built = new Map<string, Promise<unknown>>();

/** Bundles the manifest's services of `root` once per process (what `npm start` runs). */
export function ensureBundles(root = ROOT): Promise<unknown> {
  let done = built.get(root);
  if (!done) {
    done = buildServices(undefined, root);
    built.set(root, done);
  }
  return done;
}

export interface ServiceOptions<N extends ServiceName> {
  /** Typed by the service's config schema; ports left out get free ones, the bind host is 127.0.0.1. */
  env?: ServiceOverrides<N>;
  /** Variables outside the schema (BENCH_*_ENV experiments): applied last. */
  extraEnv?: Record<string, string>;
  logFile?: string;
  /** The checkout whose bundle runs (the bench measures other revisions). */
  root?: string;
  /** Node flags before the manifest's (e.g. --cpu-prof). */
  nodeFlags?: string[];
  /** The service's own node flags instead of this checkout's manifest's (the bench gives the measured revision's). */
  manifestFlags?: string[];
  /** Run the bundle already under `root` instead of building it (a copy of the image's files). */
  prebuilt?: boolean;
}

export type Service<N extends ServiceName = ServiceName> = ServiceProcess & {
  /** Its ports by the manifest's names (e.g. ports.http), and its readiness port's base URL. */
  ports: Record<string, number>;
  url: string;
  /** The configuration it was given. */
  config: ServiceOverrides<N>;
};

/**
 * A manifest service, not yet started (call start()). Defaults: every port free, bound to
 * 127.0.0.1, the shared test broker (its log goes to a file, at the service's own default level);
 * `env` overrides any of them.
 */
export async function service<N extends ServiceName>(name: N, options: ServiceOptions<N> = {}): Promise<Service<N>> {
  const spec = serviceSpec(name);
  const root = options.root ?? ROOT;
  if (!options.prebuilt) await ensureBundles(root);
  const keys = Object.keys(spec.config.properties);
  const defaults: Record<string, unknown> = { [spec.host]: '127.0.0.1' };
  if (keys.includes('kafkaBrokers')) defaults.kafkaBrokers = KAFKA_BROKER;
  const config: Record<string, unknown> = { ...defaults, ...options.env };
  const ports: Record<string, number> = {};
  for (const [portName, key] of Object.entries(spec.ports)) {
    config[key] ??= await freePort();
    ports[portName] = Number(config[key]);
  }
  const url = `http://127.0.0.1:${ports[spec.readiness.port]}`;
  const proc = new ServiceProcess({
    name,
    args: [...(options.nodeFlags ?? []), ...(options.manifestFlags ?? nodeFlags(process.env, name)), bundlePath(name, root)],
    cwd: root,
    env: { ...toEnv(config), ...options.extraEnv },
    readyUrl: `${url}${spec.readiness.path}`,
    logFile: options.logFile,
  });
  return Object.assign(proc, { ports, url, config: config as ServiceOverrides<N> });
}

/**
 * Settings for a whole stack of the manifest's services on free ports (for `bin/start` beside a
 * running one): the environment variables, and each service's readiness URL.
 */
export async function freeStackPorts(): Promise<{ env: Record<string, string>; ports: Record<ServiceName, number>; readyUrls: Record<ServiceName, string> }> {
  const env: Record<string, string> = {};
  const ports = {} as Record<ServiceName, number>;
  const readyUrls = {} as Record<ServiceName, string>;
  for (const name of SERVICE_NAMES) {
    const spec = serviceSpec(name);
    for (const [portName, key] of Object.entries(spec.ports)) {
      const port = await freePort();
      Object.assign(env, toEnv({ [key]: port }));
      if (portName === spec.readiness.port) {
        ports[name] = port;
        readyUrls[name] = `http://127.0.0.1:${port}${spec.readiness.path}`;
      }
    }
  }
  return { env, ports, readyUrls };
}
