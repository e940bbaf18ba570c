// String formats used by the contract, registered once with TypeBox's validator.
import { isIP } from 'node:net';
import { FormatRegistry } from '@sinclair/typebox';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// RFC 3339 date-time (section 5.6), as JSON Schema's `date-time` format means it: an offset is
// required, and at most microseconds, the precision PostgreSQL stores.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

const NIL_OR_MAX_UUID = /^(?:0{8}-0{4}-0{4}-0{4}-0{12}|f{8}-f{4}-f{4}-f{4}-f{12})$/i;

/**
 * The nil and max UUIDs (RFC 9562 sections 5.9, 5.10) are placeholders, not ids: as event_id,
 * every client sending one would have its events merged with every other's by the deduplication.
 */
export function isPlaceholderUuid(value: string): boolean {
  return NIL_OR_MAX_UUID.test(value);
}

const daysIn = (year: number, month: number) =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

/**
 * Strict RFC 3339: a real calendar day (2026-11-31 and 2025-02-29 are refused, not rolled over
 * to the next month as Date.parse does), hours 00-23, minutes and seconds 00-59 (a leap second
 * cannot be stored), an offset within ±23:59.
 */
export function isDateTime(value: string): boolean {
  const m = DATE_TIME.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return false;
  if (hour > 23 || minute > 59 || second > 59) return false;
  if (m[7] !== undefined && (Number(m[7]) > 23 || Number(m[8]) > 59)) return false;
  return !Number.isNaN(Date.parse(value));
}

export function isHttpUrl(value: string): boolean {
  if (!/^https?:\/\//i.test(value)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0;
  } catch {
    return false;
  }
}

export function registerFormats(): void {
  if (!FormatRegistry.Has('uuid')) FormatRegistry.Set('uuid', isUuid);
  if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', isDateTime);
  if (!FormatRegistry.Has('http-url')) FormatRegistry.Set('http-url', isHttpUrl);
  // IPv4 dotted quad or IPv6 (RFC 4291 text forms), as Node's resolver reads them.
  if (!FormatRegistry.Has('ip')) FormatRegistry.Set('ip', (value) => isIP(value) !== 0);
}
