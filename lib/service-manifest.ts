// The project's Node services, one entry each: what bin/start, bin/stop, scripts/build-services.ts,
// the Docker image (checked by test/harness/manifest.test.ts), the bench, the chaos run and the
// integration tests start. Adding a service is one entry below (its Dockerfile stage and compose
// service follow; the manifest test says what is missing).
//
// Every service runs the same way everywhere: its esbuild bundle (.cache/build/<name>.mjs, built by
// scripts/build-services.ts) under plain `node` with NODE_FLAGS.
//
// Shell scripts read it through this file's CLI:
//   node --import tsx lib/service-manifest.ts list    # name|bundle|readiness URL|log file|node flags, in start order
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Static, TObject } from '@sinclair/typebox';
import { CollectorConfigSchema } from '../collector/src/config.ts';
import { PipelineConfig } from '../pipeline/src/config.ts';
import { DemoConfigSchema } from '../demo-site/config.ts';
import { ApiConfigSchema } from '../api/src/config.ts';
import { envName, loadConfig } from './config.ts';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Where scripts/build-services.ts writes the bundles (relative to the checkout's root). */
export const BUILD_DIR = '.cache/build';

/**
 * Node flags of every service (SERVICE_NODE_FLAGS overrides them). Source maps turn bundle lines in
 * stack traces back into the .ts files. A 4 MB young-generation semi-space (V8's default grows to
 * 16 MB) cut peak RSS by ~50 MB (collector) / ~35 MB (pipeline) at equal throughput; capping the old
 * space (--max-old-space-size=96/128) cut more but cost ~25 % of the collector's batch throughput,
 * so it is not set (bench/HISTORY.md, section 8).
 */
export const NODE_FLAGS = ['--enable-source-maps', '--max-semi-space-size=4'];

/**
 * The node flags service `name` runs with: NODE_FLAGS and its manifest entry's own; without a name,
 * NODE_FLAGS. SERVICE_NODE_FLAGS, when set, replaces them all (experiments).
 */
export function nodeFlags(env: NodeJS.ProcessEnv = process.env, name?: string): string[] {
  const raw = env.SERVICE_NODE_FLAGS;
  if (raw !== undefined) return raw.split(/\s+/).filter(Boolean);
  return name === undefined ? NODE_FLAGS : [...NODE_FLAGS, ...(serviceSpec(name).nodeFlags ?? [])];
}

/** A config key of schema S whose value is a port number. */
type PortKey<S extends TObject> = { [K in keyof Static<S>]: Static<S>[K] extends number ? K : never }[keyof Static<S>] & string;
type StringKey<S extends TObject> = { [K in keyof Static<S>]: Static<S>[K] extends string ? K : never }[keyof Static<S>] & string;

export interface ServiceSpec<S extends TObject = TObject> {
  name: string;
  /** Source entry point, relative to the root; bundled into BUILD_DIR/<name>.mjs. */
  entry: string;
  /** The TypeBox schema the service loads its configuration with (lib/config.ts). */
  config: S;
  /** Named ports -> the config key that sets each (a gRPC port is one more line). */
  ports: Record<string, PortKey<S>>;
  /** The config key of the address the service binds (the test kit binds 127.0.0.1). */
  host: StringKey<S>;
  /** Answers 200 once the service is ready: which named port, which path. */
  readiness: { port: string; path: string };
  /** Its log file's name, under the run directory's logs/. */
  logFile: string;
  /** Node flags of this service after NODE_FLAGS. */
  nodeFlags?: readonly string[];
}

/** Typed by the service's schema: each key becomes its UPPER_SNAKE_CASE environment variable. */
export type ConfigOverrides<S extends TObject> = Partial<Static<S>>;

/** A manifest entry; its log file is `<name>.log` unless it says otherwise. */
function service<S extends TObject>(name: string, spec: Omit<ServiceSpec<S>, 'name' | 'logFile'> & { logFile?: string }): ServiceSpec<S> {
  return { name, logFile: `${name}.log`, ...spec };
}

/** In start order: the pipeline before the collector, so events accepted are consumed. */
export const SERVICES = {
  // --heap-growing-percent=100: the old generation grows to 2x what survives a full collection
  // instead of V8's up to ~4x. A chunk's records and rows wait for the partition's previous
  // transaction (write-behind), so they die old: 23-25 MB survived each full collection while the
  // heap grew to 81-87 MB before one (peak RSS 180-213 MB). The collector's 30 cut the peak only
  // ~20 MB more here but cost ~20 us of GC per row against ~3 (bench/HISTORY.md § 29).
  pipeline: service('pipeline', { entry: 'pipeline/src/main.ts', config: PipelineConfig, ports: { ops: 'pipelineOpsPort' }, host: 'pipelineOpsHost', readiness: { port: 'ops', path: '/ready' }, nodeFlags: ['--heap-growing-percent=100'] }),
  // The old generation grows to 1.3x what survives a full collection instead of V8's up to ~4x: the
  // collector's in-flight events die old (they wait tens to hundreds of ms for Kafka), so under load
  // its heap was mostly dead events, 270 MB for 55 MB alive (bench/HISTORY.md § 23).
  collector: service('collector', { entry: 'collector/src/server.ts', config: CollectorConfigSchema, ports: { http: 'collectorPort', grpc: 'grpcPort' }, host: 'collectorHost', readiness: { port: 'http', path: '/health' }, nodeFlags: ['--heap-growing-percent=30'] }),
  api: service('api', { entry: 'api/src/server.ts', config: ApiConfigSchema, ports: { http: 'apiPort' }, host: 'apiHost', readiness: { port: 'http', path: '/health' } }),
  'demo-site': service('demo-site', { entry: 'demo-site/server.ts', config: DemoConfigSchema, ports: { http: 'demoPort' }, host: 'demoHost', readiness: { port: 'http', path: '/' } }),
};

export type ServiceName = keyof typeof SERVICES;
export type ServiceConfig<N extends ServiceName> = (typeof SERVICES)[N]['config'];
export type ServiceOverrides<N extends ServiceName> = ConfigOverrides<ServiceConfig<N>>;

export const SERVICE_NAMES = Object.keys(SERVICES) as ServiceName[];

/** A manifest entry seen without its schema's types (for code that handles any service). */
export interface AnyServiceSpec extends Omit<ServiceSpec, 'ports' | 'host'> {
  ports: Record<string, string>;
  host: string;
}

export function serviceSpec(name: string): AnyServiceSpec {
  const spec = (SERVICES as unknown as Record<string, AnyServiceSpec>)[name];
  if (!spec) throw new Error(`unknown service ${name}; lib/service-manifest.ts lists: ${SERVICE_NAMES.join(', ')}`);
  return spec;
}

/** The bundle plain `node` runs, under `root`. */
export function bundlePath(name: string, root = ROOT): string {
  return path.join(root, BUILD_DIR, `${name}.mjs`);
}

/** Environment variables for `overrides` (camelCase config keys -> UPPER_SNAKE_CASE strings). */
export function toEnv(overrides: Record<string, unknown>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(overrides)) if (value !== undefined) env[envName(key)] = String(value);
  return env;
}

