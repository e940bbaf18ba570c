// The chaos client's ledger: every event it created, with what it sent, written down before the
// event leaves the client. The verdict counts against it, never against the database's own view
// of itself. Pure: no I/O.

/**
 * How an event's time was sent, which decides what must be stored:
 * - fresh: a valid client time, stored as `timestamp` unchanged;
 * - none: no time; the collector stamps receipt time (so a retry gets a new one);
 * - future: the client clock 20 min fast; clamped to receipt time, the sent time kept in
 *   `client_timestamp` with `timestamp_adjustment` = clamped_future;
 * - past: 8 days old; the same with clamped_past;
 * - foreign: written straight to Kafka by another producer without any time field; the pipeline
 *   takes the Kafka record time (so a second copy gets a new one).
 */
export type TimeKind = 'fresh' | 'none' | 'future' | 'past' | 'foreign';

const TIME_KINDS: readonly TimeKind[] = ['fresh', 'none', 'future', 'past', 'foreign'];

export interface LedgerEntry {
  kind: TimeKind;
  eventType: string;
  pageUrl: string;
  /** The time the client sent, epoch ms (fresh, future, past). */
  sentMs?: number;
}

/** What one stored row says about an event's time (epoch ms; null when the column is NULL). */
export interface StoredTime {
  id: string;
  timestampMs: number;
  adjustment: string | null;
  clientTimestampMs: number | null;
}

const ADJUSTMENT: Partial<Record<TimeKind, string>> = { future: 'clamped_future', past: 'clamped_past' };

export class Ledger {
  readonly entries = new Map<string, LedgerEntry>();

  record(id: string, entry: LedgerEntry): void {
    this.entries.set(id, entry);
  }

  get ids(): string[] {
    return [...this.entries.keys()];
  }

  /** Events per time kind. */
  kinds(): Record<TimeKind, number> {
    const out = Object.fromEntries(TIME_KINDS.map((k) => [k, 0])) as Record<TimeKind, number>;
    for (const e of this.entries.values()) out[e.kind]++;
    return out;
  }

  /** The counts analytics_summary must add up to, per `event_type` and `page_url` (key `type page`). */
  expectedCounts(): Map<string, number> {
    const out = new Map<string, number>();
    for (const e of this.entries.values()) {
      const key = countKey(e.eventType, e.pageUrl);
      out.set(key, (out.get(key) ?? 0) + 1);
    }
    return out;
  }

  /**
   * Rows whose time columns are not what the client's sending implies (see TimeKind). A clamped
   * event must keep the sent time in client_timestamp; every other row has both columns NULL; a
   * fresh event keeps its time exactly. Rows the ledger does not know are not counted here.
   */
  wrongTimes(rows: Iterable<StoredTime>): number {
    let wrong = 0;
    for (const row of rows) {
      const e = this.entries.get(row.id);
      if (!e) continue;
      const adjustment = ADJUSTMENT[e.kind] ?? null;
      const ok =
        row.adjustment === adjustment &&
        (adjustment === null ? row.clientTimestampMs === null : row.clientTimestampMs === e.sentMs) &&
        (e.kind !== 'fresh' || row.timestampMs === e.sentMs);
      if (!ok) wrong++;
    }
    return wrong;
  }
}

export function countKey(eventType: string, pageUrl: string): string {
  return `${eventType} ${pageUrl}`;
}

/** Keys whose counts differ between two tallies (a key missing on one side counts as 0 there). */
export function differingCounts(expected: ReadonlyMap<string, number>, actual: ReadonlyMap<string, number>): number {
  let n = 0;
  for (const [key, count] of expected) if ((actual.get(key) ?? 0) !== count) n++;
  for (const [key, count] of actual) if (!expected.has(key) && count !== 0) n++;
  return n;
}
