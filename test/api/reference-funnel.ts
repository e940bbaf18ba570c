// The brute-force reference of docs/metrics.md § Funnels, in TypeScript over raw rows: every
// step-1 event in the range starts an attempt, each attempt is walked step by step (the earliest
// fitting event for each next step, ordered; the very next event, strict), and each unit keeps the
// furthest step of any attempt and its shortest time to each step. Written from the text, apart
// from api/src/query/funnel-sql.ts (which never enumerates attempts).
import type pg from 'pg';
import { countedEvents, type RawEvent, type RefQuery, type RefVisit } from './reference.ts';

export interface RefStep {
  event_type: string;
  page?: string;
  button_id?: string;
  metadata?: Record<string, string>;
}

export interface RefFunnelQuery extends RefQuery {
  steps: RefStep[];
  order: 'ordered' | 'strict';
  unit: 'visit' | 'visitor' | 'user';
  windowUs: number;
  nowUs: number;
  /** A visit attribute of the unit's first step-1 event's visit. */
  breakdown?: 'referrer' | 'device';
}

/** Each event's metadata as text values (what `->>` gives), by event id. */
export async function readMetadata(pool: pg.Pool, projectId: string): Promise<Map<string, Record<string, string>>> {
  const { rows } = await pool.query<{ id: string; m: Record<string, unknown> }>('SELECT event_id::text AS id, metadata AS m FROM analytics_events WHERE project_id = $1', [projectId]);
  return new Map(rows.map((r) => [r.id, Object.fromEntries(Object.entries(r.m).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]))]));
}

const order = (a: RawEvent, b: RawEvent) => a.us - b.us || (a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0);

function matches(e: RawEvent, s: RefStep, metadata: Map<string, Record<string, string>>): boolean {
  if (e.event_type !== s.event_type) return false;
  if (s.page !== undefined && e.page !== s.page) return false;
  if (s.button_id !== undefined && e.button_id !== s.button_id) return false;
  const m = metadata.get(e.event_id) ?? {};
  return Object.entries(s.metadata ?? {}).every(([k, v]) => m[k] === v);
}

interface UnitResult {
  reached: number;
  /** Shortest µs from a step-1 event to step k (index k − 1). */
  times: (number | undefined)[];
  open: boolean;
  value: string | null;
}

function walkUnit(events: RawEvent[], q: RefFunnelQuery, metadata: Map<string, Record<string, string>>, visits: Map<string, RefVisit>): UnitResult | undefined {
  const n = q.steps.length;
  const result: UnitResult = { reached: 0, times: new Array(n).fill(undefined), open: false, value: null };
  let first = true;
  for (let i = 0; i < events.length; i++) {
    const start = events[i]!;
    if (start.us < q.fromUs || start.us >= q.toUs || !matches(start, q.steps[0]!, metadata)) continue;
    if (first) {
      const visit = start.visit_id === null ? undefined : visits.get(start.visit_id);
      result.value = visit?.attributes[q.breakdown ?? 'referrer'] ?? null;
      first = false;
    }
    if (start.us + q.windowUs > q.nowUs) result.open = true;
    let at = i;
    let k = 1;
    result.times[0] = 0;
    for (; k < n; k++) {
      let next = -1;
      if (q.order === 'strict') next = at + 1 < events.length && matches(events[at + 1]!, q.steps[k]!, metadata) ? at + 1 : -1;
      else for (let j = at + 1; j < events.length && next < 0; j++) if (matches(events[j]!, q.steps[k]!, metadata)) next = j;
      if (next < 0 || events[next]!.us - start.us > q.windowUs) break;
      at = next;
      const t = events[at]!.us - start.us;
      result.times[k] = Math.min(result.times[k] ?? Infinity, t);
    }
    result.reached = Math.max(result.reached, k);
  }
  return first ? undefined : result;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function stepsOf(units: UnitResult[], q: RefFunnelQuery) {
  const counts = q.steps.map((_, k) => units.filter((u) => u.reached > k).length);
  return q.steps.map((s, k) => {
    const open = k === 0 ? 0 : units.filter((u) => u.reached === k && u.open).length;
    const times = k === 0 ? [] : units.filter((u) => u.reached > k).map((u) => u.times[k]!);
    return {
      step: k + 1,
      event_type: s.event_type,
      count: counts[k]!,
      conversion_rate: counts[0] === 0 ? null : counts[k]! / counts[0]!,
      step_conversion_rate: k === 0 ? (counts[0] === 0 ? null : 1) : counts[k - 1] === 0 ? null : counts[k]! / counts[k - 1]!,
      drop_off: k === 0 ? 0 : counts[k - 1]! - counts[k]! - open,
      in_progress: open,
      median_time_to_convert_ms: times.length === 0 ? null : Math.round(median(times)) / 1000,
      avg_time_to_convert_ms: times.length === 0 ? null : Math.round(times.reduce((a, b) => a + b, 0) / times.length) / 1000,
    };
  });
}

export function refFunnel(raw: readonly RawEvent[], visits: Map<string, RefVisit>, metadata: Map<string, Record<string, string>>, q: RefFunnelQuery) {
  const counted = countedEvents(raw, visits, { ...q, toUs: q.toUs + q.windowUs });
  const byUnit = new Map<string, RawEvent[]>();
  for (const e of counted) {
    const unit = q.unit === 'visit' ? e.visit_id : q.unit === 'visitor' ? e.visitor_id : e.user_id;
    if (unit !== null) (byUnit.get(unit) ?? byUnit.set(unit, []).get(unit)!).push(e);
  }
  const units = [...byUnit.values()].map((events) => walkUnit(events.sort(order), q, metadata, visits)).filter((u): u is UnitResult => u !== undefined);
  const answer: { steps: ReturnType<typeof stepsOf>; breakdown?: { value: string | null; steps: ReturnType<typeof stepsOf> }[] } = { steps: stepsOf(units, q) };
  if (q.breakdown !== undefined) {
    const values = [...new Set(units.map((u) => u.value))];
    answer.breakdown = values.map((value) => ({ value, steps: stepsOf(units.filter((u) => u.value === value), q) }));
  }
  return answer;
}
