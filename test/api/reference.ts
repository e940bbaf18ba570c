// The brute-force reference of docs/metrics.md § Reports over a range, in TypeScript over the raw
// rows of analytics_events: the counted events, the counted visits and the stats, with each
// visit's measures recomputed from its events (not read from the visits table). The property
// tests hold every report route to it. It is the definitions document in code: written from the
// text, sharing nothing with api/src but the names of the filters.
import type pg from 'pg';
import type { SqlRunner } from '../../db/sql-runner.ts';
import type { Stats } from '../../api/src/query/stats-sql.ts';
import { BOUNCE_ENGAGED_MS, NON_INTERACTION_TYPES, PAGE_UNLOAD, PAGE_VIEW } from '#contract';

/** One stored event, its time in microseconds since the epoch (exact: µs fit a double until 2255). */
export interface RawEvent {
  event_id: string;
  us: number;
  event_type: string;
  /** page_path, none counted as '/' (docs/metrics.md: the counters and the `page` filter do so). */
  page: string;
  session_id: string | null;
  user_id: string | null;
  visitor_id: string | null;
  visit_id: string | null;
  is_bot: boolean;
  button_id: string | null;
  referrer_domain: string | null;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  utm_term: string | null;
  utm_content: string | null;
  browser: string | null;
  os: string | null;
  device_type: string | null;
  engaged_ms: number | null;
}

/** Microseconds since the epoch of an ISO 8601 instant with up to 6 fractional digits. */
export function isoMicros(iso: string): number {
  const m = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}:\d{2})$/i.exec(iso);
  if (m === null) throw new Error(`not an ISO instant: ${iso}`);
  const ms = Date.parse(`${m[1]}${m[3]}`);
  return ms * 1000 + Number((m[2] ?? '').padEnd(6, '0'));
}

const RAW_EVENTS = `SELECT event_id::text, to_char("timestamp" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at, event_type, page_path, session_id, user_id,
            visitor_id, visit_id::text, is_bot, button_id, referrer_domain, utm_source, utm_medium, utm_campaign, utm_term, utm_content,
            browser, os, device_type, engaged_ms
       FROM analytics_events WHERE project_id = $1`;

const toRaw = (r: Record<string, unknown>): RawEvent => ({ ...r, us: isoMicros(r.at as string), page: (r.page_path as string | null) ?? '/' }) as unknown as RawEvent;

/** Every stored event of a project, read as the database owner. */
export async function readRaw(pool: pg.Pool, projectId: string): Promise<RawEvent[]> {
  return (await pool.query(RAW_EVENTS, [projectId])).rows.map(toRaw);
}

/** readRaw through any SqlRunner (PostgreSQL or PGlite). */
export async function readRawWith(db: SqlRunner, projectId: string): Promise<RawEvent[]> {
  return (await db.query<Record<string, unknown>>(RAW_EVENTS, [projectId])).map(toRaw);
}

export const VISIT_ATTRIBUTES = {
  referrer: 'referrer_domain',
  utm_source: 'utm_source',
  utm_medium: 'utm_medium',
  utm_campaign: 'utm_campaign',
  utm_term: 'utm_term',
  utm_content: 'utm_content',
  browser: 'browser',
  os: 'os',
  device: 'device_type',
} as const;
export type VisitFilterName = keyof typeof VISIT_ATTRIBUTES;
export type EventFilterName = 'event_type' | 'page' | 'session_id' | 'user_id';

export interface RefQuery {
  /** from ≤ t < to, in microseconds. */
  fromUs: number;
  toUs: number;
  includeBots: boolean;
  eventFilters: Partial<Record<EventFilterName, string>>;
  /** '(none)' matches a visit without the value. */
  visitFilters: Partial<Record<VisitFilterName, string>>;
}

/** A visit recomputed from its events. */
export interface RefVisit {
  visit_id: string;
  visitor_id: string;
  startUs: number;
  endUs: number;
  events: RawEvent[];
  pageviews: number;
  interactions: number;
  engaged_ms: number;
  /** visit_end − visit_start in ms, rounded as the visits table's bigint column does. */
  duration_ms: number;
  bounced: boolean;
  is_bot: boolean;
  entry_path: string;
  exit_path: string;
  /** Acquisition and device: the entry event's. */
  attributes: Record<VisitFilterName, string | null>;
}

const byTimeThenId = (a: RawEvent, b: RawEvent) => a.us - b.us || (a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0);

