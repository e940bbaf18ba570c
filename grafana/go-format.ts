// Go's formatting and duration parsing as Grafana's backend uses them, so expanded SQL matches
// what Grafana sends to the database character for character (`%v` of a float, RFC3339Nano,
// time.ParseDuration, gtime.ParseInterval, gtime.FormatInterval).
import type { Result } from '../lib/result.ts';

const NS_PER: Record<string, number> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3, // U+00B5
  'μs': 1e3, // U+03BC
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** Go's fmt `%v` of a float64: shortest digits, exponent form below 1e-4 and from 1e6 on. */
export function goFloat(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'NaN' : x > 0 ? '+Inf' : '-Inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const [mantissa, expText] = x.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(x);
}

/** Go's `%.3f`. */
export function goFixed3(x: number): string {
  return x.toFixed(3);
}

/** Go's time.Format(time.RFC3339Nano) of a UTC time: trailing zeros of the fraction dropped. */
export function rfc3339Nano(date: Date): string {
  const iso = date.toISOString(); // 2026-01-02T03:04:05.120Z
  const [whole, fraction] = iso.slice(0, -1).split('.') as [string, string | undefined];
  const trimmed = (fraction ?? '').replace(/0+$/, '');
  return trimmed ? `${whole}.${trimmed}Z` : `${whole}Z`;
}

/** Go's time.ParseDuration, in nanoseconds. */
export function parseGoDuration(input: string): Result<number> {
  const fail: Result<number> = { ok: false, error: `time: invalid duration "${input}"` };
  let s = input;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return { ok: true, value: 0 };
  if (s === '') return fail;
  const part = /^(\d*)(?:\.(\d*))?([^\d.]+)/;
  let total = 0;
  while (s.length > 0) {
    const m = part.exec(s);
    if (!m) return fail;
    const [all, intPart = '', fracPart, unitText = ''] = m;
    if (intPart === '' && (fracPart === undefined || fracPart === '')) return fail;
    const unit = NS_PER[unitText];
    if (unit === undefined) return { ok: false, error: `time: unknown unit "${unitText}" in duration "${input}"` };
    total += Number(intPart || '0') * unit + (fracPart ? Number(`0.${fracPart}`) * unit : 0);
    s = s.slice(all.length);
  }
  return { ok: true, value: sign * Math.round(total) };
}

/**
 * gtime.ParseInterval: Go durations plus `Nd`, `Nw`, `NM`, `Ny`, the last two measured from `now`
 * in UTC (a month is as long as the calendar makes it).
 */
export function parseInterval(input: string, now: Date): Result<number> {
  const m = /^(\d+)([dwMy])$/.exec(input);
  if (!m) return parseGoDuration(input);
  const n = Number(m[1]);
  const y = now.getUTCFullYear();
  const mo = now.getUTCMonth();
  const d = now.getUTCDate();
  const rest = [now.getUTCHours(), now.getUTCMinutes(), now.getUTCSeconds(), now.getUTCMilliseconds()] as const;
  const shifted =
    m[2] === 'd' ? Date.UTC(y, mo, d + n, ...rest)
    : m[2] === 'w' ? Date.UTC(y, mo, d + 7 * n, ...rest)
    : m[2] === 'M' ? Date.UTC(y, mo + n, d, ...rest)
    : Date.UTC(y + n, mo, d, ...rest);
  return { ok: true, value: (shifted - now.getTime()) * 1e6 };
}

/** gtime.FormatInterval: the largest whole unit, e.g. 90 s -> `1m`. */
export function formatInterval(ms: number): string {
  const units: [number, string][] = [
    [365 * 86_400_000, 'y'],
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1000, 's'],
    [1, 'ms'],
  ];
  for (const [size, unit] of units) {
    if (ms >= size) return `${Math.trunc(ms / size)}${unit}`;
  }
  return '1ms';
}
