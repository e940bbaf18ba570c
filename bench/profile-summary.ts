// Summarises a V8 .cpuprofile (node --cpu-prof, or BENCH_CPU_PROF=1 npm run bench): self time by
// function and by file, the quickest way to see where a service spends its CPU.
// Usage: node --import tsx bench/profile-summary.ts <file.cpuprofile> [top=25] [--window=FROM-TO (seconds)]
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const [file, topArg] = args.filter((a) => !a.startsWith('--'));
if (!file) throw new Error('usage: bench/profile-summary.ts <file.cpuprofile> [top] [--window=FROM-TO]');
const top = Number(topArg ?? 25);
// Seconds from the profile's start: one phase of a benchmark (the per-second busy line finds them).
const windowArg = args.find((a) => a.startsWith('--window='));
const [fromS, toS] = windowArg === undefined ? [0, Infinity] : windowArg.slice('--window='.length).split('-').map(Number) as [number, number];
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parentOf = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
const selfUs = new Map<number, number>();
const busyPerSecond: [number, number][] = [];
let at = 0;
profile.samples.forEach((id, i) => {
  const us = profile.timeDeltas[i] ?? 0;
  at += us;
  const second = Math.floor(at / 1e6);
  const slot = (busyPerSecond[second] ??= [0, 0]);
  slot[1] += us;
  if (byId.get(id)!.callFrame.functionName !== '(idle)') slot[0] += us;
  if (at >= fromS * 1e6 && at < toS * 1e6) selfUs.set(id, (selfUs.get(id) ?? 0) + us);
});
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
process.stdout.write(`busy share per second: ${busyPerSecond.map((b, s) => `${s}:${b === undefined ? '-' : Math.round((100 * b[0]) / b[1])}`).join(' ')}\n`);

const shortUrl = (url: string) => url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, 'nm:').replace(/^.*\/work\/[^/]+\//, '');
const fnKey = (n: Node) => `${n.callFrame.functionName || '(anonymous)'} ${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
const fileKey = (n: Node) => (n.callFrame.url ? shortUrl(n.callFrame.url).replace(/^(nm:(@[^/]+\/)?[^/]+).*$/, '$1') : n.callFrame.functionName);

function table(title: string, key: (n: Node) => string): void {
  const sums = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const k = key(byId.get(id)!);
    sums.set(k, (sums.get(k) ?? 0) + us);
  }
  process.stdout.write(`\n${title} (total ${(total / 1e6).toFixed(2)} s sampled)\n`);
  for (const [k, us] of [...sums].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`${((us / total) * 100).toFixed(1).padStart(6)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}\n`);
  }
}

table('self time by file/package', fileKey);
table('self time by function', fnKey);

// Time in a function and everything it called (each function once per sample), as a share of
// the busy (not idle) time: which step of a request path costs what.
const inclusive = new Map<string, number>();
let busy = 0;
for (const [id, us] of selfUs) {
  if (byId.get(id)!.callFrame.functionName === '(idle)') continue;
  busy += us;
  const seen = new Set<string>();
  for (let node: number | undefined = id; node !== undefined; node = parentOf.get(node)) seen.add(fnKey(byId.get(node)!));
  for (const k of seen) inclusive.set(k, (inclusive.get(k) ?? 0) + us);
}
process.stdout.write(`\ntime including callees, share of the busy ${(busy / 1e6).toFixed(2)} s\n`);
for (const [k, us] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top * 2)) {
  process.stdout.write(`${((us / busy) * 100).toFixed(1).padStart(6)}%  ${k}\n`);
}
