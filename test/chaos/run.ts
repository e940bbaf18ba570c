// `npm run chaos` — the full chaos run on a private stack (own Kafka, PostgreSQL, collector and
// pipeline on free ports). Exit code 0 only when nothing was lost or duplicated and every
// service recovered by itself. Size and shape from the environment:
//   CHAOS_EVENTS (200000), CHAOS_BATCH_SIZE (20), CHAOS_CONCURRENCY (8), CHAOS_RATE (events/s, unpaced),
//   CHAOS_KEEP_RUN_DIR=1 keeps the logs of a passing run too (a failing run always keeps them).
import { failures, runChaos } from './chaos.ts';
import { formatReport } from './report.ts';

const int = (name: string, fallback: number): number => {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return value;
};

const started = Date.now();
const stamp = () => `[chaos +${((Date.now() - started) / 1000).toFixed(1)}s]`;
try {
  const report = await runChaos({
    events: int('CHAOS_EVENTS', 200_000),
    batchSize: int('CHAOS_BATCH_SIZE', 20),
    concurrency: int('CHAOS_CONCURRENCY', 8),
    ratePerSecond: process.env.CHAOS_RATE ? int('CHAOS_RATE', 1) : undefined,
    keepRunDir: process.env.CHAOS_KEEP_RUN_DIR === '1',
    log: (line) => process.stdout.write(`${stamp()} ${line}\n`),
  });
  const problems = failures(report);
  process.stdout.write(`\n${formatReport(report, problems)}\n`);
  process.exitCode = problems.length === 0 ? 0 : 1;
} catch (error) {
  process.stderr.write(`${stamp()} chaos run failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
}
