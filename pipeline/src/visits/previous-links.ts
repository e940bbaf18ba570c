// Each visit's previous-visit links (migration 018, docs/metrics.md § Which rows serve a report),
// decided in memory for one batch from the visits the loader already read, so the common batch
// (extending a visitor's latest visit or adding visits after all stored ones) needs no UPDATE that
// re-reads the visitor's visits. Pure: the store reads, calls previousLinks, and writes the links
// with the visits' upsert; the visitors it cannot decide go to the SQL recomputation.
import type { CandidateWindow, Visit } from './assign-visits.ts';

/** A visit's two link columns, in microseconds (null: no such previous visit). */
export interface Links {
  previous_visit_start: number | null;
  previous_human_visit_start: number | null;
}

/**
 * What the candidate read also returns per window (CandidateWindow): the latest stored visit
 * starting before `from` in (visit_start, visit_id) order, the latest non-bot one, and whether a
 * stored visit starts after `to`. Stored visits starting within [from, to] are all candidates.
 */
export interface WindowEdges {
  prior_start: number | null;
  prior_human_start: number | null;
  has_after: boolean;
}

/** A candidate as read (`Visit`) with its stored links. */
export type StoredVisit = Visit & Links;

export interface PreviousLinks {
  /** The links to write for every touched visit, by `${project_id}/${visit_id}`: decided, or as stored. */
  links: Map<string, Links>;
  /** The link-changing visits (linkChanges) of the visitors left to the SQL statement. */
  fallback: Visit[];
}

const keyOf = (v: { project_id: string; visitor_id: string }) => `${v.project_id}\n${v.visitor_id}`;
/** The key of `PreviousLinks.links`. */
export const visitKey = (v: { project_id: string; visit_id: string }) => `${v.project_id}/${v.visit_id}`;
const precedes = (a: Visit, b: Visit) => a.visit_start < b.visit_start || (a.visit_start === b.visit_start && a.visit_id < b.visit_id);

/**
 * The links of the batch's visits. `stored`: the candidates as read (with links); `touched`: the
 * new states of every visit the batch created or changed; `changed`: those of them that can move
 * a link (linkChanges); `windows`/`edges`: the read's windows and, by the same index, their edges.
 *
 * A visitor is decided here when every visit whose link can change is in memory: its links can
 * only change at or after `lo`, the earliest changed start, and that holds when no stored visit
 * starts after the window, none untouched starts at or after `lo`, and `lo` is within the window
 * (visits starting before `from` keep their start and flag, so `prior` bounds all of them).
 * Otherwise (a late event before a stored visit, a bot flag on a visit started before the window)
 * the visitor's changed visits are returned in `fallback`. Semantics as the SQL: order
 * (visit_start, visit_id); a bot visit has no human predecessor.
 */
export function previousLinks(
  stored: readonly StoredVisit[],
  touched: readonly Visit[],
  changed: readonly Visit[],
  windows: readonly CandidateWindow[],
  edges: readonly WindowEdges[],
): PreviousLinks {
  const storedById = new Map(stored.map((v) => [visitKey(v), v]));
  const links = new Map<string, Links>();
  for (const v of touched) {
    const s = storedById.get(visitKey(v));
    links.set(visitKey(v), s ? { previous_visit_start: s.previous_visit_start, previous_human_visit_start: s.previous_human_visit_start } : { previous_visit_start: null, previous_human_visit_start: null });
  }
  if (changed.length === 0) return { links, fallback: [] };

  const lo = new Map<string, number>();
  for (const v of changed) {
    const k = keyOf(v);
    const seen = lo.get(k);
    if (seen === undefined || v.visit_start < seen) lo.set(k, v.visit_start);
  }
  // Every visit in memory per changed visitor, in its new state.
  const memory = new Map<string, Map<string, Visit>>();
  const add = (v: Visit) => {
    const k = keyOf(v);
    if (!lo.has(k)) return;
    let m = memory.get(k);
    if (!m) memory.set(k, (m = new Map()));
    m.set(v.visit_id, v);
  };
  for (const v of stored) add(v);
  const touchedIds = new Set<string>();
  for (const v of touched) {
    add(v);
    touchedIds.add(visitKey(v));
  }

  const fallbackKeys = new Set<string>();
  for (const [i, w] of windows.entries()) {
    const k = keyOf(w);
    const start = lo.get(k);
    if (start === undefined) continue;
    const edge = edges[i]!;
    const visits = [...memory.get(k)!.values()];
    const lateStored = visits.some((v) => v.visit_start >= start && !touchedIds.has(visitKey(v)));
    if (edge.has_after || start < w.from || lateStored) {
      fallbackKeys.add(k);
      continue;
    }
    visits.sort((a, b) => (precedes(a, b) ? -1 : precedes(b, a) ? 1 : 0));
    let previous = edge.prior_start;
    let human = edge.prior_human_start;
    for (const v of visits) {
      // Visits before `lo` keep their links. Every stored visit not in memory starts before `from` and is at most `prior`.
      if (v.visit_start >= start) links.set(visitKey(v), { previous_visit_start: previous, previous_human_visit_start: v.is_bot ? null : human });
      previous = previous === null || v.visit_start > previous ? v.visit_start : previous;
      if (!v.is_bot) human = human === null || v.visit_start > human ? v.visit_start : human;
    }
  }
  return { links, fallback: changed.filter((v) => fallbackKeys.has(keyOf(v))) };
}
