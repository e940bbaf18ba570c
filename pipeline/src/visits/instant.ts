// Event times as integer microseconds since the epoch: PostgreSQL keeps microseconds, so ordering
// and tie-breaks in JavaScript must too (Date keeps only milliseconds). Exact up to the year 2255
// (2^53 µs); later instants (only other producers' data can carry them) lose a few µs of order.

const FRACTION = /[.,](\d+)/;
// The UTC form postgresTimestamp writes for instants an ISO string cannot give timestamptz.
const POSTGRES_UTC = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.\d+)?\+00( BC)?$/;

/** Microseconds of a fraction's digits, rounded to the nearest microsecond as timestamptz does. */
const fractionMicros = (digits: string) => Number(digits.slice(0, 6).padEnd(6, '0')) + (digits.length > 6 && digits[6]! >= '5' ? 1 : 0);

/** Microseconds of a date-time as the pipeline writes it (ISO-8601, any offset, or postgresTimestamp's UTC form). */
export function toMicros(text: string): number {
  // Fast path: the form Date.toISOString writes (and the collector sends), to the millisecond.
  if (text.length === 24 && text.charCodeAt(23) === 90 && text.charCodeAt(19) === 46) return Date.parse(text) * 1000;
  const digits = FRACTION.exec(text)?.[1] ?? '';
  const m = POSTGRES_UTC.exec(text);
  if (m !== null) {
    const d = new Date(Date.UTC(2000, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
    d.setUTCFullYear(m[7] ? 1 - Number(m[1]) : Number(m[1]));
    return d.getTime() * 1000 + fractionMicros(digits);
  }
  // Date.parse keeps the first three fraction digits (the milliseconds); the rest are added here.
  const ms = Date.parse(text);
  return digits.length <= 3 ? ms * 1000 : ms * 1000 + fractionMicros(digits) - Number(digits.slice(0, 3)) * 1000;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * The instant as text timestamptz reads back exactly: ISO-8601 in UTC with six fraction digits,
 * or, before the year 1, PostgreSQL's own `… BC` form (ISO's year 0000 is 1 BC).
 */
export function fromMicros(us: number): string {
  const ms = Math.floor(us / 1000);
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}${pad(us - ms * 1000, 3)}`;
  const date = `${pad(year > 0 ? year : 1 - year, 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  return year > 0 ? `${date}T${time}Z` : `${date} ${time}+00 BC`;
}
