// RFC 3339 allows what PostgreSQL's timestamptz input does not: offsets beyond ±15:59
// (`+16:00` … `±23:59`, "time zone displacement out of range") and the year 0000 (ISO 8601's
// 1 BC, "date/time field value out of range"). timestamptz stores an instant, never the offset
// it was written with, so such a value is stored as the same instant written in UTC (and with
// "BC" for years before 1). The contract's date-times (years 0000-9999, offsets up to ±23:59)
// are instants from 2 BC to 10000 AD: inside both timestamptz (4713 BC to 294276 AD) and a
// JavaScript Date (±8.64e15 ms), so every accepted date-time is stored as its instant.

const PARTS = /^(\d{4})-\d{2}-\d{2}[Tt](\d{2}:\d{2}:\d{2})(\.\d{1,6})?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * A text timestamptz parses as the instant `value` (a contract date-time) names. Nearly every
 * value passes through unchanged; the rare ones PostgreSQL would refuse are rewritten in UTC.
 */
export function postgresTimestamp(value: string): string {
  const m = PARTS.exec(value);
  if (m === null) return value; // not a contract date-time: left for the database to judge
  const offsetHours = m[5] === undefined ? 0 : Number(m[5]);
  if (m[1] !== '0000' && offsetHours <= 15) return value;
  // Offsets are whole minutes, so the fraction (up to microseconds, more than a Date holds) is
  // unchanged by the shift to UTC; the Date carries only the whole seconds.
  const d = new Date(Date.parse(value.replace(/\.\d+/, '')));
  const year = d.getUTCFullYear();
  const date = `${pad(year > 0 ? year : 1 - year, 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${m[3] ?? ''}`;
  return `${date} ${time}+00${year > 0 ? '' : ' BC'}`;
}
