// Range bounds in microseconds: a bound's SQL text keeps digits its Date (milliseconds) drops. Pure.

/** Microseconds since the epoch of a bound: its Date plus the 4th–6th fractional digits of its SQL text. */
export function boundMicros(date: Date, sql: string): number {
  const fraction = /\.(\d{4,6})(?:Z|[+-]\d{2}:\d{2})?$/i.exec(sql)?.[1];
  return date.getTime() * 1000 + (fraction === undefined ? 0 : Number(fraction.padEnd(6, '0').slice(3)));
}

/** True when the bound lies after its Date's millisecond (sub-millisecond digits other than zeros). */
export const beyondMillisecond = (date: Date, sql: string): boolean => boundMicros(date, sql) !== date.getTime() * 1000;

/** An instant in microseconds as an exact UTC timestamptz literal (milliseconds only when that is exact). */
export function microsSql(us: number): string {
  const ms = Math.floor(us / 1000);
  const rest = us - ms * 1000;
  const iso = new Date(ms).toISOString();
  return rest === 0 ? iso : iso.replace('Z', `${String(rest).padStart(3, '0')}Z`);
}
