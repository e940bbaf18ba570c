// What each panel must show for the seed, computed in plain TypeScript from the seed rows with
// the panel's stated meaning (Grafana's BETWEEN is inclusive at both ends; summary panels count
// an event when its minute bucket lies in the range). The analytics panels count bots only when
// `$include_bots` is on (`includeBots`); the pipeline panels count every stored event.
import { refVisits, type RawEvent, type RefVisit } from '../api/reference.ts';
import type { Seed, SeedEvent } from './seed.ts';

const MINUTE = 60_000;
const minuteOf = (t: Date): number => Math.floor(t.getTime() / MINUTE) * MINUTE;
const inRange = (seed: Seed, ms: number): boolean => ms >= seed.from.getTime() && ms <= seed.to.getTime();

const inMinutes = (seed: Seed): SeedEvent[] => seed.events.filter((e) => inRange(seed, minuteOf(e.timestamp)));
const summaryEvents = (seed: Seed, includeBots: boolean): SeedEvent[] => inMinutes(seed).filter((e) => includeBots || !e.is_bot);
const rawEvents = (seed: Seed, includeBots: boolean): SeedEvent[] => seed.events.filter((e) => inRange(seed, e.timestamp.getTime()) && (includeBots || !e.is_bot));
export const receivedEvents = (seed: Seed): SeedEvent[] => seed.events.filter((e) => inRange(seed, e.received_at.getTime()));
export const rejectedInRange = (seed: Seed) => seed.rejected.filter((r) => inRange(seed, r.rejected_at.getTime()));

function countBy<T>(items: T[], key: (item: T) => string): Map<string, number> {
  const out = new Map<string, number>();
  for (const item of items) out.set(key(item), (out.get(key(item)) ?? 0) + 1);
  return out;
}

/** Long-format series `time|metric -> value`, with time floored to `bucketMs` (ms since epoch). */
export function bucketed<T>(items: T[], time: (item: T) => number, bucketMs: number, metric: (item: T) => string = () => ''): Map<string, number> {
  return countBy(items, (item) => `${Math.floor(time(item) / bucketMs) * bucketMs}|${metric(item)}`);
}

export function totalEvents(seed: Seed, includeBots: boolean): number {
  return summaryEvents(seed, includeBots).length;
}

/** Bot events of the range's minutes that the panels left out: none when they include bots. */
export function botEventsExcluded(seed: Seed, includeBots: boolean): number {
  return includeBots ? 0 : inMinutes(seed).filter((e) => e.is_bot).length;
}

export function eventsByType(seed: Seed, includeBots: boolean): [string, number][] {
  return [...countBy(summaryEvents(seed, includeBots), (e) => e.event_type)].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

export function eventsOverTime(seed: Seed, intervalMs: number, includeBots: boolean): Map<string, number> {
  return bucketed(summaryEvents(seed, includeBots), (e) => minuteOf(e.timestamp), intervalMs, (e) => e.event_type);
}

/** Every minute from the first whole minute >= from to `to`, with its event count. */
export function eventsPerMinute(seed: Seed, includeBots: boolean): [number, number][] {
  const counts = countBy(summaryEvents(seed, includeBots), (e) => String(minuteOf(e.timestamp)));
  const out: [number, number][] = [];
  for (let m = Math.ceil(seed.from.getTime() / MINUTE) * MINUTE; m <= seed.to.getTime(); m += MINUTE) out.push([m, counts.get(String(m)) ?? 0]);
  return out;
}

export function recentEvents(seed: Seed, includeBots: boolean, limit = 100): SeedEvent[] {
  return rawEvents(seed, includeBots)
    .sort((a, b) => b.timestamp.getTime() - a.timestamp.getTime())
    .slice(0, limit);
}

export function uniqueSessions(seed: Seed, includeBots: boolean): number {
  return new Set(rawEvents(seed, includeBots).map((e) => e.session_id).filter((s) => s !== null)).size;
}

export function topPages(seed: Seed, includeBots: boolean, limit = 10): { page: string; views: number; events: number }[] {
  const rows = new Map<string, { page: string; views: number; events: number }>();
  for (const e of summaryEvents(seed, includeBots)) {
    const row = rows.get(e.page_url) ?? { page: e.page_url, views: 0, events: 0 };
    row.events += 1;
    if (e.event_type === 'page_view') row.views += 1;
    rows.set(e.page_url, row);
  }
  return [...rows.values()].sort((a, b) => b.views - a.views || b.events - a.events || (a.page < b.page ? -1 : 1)).slice(0, limit);
}

export function consumedStoredRejected(seed: Seed): { consumed: number; stored: number; rejected: number; rejectedPct: number } {
  const stored = receivedEvents(seed).length;
  const rejected = rejectedInRange(seed).length;
  const consumed = stored + rejected;
  return { consumed, stored, rejected, rejectedPct: consumed === 0 ? 0 : Math.round((10_000 * rejected) / consumed) / 100 };
}

export function deadLetteredByReason(seed: Seed): { reason: string; messages: number; lastSeen: number }[] {
  const rows = new Map<string, { reason: string; messages: number; lastSeen: number }>();
  for (const r of rejectedInRange(seed)) {
    const row = rows.get(r.reason) ?? { reason: r.reason, messages: 0, lastSeen: 0 };
    row.messages += 1;
    row.lastSeen = Math.max(row.lastSeen, r.rejected_at.getTime());
    rows.set(r.reason, row);
  }
  return [...rows.values()].sort((a, b) => b.messages - a.messages || (a.reason < b.reason ? -1 : 1));
}

export function newestReceived(seed: Seed): number {
  return Math.max(...seed.events.map((e) => e.received_at.getTime()));
}

/** A panel's time range: the seed's, or a narrower one some cases ask for. */
export interface Range {
  from: Date;
  to: Date;
}

/**
 * The visits whose start lies in the range (both ends included, as Grafana's BETWEEN), recomputed
 * from the stored events by docs/metrics.md (test/api/reference.ts: measures from the events, not
 * from the visits table or the rollups), bots only when included.
 */
function rangeVisits(raw: readonly RawEvent[], range: Range, includeBots: boolean): RefVisit[] {
  const [fromUs, toUs] = [range.from.getTime() * 1000, range.to.getTime() * 1000];
  return [...refVisits(raw).values()].filter((v) => v.startUs >= fromUs && v.startUs <= toUs && (includeBots || !v.is_bot));
}

export function visits(raw: readonly RawEvent[], range: Range, includeBots: boolean): number {
  return rangeVisits(raw, range, includeBots).length;
}

export function bounceRate(raw: readonly RawEvent[], range: Range, includeBots: boolean): number | null {
  const counted = rangeVisits(raw, range, includeBots);
  const viewed = counted.filter((v) => v.pageviews > 0).length;
  return viewed === 0 ? null : counted.filter((v) => v.bounced).length / viewed;
}

/** Visits and distinct visitors per value of a visit attribute, most visits first. */
export function visitsBy(raw: readonly RawEvent[], range: Range, includeBots: boolean, attribute: 'referrer' | 'device', none: string): { value: string; visits: number; visitors: number }[] {
  const groups = new Map<string, RefVisit[]>();
  for (const v of rangeVisits(raw, range, includeBots)) {
    const value = v.attributes[attribute] ?? none;
    groups.set(value, [...(groups.get(value) ?? []), v]);
  }
  return [...groups]
    .map(([value, list]) => ({ value, visits: list.length, visitors: new Set(list.map((v) => v.visitor_id)).size }))
    .sort((a, b) => b.visits - a.visits || b.visitors - a.visitors || (a.value < b.value ? -1 : 1));
}
