// Keeps visits.previous_visit_start and previous_human_visit_start (migration 018) right after a
// batch changed visits: the distinct-visitor count of the query API reads them instead of hashing
// visitor ids (docs/metrics.md § Which rows serve a report). Runs after the visits' upsert, in
// the same transaction, under the visitors' locks (rollup-sql.ts lockFirstSeen).
import type { SqlRunner } from '../../../db/sql-runner.ts';
import type { Visit } from '../visits/assign-visits.ts';
import { fromMicros } from '../visits/instant.ts';

// A batch only adds visits or moves a visit's start earlier (a late event), so the only visits
// whose predecessor can change start at or after the earliest new start of the visitor's changed
// visits (`lo`); each of those is recomputed from the index (project_id, visitor_id, visit_start).
// Order (visit_start, visit_id), as the migration's lag(); bot visits have no "human" predecessor.
const LINK_PREVIOUS = `UPDATE visits v SET previous_visit_start = p.previous_visit_start, previous_human_visit_start = p.previous_human_visit_start
  FROM (
    SELECT c.project_id, c.visit_id,
      (SELECT w.visit_start FROM visits w
        WHERE w.project_id = c.project_id AND w.visitor_id = c.visitor_id AND w.visit_start <= c.visit_start AND (w.visit_start, w.visit_id) < (c.visit_start, c.visit_id)
        ORDER BY w.visit_start DESC, w.visit_id DESC LIMIT 1) AS previous_visit_start,
      CASE WHEN c.is_bot THEN NULL ELSE
        (SELECT w.visit_start FROM visits w
          WHERE w.project_id = c.project_id AND w.visitor_id = c.visitor_id AND w.visit_start <= c.visit_start AND (w.visit_start, w.visit_id) < (c.visit_start, c.visit_id) AND NOT w.is_bot
          ORDER BY w.visit_start DESC, w.visit_id DESC LIMIT 1) END AS previous_human_visit_start
      FROM json_to_recordset($1::json) AS k(project_id uuid, visitor_id text, lo timestamptz)
      JOIN visits c ON c.project_id = k.project_id AND c.visitor_id = k.visitor_id AND c.visit_start >= k.lo
  ) p
  WHERE v.project_id = p.project_id AND v.visit_id = p.visit_id
    AND (v.previous_visit_start, v.previous_human_visit_start) IS DISTINCT FROM (p.previous_visit_start, p.previous_human_visit_start)`;

/** Per visitor of `changed` (visits in their new state), the earliest start among them. */
export function earliestChangedStarts(changed: readonly Visit[]): { project_id: string; visitor_id: string; lo: number }[] {
  const lo = new Map<string, { project_id: string; visitor_id: string; lo: number }>();
  for (const v of changed) {
    const key = `${v.project_id}\n${v.visitor_id}`;
    const seen = lo.get(key);
    if (seen === undefined) lo.set(key, { project_id: v.project_id, visitor_id: v.visitor_id, lo: v.visit_start });
    else if (v.visit_start < seen.lo) seen.lo = v.visit_start;
  }
  return [...lo.values()];
}

/**
 * The visits of `touched` (new states) that can change a link: new ones, and stored ones
 * (`stored`, as read before the batch) whose start or bot flag changed. Most batches only extend
 * visits, which changes no link, so most of them are skipped.
 */
export function linkChanges(stored: readonly Visit[], touched: readonly Visit[]): Visit[] {
  const before = new Map(stored.map((v) => [`${v.project_id}/${v.visit_id}`, v]));
  return touched.filter((v) => {
    const old = before.get(`${v.project_id}/${v.visit_id}`);
    return old === undefined || old.visit_start !== v.visit_start || old.is_bot !== v.is_bot;
  });
}

/** Recomputes the previous-visit columns of every visit the batch's link changes (linkChanges) can affect. */
export async function linkPreviousVisits(db: SqlRunner, changed: readonly Visit[]): Promise<void> {
  if (changed.length === 0) return;
  const json = earliestChangedStarts(changed).map((r) => ({ project_id: r.project_id, visitor_id: r.visitor_id, lo: fromMicros(r.lo) }));
  await db.query(LINK_PREVIOUS, [JSON.stringify(json)]);
}