/** The visits of the events that have one, each recomputed from its events per docs/metrics.md § Visit. */
export function refVisits(events: readonly RawEvent[]): Map<string, RefVisit> {
  const groups = new Map<string, RawEvent[]>();
  for (const e of events) if (e.visit_id !== null) (groups.get(e.visit_id) ?? groups.set(e.visit_id, []).get(e.visit_id)!).push(e);
  const visits = new Map<string, RefVisit>();
  for (const [id, list] of groups) {
    const sorted = [...list].sort(byTimeThenId);
    const views = sorted.filter((e) => e.event_type === PAGE_VIEW);
    const entry = views[0] ?? sorted[0]!;
    const exit = views.at(-1) ?? sorted.at(-1)!;
    const pageviews = views.length;
    const interactions = sorted.filter((e) => !(NON_INTERACTION_TYPES as readonly string[]).includes(e.event_type)).length;
    const engaged = sorted.filter((e) => e.event_type === PAGE_UNLOAD).reduce((sum, e) => sum + (e.engaged_ms ?? 0), 0);
    const startUs = sorted[0]!.us;
    const endUs = sorted.at(-1)!.us;
    const attributes = Object.fromEntries(Object.entries(VISIT_ATTRIBUTES).map(([name, column]) => [name, entry[column]])) as RefVisit['attributes'];
    visits.set(id, {
      visit_id: id,
      visitor_id: entry.visitor_id ?? '',
      startUs,
      endUs,
      events: sorted,
      pageviews,
      interactions,
      engaged_ms: engaged,
      duration_ms: Math.round((endUs - startUs) / 1000),
      bounced: pageviews === 1 && interactions === 0 && engaged < BOUNCE_ENGAGED_MS,
      is_bot: sorted.some((e) => e.is_bot),
      entry_path: entry.page,
      exit_path: exit.page,
      attributes,
    });
  }
  return visits;
}

const eventMatches = (e: RawEvent, q: RefQuery) =>
  Object.entries(q.eventFilters).every(([name, value]) => (name === 'page' ? e.page : e[name as Exclude<EventFilterName, 'page'>]) === value);

const visitMatches = (v: RefVisit | undefined, q: RefQuery) =>
  Object.entries(q.visitFilters).every(([name, value]) => v !== undefined && v.attributes[name as VisitFilterName] === (value === '(none)' ? null : value));

/** Counted events: in the range, every filter (visit filters on the event's visit), bots only when asked. */
export function countedEvents(events: readonly RawEvent[], visits: Map<string, RefVisit>, q: RefQuery): RawEvent[] {
  const visitFiltered = Object.keys(q.visitFilters).length > 0;
  return events.filter(
    (e) =>
      e.us >= q.fromUs &&
      e.us < q.toUs &&
      (q.includeBots || !e.is_bot) &&
      eventMatches(e, q) &&
      (!visitFiltered || visitMatches(e.visit_id === null ? undefined : visits.get(e.visit_id), q)),
  );
}

/** Counted visits: started in the range, visit filters, bots only when asked, and an event matching the event filters. */
export function countedVisits(visits: Map<string, RefVisit>, q: RefQuery): RefVisit[] {
  const eventFiltered = Object.keys(q.eventFilters).length > 0;
  return [...visits.values()].filter(
    (v) => v.startUs >= q.fromUs && v.startUs < q.toUs && (q.includeBots || !v.is_bot) && visitMatches(v, q) && (!eventFiltered || v.events.some((e) => eventMatches(e, q))),
  );
}

/** The answer's shape is the route's own (only the type is shared; every value is computed here). */
export type RefStats = Stats;

/** The visit measures of a set of counted visits. */
export function visitMeasures(visits: readonly RefVisit[]): Pick<RefStats, 'visitors' | 'visits' | 'bounce_rate' | 'avg_visit_duration_ms' | 'views_per_visit'> {
  const withViews = visits.filter((v) => v.pageviews > 0).length;
  return {
    visitors: new Set(visits.map((v) => v.visitor_id)).size,
    visits: visits.length,
    bounce_rate: withViews === 0 ? null : visits.filter((v) => v.bounced).length / withViews,
    avg_visit_duration_ms: visits.length === 0 ? null : visits.reduce((s, v) => s + v.duration_ms, 0) / visits.length,
    views_per_visit: visits.length === 0 ? null : visits.reduce((s, v) => s + v.pageviews, 0) / visits.length,
  };
}

/** /stats of docs/metrics.md, from raw events. */
export function refStats(events: readonly RawEvent[], q: RefQuery, visits = refVisits(events)): RefStats {
  const counted = countedEvents(events, visits, q);
  const byType: Record<string, number> = {};
  for (const e of counted) byType[e.event_type] = (byType[e.event_type] ?? 0) + 1;
  return {
    ...visitMeasures(countedVisits(visits, q)),
    pageviews: counted.filter((e) => e.event_type === PAGE_VIEW).length,
    events: counted.length,
    events_by_type: byType,
  };
}

/** Bot events in the range, filters aside: meta.bots.excluded_events when bots are excluded. */
export function refExcludedBots(events: readonly RawEvent[], q: RefQuery): number {
  return q.includeBots ? 0 : events.filter((e) => e.is_bot && e.us >= q.fromUs && e.us < q.toUs).length;
}
