// Benchmark sizes per mode. `full` is what the README quotes; `quick` stays under 2 minutes;
// `smoke` only proves the harness works (npm test) and its numbers mean nothing.

type Mode = 'full' | 'quick' | 'smoke';
export const CASES = ['collector', 'loader', 'e2e', 'tracker', 'streaming', 'live'] as const;
export type CaseName = (typeof CASES)[number];

export interface Settings {
  mode: Mode;
  /** autocannon seconds per round, rounds, connections for benchmarks 1-2. */
  http: { seconds: number; rounds: number; connections: number; warmupSeconds: number };
  /** Events pre-filled into the loader's topic, and rounds of (COPY, pipeline). */
  loader: { events: number; rounds: number };
  /** Steady load for the end-to-end latency: events (= requests) per second, seconds. */
  e2e: { rate: number; seconds: number; warmupSeconds: number; connections: number; pollIntervalMs: number };
  /** Events per transport and round, rounds, parallel streams (NDJSON, gRPC), POST requests in flight. */
  streaming: { events: number; rounds: number; streams: number; concurrency: number };
  /** Subscribers of the live event stream (benchmark 8; it uses the e2e rate and seconds). */
  live: { subscribers: number };
  cases: readonly CaseName[];
}

const BASE: Record<Mode, Omit<Settings, 'cases' | 'mode'>> = {
  full: {
    http: { seconds: 10, rounds: 3, connections: 50, warmupSeconds: 3 },
    loader: { events: 1_000_000, rounds: 1 },
    e2e: { rate: 1000, seconds: 60, warmupSeconds: 5, connections: 50, pollIntervalMs: 5 },
    streaming: { events: 200_000, rounds: 3, streams: 4, concurrency: 50 },
    live: { subscribers: 100 },
  },
  quick: {
    http: { seconds: 4, rounds: 1, connections: 50, warmupSeconds: 2 },
    loader: { events: 50_000, rounds: 1 },
    e2e: { rate: 1000, seconds: 10, warmupSeconds: 3, connections: 50, pollIntervalMs: 5 },
    streaming: { events: 50_000, rounds: 1, streams: 4, concurrency: 50 },
    live: { subscribers: 100 },
  },
  smoke: {
    http: { seconds: 1, rounds: 1, connections: 4, warmupSeconds: 0 },
    loader: { events: 2_000, rounds: 1 },
    e2e: { rate: 50, seconds: 2, warmupSeconds: 0, connections: 2, pollIntervalMs: 10 },
    streaming: { events: 2_000, rounds: 1, streams: 2, concurrency: 4 },
    live: { subscribers: 3 },
  },
};

export interface ParsedArgs {
  settings: Settings;
  /** Where latest.json / latest.md go. */
  outDir: string | undefined;
}

/** `--quick`, `--smoke`, `--only=collector,loader`, `--loader-events=N`, `--rounds=N`, `--out=DIR`. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  let mode: Mode = 'full';
  let only: CaseName[] | undefined;
  let outDir: string | undefined;
  const overrides: { loaderEvents?: number; rounds?: number; e2eSeconds?: number } = {};
  for (const arg of argv) {
    const [key, value] = arg.split('=', 2) as [string, string | undefined];
    if (key === '--quick') mode = 'quick';
    else if (key === '--smoke') mode = 'smoke';
    else if (key === '--full') mode = 'full';
    else if (key === '--only' && value) {
      only = value.split(',').map((c) => {
        if (!(CASES as readonly string[]).includes(c)) throw new Error(`unknown case "${c}"; cases: ${CASES.join(', ')}`);
        return c as CaseName;
      });
    } else if (key === '--loader-events' && value) overrides.loaderEvents = positive(key, value);
    else if (key === '--rounds' && value) overrides.rounds = positive(key, value);
    else if (key === '--e2e-seconds' && value) overrides.e2eSeconds = positive(key, value);
    else if (key === '--out' && value) outDir = value;
    else throw new Error(`unknown argument "${arg}"; use --quick, --smoke, --only=${CASES.join(',')}, --loader-events=N, --rounds=N, --e2e-seconds=N, --out=DIR`);
  }
  const base = BASE[mode];
  const settings: Settings = {
    mode,
    http: { ...base.http, rounds: overrides.rounds ?? base.http.rounds },
    loader: { ...base.loader, events: overrides.loaderEvents ?? base.loader.events, rounds: overrides.rounds ?? base.loader.rounds },
    e2e: { ...base.e2e, seconds: overrides.e2eSeconds ?? base.e2e.seconds },
    streaming: { ...base.streaming, rounds: overrides.rounds ?? base.streaming.rounds },
    live: base.live,
    cases: only ?? CASES,
  };
  return { settings, outDir };
}

function positive(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${value}"`);
  return n;
}
