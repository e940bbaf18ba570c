// The benchmark report: one typed record per measurement, rendered as the console/Markdown table
// the README quotes and as JSON (bench/results/latest.json). Pure: no I/O here.
import type { Machine } from './machine.ts';
import { CASES, type Settings } from './modes.ts';

interface Target {
  /** e.g. ">= 0.5x bare Fastify" */
  text: string;
  met: boolean;
}

export interface BenchResult {
  /** Stable key, e.g. "collector_single". */
  id: string;
  /** Table label, e.g. "1. Collector, 1 event/request (c=50)". */
  title: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number; unit: string };
  /** value / baseline (or the reverse for times, so that higher is better). */
  ratio?: number;
  target?: Target;
  /** Everything else worth keeping: rounds, latencies, counts. */
  details: Record<string, unknown>;
}

export interface BenchReport {
  schemaVersion: 1;
  mode: Settings['mode'];
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  git: { commit: string; dirty: boolean; serviceRoot?: string };
  machine: Machine;
  settings: Settings & { collectorEnv: Record<string, string>; pipelineEnv: Record<string, string>; serviceNodeFlags: string[] };
  results: BenchResult[];
  notes: string[];
}

function fmt(x: number, unit = ''): string {
  if (!Number.isFinite(x)) return 'n/a';
  const abs = Math.abs(x);
  const s = abs >= 1000 ? Math.round(x).toLocaleString('en-US') : abs >= 100 ? x.toFixed(0) : abs >= 10 ? x.toFixed(1) : x.toFixed(2);
  return unit ? `${s} ${unit}` : s;
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

export function renderTable(results: readonly BenchResult[]): string {
  const lines = ['| benchmark | measured | baseline (same run) | ratio | target | met |', '|---|---:|---|---:|---|:---:|'];
  for (const r of results) {
    const baseline = r.baseline ? `${r.baseline.name}: ${fmt(r.baseline.value, r.baseline.unit)}` : '';
    const ratio = r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x`;
    const met = r.target === undefined ? '' : r.target.met ? 'yes' : '**no**';
    lines.push(`| ${cell(r.title)} | ${fmt(r.value, r.unit)} | ${cell(baseline)} | ${ratio} | ${cell(r.target?.text ?? '')} | ${met} |`);
  }
  return lines.join('\n');
}

function renderMachine(m: Machine): string {
  return [
    `${m.cpuModel}, ${m.cores} cores, ${fmt(m.memoryGiB)} GiB RAM, ${m.os}`,
    `Node ${m.node}, ${m.java}, PostgreSQL ${m.postgres} (${m.dbFlavor}), Apache Kafka ${m.kafka}, autocannon ${m.autocannon}`,
    `load average at start ${m.loadAverageAtStart.map((l) => l.toFixed(2)).join(' / ')} (the machine is shared; ratios within one run are what count)`,
  ].join('; ');
}

/** The command that made the report, as far as its mode and its cases go (other sizes are in latest.json's settings). */
export function benchCommand(report: Pick<BenchReport, 'mode' | 'settings'>): string {
  const args = [...(report.mode === 'full' ? [] : [`--${report.mode}`]), ...(report.settings.cases.length < CASES.length ? [`--only=${report.settings.cases.join(',')}`] : [])];
  return args.length === 0 ? 'npm run bench' : `npm run bench -- ${args.join(' ')}`;
}

export function renderMarkdown(report: BenchReport): string {
  const when = `${report.startedAt.slice(0, 16).replace('T', ' ')} UTC`;
  return [
    `Benchmark run (\`${benchCommand(report)}\`), ${when}, commit \`${report.git.commit.slice(0, 8)}\`${report.git.dirty ? ' (working tree had uncommitted changes)' : ''}, ${fmt(report.durationSeconds)} s.`,
    '',
    renderTable(report.results),
    '',
    `Machine: ${renderMachine(report.machine)}.`,
    '',
    ...report.notes.map((n) => `- ${n}`),
    '',
  ].join('\n');
}
