// The periods of the visitor hash's salts (docs/metrics.md § Visitor) and the port the collect use
// case reads them through. Periods are UTC days and months, named `day:YYYY-MM-DD` and
// `month:YYYY-MM`, so they sort as text in time order within each kind.
import type { VisitorIdMode } from '#contract';

/** The modes that hash: each has its own salts. */
export type HashMode = Exclude<VisitorIdMode, 'anonymous_id'>;

/** Where the collect use case gets a period's salt; the service's is salt-store.ts. */
export interface VisitorSalts {
  /** The 32-byte salt of the period holding `at` for that mode, or undefined when none can be had now (database away). */
  saltFor(mode: HashMode, at: Date): Promise<Uint8Array | undefined>;
}

/** The salt period holding `at`: `day:2026-11-30` (daily) or `month:2026-11` (monthly), in UTC. */
export function saltPeriod(mode: HashMode, at: Date): string {
  const iso = at.toISOString();
  return mode === 'daily' ? `day:${iso.slice(0, 10)}` : `month:${iso.slice(0, 7)}`;
}

/** The salts a collector holds at `at`: the current and the next day and month, made ahead so a period change needs no database. */
export function periodsToKeep(at: Date): string[] {
  const nextDay = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() + 1));
  const nextMonth = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));
  return [saltPeriod('daily', at), saltPeriod('daily', nextDay), saltPeriod('monthly', at), saltPeriod('monthly', nextMonth)];
}

/** True when the period ended before `at` (then its salt is deleted: no hash can be linked to an address again). */
export function periodIsOver(period: string, at: Date): boolean {
  if (period.startsWith('day:')) return period < saltPeriod('daily', at);
  if (period.startsWith('month:')) return period < saltPeriod('monthly', at);
  return false;
}
