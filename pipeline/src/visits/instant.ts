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

/** The UTC ISO-8601 form with six fraction digits, which timestamptz reads back exactly. */
export function fromMicros(us: number): string {
  const ms = Math.floor(us / 1000);
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, -1)}${String(us - ms * 1000).padStart(3, '0')}Z`;
}
