// Visits and the two per-event rollups, decided in memory for one batch (docs/metrics.md § Visit,
// § Rollups). Pure: the loader reads the visitors' candidate visits, calls assignVisits, and
// writes what it returns, in the transaction that inserts the events.
import { COUNTER_BUCKET_MS, PAGE_UNLOAD, PAGE_VIEW, VISIT_GAP_MS, VISIT_MAX_MS } from '#contract/definitions.ts';
import type { EventRow } from '../steps/normalize-event.ts';
import { visitIdFor } from '../steps/deterministic-id.ts';
import { toMicros } from './instant.ts';

const GAP_US = VISIT_GAP_MS * 1000;
const MAX_US = VISIT_MAX_MS * 1000;
const BUCKET_US = COUNTER_BUCKET_MS * 1000;
/** The path counted and reported for an event without one (other producers' records before enrichment). */
export const UNKNOWN_PATH = '/';

/** What assignment reads from a stored row; visitor_id is already set (see visitorIdOf). */
export type VisitEvent = Pick<
  EventRow,
  | 'project_id'
  | 'event_id'
  | 'timestamp'
  | 'event_type'
  | 'page_path'
  | 'user_id'
  | 'referrer_domain'
  | 'utm_source'
  | 'utm_medium'
  | 'utm_campaign'
  | 'utm_term'
  | 'utm_content'
  | 'device_type'
  | 'browser'
  | 'os'
  | 'is_bot'
  | 'engaged_ms'
> & { visitor_id: string };

/** The entry event's acquisition and device fields, copied onto its visit. */
type EntryFields = Pick<VisitEvent, 'user_id' | 'referrer_domain' | 'utm_source' | 'utm_medium' | 'utm_campaign' | 'utm_term' | 'utm_content' | 'device_type' | 'browser' | 'os'>;

/**
 * A `visits` row (without its generated columns). Times are integer microseconds (instant.ts);
 * `engaged_ms` is milliseconds.
 */
export interface Visit extends EntryFields {
  project_id: string;
  visit_id: string;
  visitor_id: string;
  visit_start: number;
  visit_end: number;
  events: number;
  pageviews: number;
  interactions: number;
  engaged_ms: number;
  entry_event_id: string;
  entry_at: number;
  entry_path: string;
  exit_event_id: string;
  exit_at: number;
  exit_path: string;
  is_bot: boolean;
}

/**
 * A visitor's earliest event in the batch; the store keeps the earliest ever by (first_seen,
 * first_event_id). `first_visit_id` is the visit that event starts if it starts one: the store
 * writes it before visits are assigned and corrects it after (see firstSeenOf).
 */
export interface FirstSeen {
  project_id: string;
  visitor_id: string;
  first_seen: number;
  first_event_id: string;
  first_visit_id: string;
  /** The event's index in the batch. */
  index: number;
}

/** Events per 15-minute UTC bucket (`bucket` in microseconds), event type, path and bot flag. */
export interface EventCount {
  project_id: string;
  bucket: number;
  event_type: string;
  page_path: string;
  is_bot: boolean;
  events: number;
}

export interface Assignment {
  /** The visit of each event, by the event's index in the input. */
  visitIds: string[];
  /** Every visit the batch created or changed, in its full new state. */
  visits: Visit[];
  counts: EventCount[];
}

const visitorKey = (projectId: string, visitorId: string) => `${projectId}\n${visitorId}`;

// (time, event id) order: the tie-break every rule and the SQL recomputation use.
const before = (t: number, id: string, t2: number, id2: string) => t < t2 || (t === t2 && id < id2);

function entryFields(e: VisitEvent): EntryFields {
  return {
    user_id: e.user_id,
    referrer_domain: e.referrer_domain,
    utm_source: e.utm_source,
    utm_medium: e.utm_medium,
    utm_campaign: e.utm_campaign,
    utm_term: e.utm_term,
    utm_content: e.utm_content,
    device_type: e.device_type,
    browser: e.browser,
    os: e.os,
  };
}

function newVisit(e: VisitEvent, id: string, t: number, visitId: string): Visit {
  const path = e.page_path ?? UNKNOWN_PATH;
  return {
    project_id: e.project_id,
    visit_id: visitId,
    visitor_id: e.visitor_id,
    visit_start: t,
    visit_end: t,
    events: 0,
    pageviews: 0,
    interactions: 0,
    engaged_ms: 0,
    entry_event_id: id,
    entry_at: t,
    entry_path: path,
    exit_event_id: id,
    exit_at: t,
    exit_path: path,
    is_bot: false,
    ...entryFields(e),
  };
}

/** Adds one event to a visit: counts, bounds, and entry/exit (a page view beats any other event). */
function extend(v: Visit, e: VisitEvent, id: string, t: number): void {
  const isView = e.event_type === PAGE_VIEW;
  // A visit with page views has a page view as entry and exit; one without has plain events there.
  const hadViews = v.pageviews > 0;
  const path = e.page_path ?? UNKNOWN_PATH;
  if ((isView && !hadViews) || (isView === hadViews && before(t, id, v.entry_at, v.entry_event_id))) {
    v.entry_event_id = id;
    v.entry_at = t;
    v.entry_path = path;
    Object.assign(v, entryFields(e));
  }
  if ((isView && !hadViews) || (isView === hadViews && before(v.exit_at, v.exit_event_id, t, id))) {
    v.exit_event_id = id;
    v.exit_at = t;
    v.exit_path = path;
  }
  if (t < v.visit_start) v.visit_start = t;
  if (t > v.visit_end) v.visit_end = t;
  v.events += 1;
  if (isView) v.pageviews += 1;
  else if (e.event_type === PAGE_UNLOAD) v.engaged_ms += e.engaged_ms ?? 0;
  else v.interactions += 1;
  if (e.is_bot) v.is_bot = true;
}