/** The variables any service reads: a child is given only the ones its caller sets. */
export function configVariables(): Set<string> {
  return new Set(SERVICE_NAMES.flatMap((n) => Object.keys(serviceSpec(n).config.properties).map(envName)));
}

/** The port each named port of `name` takes with this environment (defaults from its schema). */
export function servicePorts(name: string, env: NodeJS.ProcessEnv = process.env): Record<string, number> {
  const spec = serviceSpec(name);
  const config = loadConfig(spec.config, env) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(spec.ports).map(([portName, key]) => [portName, Number(config[key])]));
}

/** The URL that answers 200 once the service is ready. */
export function readinessUrl(name: string, env: NodeJS.ProcessEnv = process.env, host = '127.0.0.1'): string {
  const spec = serviceSpec(name);
  return `http://${host}:${servicePorts(name, env)[spec.readiness.port]}${spec.readiness.path}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [command] = process.argv.slice(2);
  if (command === 'list') {
    const logDir = path.join(process.env.ANALYTICS_RUN_DIR ?? path.join(ROOT, '.run'), 'logs');
    for (const name of SERVICE_NAMES) {
      process.stdout.write(`${name}|${bundlePath(name)}|${readinessUrl(name)}|${path.join(logDir, serviceSpec(name).logFile)}|${nodeFlags(process.env, name).join(' ')}\n`);
    }
  } else if (command === 'node-flags') {
    process.stdout.write(`${nodeFlags(process.env, process.argv[3]).join(' ')}\n`);
  } else {
    process.stderr.write('usage: node --import tsx lib/service-manifest.ts list | node-flags [service]\n');
    process.exitCode = 2;
  }
}
