// Before/after a change in one run: the benchmarks of two revisions, alternating, on the same
// machine minutes apart, then the cost of the change (medians of the pairs).
//   npx tsx bench/before-after.ts --before=<rev> [--after=<rev>] [--pairs=N] [bench arguments…]
// e.g. npx tsx bench/before-after.ts --before=4f4589d --pairs=2 --quick --only=loader,collector
// Each revision is exported with `git archive` into <tmpdir>/analytics-bench-rev-<commit>
// (node_modules linked; outside the checkout, so its type-check and lint never see it) and measured through BENCH_SERVICE_ROOT: its own services, bundles and migrations, each
// on a fresh database of its own; the bench itself is this checkout's. Without --after the after
// side is this checkout as it is. Pairs alternate which side goes first, so a drift in the
// shared machine's load does not favour one side. Prints the Markdown table bench/HISTORY.md
// records; every report stays in bench/results/tmp/before-after/.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { compare, renderComparison, type Pair } from './lib/compare.ts';
import { ROOT, RUN_DIR } from './lib/processes.ts';
import type { BenchReport } from './lib/report.ts';

const log = (m: string) => process.stderr.write(`[before-after] ${m}\n`);

interface Options {
  before: string;
  after: string | undefined;
  pairs: number;
  benchArgs: string[];
}

function parse(argv: readonly string[]): Options {
  let before: string | undefined;
  let after: string | undefined;
  let pairs = 2;
  const benchArgs: string[] = [];
  for (const arg of argv) {
    const [key, value] = arg.split('=', 2) as [string, string | undefined];
    if (key === '--before' && value) before = value;
    else if (key === '--after' && value) after = value;
    else if (key === '--pairs' && value && Number.isInteger(Number(value)) && Number(value) > 0) pairs = Number(value);
    else if (key === '--out') throw new Error('--out is chosen per side by this script');
    else benchArgs.push(arg);
  }
  if (!before) throw new Error('usage: npx tsx bench/before-after.ts --before=<rev> [--after=<rev>] [--pairs=N] [bench arguments, e.g. --quick --only=loader]');
  return { before, after, pairs, benchArgs };
}

const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();

/** An export of `rev` the bench can run services from; reused when already there. */
function exportRevision(rev: string): { root: string; commit: string } {
  const commit = git('rev-parse', '--verify', `${rev}^{commit}`);
  const root = path.join(tmpdir(), `analytics-bench-rev-${commit.slice(0, 12)}`);
  if (!existsSync(path.join(root, 'package.json'))) {
    rmSync(root, { recursive: true, force: true });
    mkdirSync(root, { recursive: true });
    execFileSync('sh', ['-c', `git archive ${commit} | tar -x -C "${root}"`], { cwd: ROOT });
  }
  // The revision's own dependencies are this checkout's: a change that adds a package is
  // measured after `npm install` here. A reused export may link to a checkout removed since.
  const modules = path.join(root, 'node_modules');
  if (!existsSync(modules)) {
    rmSync(modules, { force: true });
    symlinkSync(path.join(ROOT, 'node_modules'), modules);
  }
  return { root, commit };
}

function runBench(side: 'before' | 'after', pair: number, target: { root: string; commit: string } | undefined, benchArgs: string[]): BenchReport {
  const out = path.join(RUN_DIR, 'before-after', `${side}-${pair}`);
  const env = { ...process.env };
  if (target) Object.assign(env, { BENCH_SERVICE_ROOT: target.root, BENCH_SERVICE_REV: target.commit });
  else for (const k of ['BENCH_SERVICE_ROOT', 'BENCH_SERVICE_REV']) delete env[k];
  log(`pair ${pair}: ${side} (${target?.commit.slice(0, 8) ?? 'this checkout'})`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', 'run.ts'), ...benchArgs, `--out=${out}`], { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`bench (${side}, pair ${pair}) exited with ${r.status ?? r.signal}`);
  return JSON.parse(readFileSync(path.join(out, 'latest.json'), 'utf8')) as BenchReport;
}

const options = parse(process.argv.slice(2));
const before = exportRevision(options.before);
const after = options.after === undefined ? undefined : exportRevision(options.after);
const pairs: Pair[] = [];
for (let i = 1; i <= options.pairs; i++) {
  // Odd pairs run the before side first, even pairs the after side.
  const sides = i % 2 === 1 ? (['before', 'after'] as const) : (['after', 'before'] as const);
  const reports: Partial<Pair> = {};
  for (const side of sides) reports[side] = runBench(side, i, side === 'before' ? before : after, options.benchArgs);
  pairs.push(reports as Pair);
}
const afterName = after ? after.commit.slice(0, 8) : `${git('rev-parse', 'HEAD').slice(0, 8)}${git('status', '--porcelain') ? ' (with uncommitted changes)' : ''}`;
const load = pairs.flatMap((p) => [p.before, p.after]).map((r) => r.machine.loadAverageAtStart[0]!.toFixed(1));
process.stdout.write(
  [
    '',
    `Before ${before.commit.slice(0, 8)}, after ${afterName}; ${options.pairs} pair(s) of \`npm run bench -- ${options.benchArgs.join(' ')}\`, alternating; load average at each start: ${load.join(', ')}.`,
    '',
    renderComparison(compare(pairs)),
    '',
  ].join('\n'),
);