/** The visit an event at t joins: gaps under 30 min on both sides, under 24 h long; the latest-started wins. */
function qualifying(visits: Visit[], t: number): Visit | undefined {
  let chosen: Visit | undefined;
  for (const v of visits) {
    if (t <= v.visit_start - GAP_US || t >= v.visit_end + GAP_US) continue;
    if (Math.max(v.visit_end, t) - Math.min(v.visit_start, t) >= MAX_US) continue;
    if (!chosen || v.visit_start > chosen.visit_start || (v.visit_start === chosen.visit_start && v.visit_id > chosen.visit_id)) chosen = v;
  }
  return chosen;
}

/**
 * Assigns each fresh event (in Kafka offset order) to a visit. `existing` holds at least every
 * stored visit of the events' visitors that an event could join (see batchVisitors); they are
 * not mutated. `batch` is batchVisitors(events) when the caller computed it already. Returns each event's visit id, the new state of every visit touched and the batch's
 * counter increments.
 */
export function assignVisits(existing: readonly Visit[], events: readonly VisitEvent[], batch: BatchVisitors = batchVisitors(events)): Assignment {
  const byVisitor = new Map<string, Visit[]>();
  for (const v of existing) {
    const key = visitorKey(v.project_id, v.visitor_id);
    const list = byVisitor.get(key);
    // Copies: the caller's rows stay as read.
    if (list) list.push({ ...v });
    else byVisitor.set(key, [{ ...v }]);
  }
  // Each batch visitor's visits, by the visitor's slot (batch.slots): one map lookup per visitor, not per event.
  const lists = batch.windows.map((w) => byVisitor.get(visitorKey(w.project_id, w.visitor_id)) ?? []);
  const touched = new Set<Visit>();
  const visitIds: string[] = new Array<string>(events.length);
  const counts = new Map<string, EventCount>();

  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    const t = batch.times[i]!;
    // Stored uuids are lower case; tie-breaks must compare the same text the database orders.
    const id = e.event_id.toLowerCase();
    const visits = lists[batch.slots[i]!]!;
    let visit = qualifying(visits, t);
    if (!visit) {
      // The visitor's first event of the batch already has the id of the visit it would start (one SHA-1 fewer).
      const first = batch.firstSeen[batch.slots[i]!]!;
      visit = newVisit(e, id, t, first.index === i ? first.first_visit_id : visitIdFor(e.project_id, e.visitor_id, id));
      visits.push(visit);
    }
    extend(visit, e, id, t);
    touched.add(visit);
    visitIds[i] = visit.visit_id;

    const bucket = Math.floor(t / BUCKET_US) * BUCKET_US;
    const path = e.page_path ?? UNKNOWN_PATH;
    const countKey = `${e.project_id}\n${bucket}\n${e.event_type}\n${path}\n${e.is_bot}`;
    const count = counts.get(countKey);
    if (count) count.events += 1;
    else counts.set(countKey, { project_id: e.project_id, bucket, event_type: e.event_type, page_path: path, is_bot: e.is_bot, events: 1 });
  }
  return { visitIds, visits: [...touched], counts: [...counts.values()] };
}

/** Per visitor, the time range whose stored visits an event of the batch could join. */
export interface CandidateWindow {
  project_id: string;
  visitor_id: string;
  /** Stored visits ending at or after this (µs) and starting at or before `to` can qualify. */
  from: number;
  to: number;
}

/** What the store needs before assigning: each event's time, and per visitor its window and first event. */
export interface BatchVisitors {
  /** Each event's timestamp in microseconds, by index. */
  times: number[];
  /** Each event's visitor, as an index into windows and firstSeen. */
  slots: number[];
  /** One per visitor: [earliest − 30 min, latest + 30 min]. */
  windows: CandidateWindow[];
  /**
   * Each visitor's earliest event of the batch by (timestamp, event_id), with the visit it would
   * start. The store writes these before it reads the visitors' visits, which also locks each
   * visitor's row (see rollup-sql.ts), then corrects first_visit_id where the event joined a
   * visit that already existed.
   */
  firstSeen: FirstSeen[];
}

export function batchVisitors(events: readonly VisitEvent[]): BatchVisitors {
  const times = new Array<number>(events.length);
  const slots = new Array<number>(events.length);
  const slotOf = new Map<string, number>();
  const windows: CandidateWindow[] = [];
  const firstSeen: FirstSeen[] = [];
  const firstOf = (e: VisitEvent, t: number, id: string, index: number): FirstSeen => ({
    project_id: e.project_id,
    visitor_id: e.visitor_id,
    first_seen: t,
    first_event_id: id,
    first_visit_id: visitIdFor(e.project_id, e.visitor_id, id),
    index,
  });
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    const t = (times[i] = toMicros(e.timestamp));
    const key = visitorKey(e.project_id, e.visitor_id);
    const slot = slotOf.get(key);
    if (slot === undefined) {
      slots[i] = windows.length;
      slotOf.set(key, windows.length);
      windows.push({ project_id: e.project_id, visitor_id: e.visitor_id, from: t - GAP_US, to: t + GAP_US });
      firstSeen.push(firstOf(e, t, e.event_id.toLowerCase(), i));
      continue;
    }
    slots[i] = slot;
    const w = windows[slot]!;
    if (t - GAP_US < w.from) w.from = t - GAP_US;
    if (t + GAP_US > w.to) w.to = t + GAP_US;
    const first = firstSeen[slot]!;
    if (t <= first.first_seen) {
      const id = e.event_id.toLowerCase();
      if (before(t, id, first.first_seen, first.first_event_id)) firstSeen[slot] = firstOf(e, t, id, i);
    }
  }
  return { times, slots, windows, firstSeen };
}
