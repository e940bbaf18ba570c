// Pure statistics for benchmark rounds and latency samples.

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Nearest-rank percentile (p in 0..100) of an unsorted sample. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * s.length));
  return s[Math.min(rank, s.length) - 1]!;
}

/** Count, p50, p99, max and mean; a million samples too (no spread into Math.max). */
export function summarize(xs: readonly number[]): { count: number; p50: number; p99: number; max: number; mean: number } {
  const mean = xs.length === 0 ? Number.NaN : xs.reduce((a, x) => a + x, 0) / xs.length;
  return { count: xs.length, p50: percentile(xs, 50), p99: percentile(xs, 99), max: xs.length === 0 ? Number.NaN : xs.reduce((a, x) => Math.max(a, x), -Infinity), mean };
}
