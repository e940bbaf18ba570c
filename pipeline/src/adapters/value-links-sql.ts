// Keeps the per-dimension previous-visit links of migration 022 (db/visit-value-links.ts) right
// after a batch changed visits, so the query API's visit breakdowns count distinct visitors per
// value without hashing visitor ids (docs/metrics.md § Which rows serve a report). Runs after the
// visits' upsert, in the same transaction, under the visitors' locks (rollup-sql.ts lockFirstSeen).
import type { SqlRunner } from '../../../db/sql-runner.ts';
import { LINKED_DIMENSIONS, VISIT_VALUE_LINKS, recomputedLink } from '../../../db/visit-value-links.ts';
import type { Visit } from '../visits/assign-visits.ts';
import { fromMicros } from '../visits/instant.ts';
import { earliestChangedStarts } from './previous-visits-sql.ts';

const LINKS = LINKED_DIMENSIONS.map((d) => VISIT_VALUE_LINKS[d].link);
const VALUES = LINKED_DIMENSIONS.map((d) => VISIT_VALUE_LINKS[d].value);

// One statement per batch: each changed visitor's visits are read once (index visits_visitor_idx)
// and every dimension's link recomputed by a window over them; a visit's link can only change at
// or after the earliest changed start of its visitor (`lo`: starts only move earlier, and a visit
// whose value changed is at or after it), and only differing rows are written.
const LINK_VALUES = `UPDATE visits v SET ${LINKS.map((l) => `${l} = p.${l}`).join(', ')}
  FROM (
    SELECT c.project_id, c.visit_id, c.visit_start, k.lo, ${LINKED_DIMENSIONS.map((d) => `${recomputedLink(d, 'c.')} AS ${VISIT_VALUE_LINKS[d].link}`).join(',\n      ')}
      FROM json_to_recordset($1::json) AS k(project_id uuid, visitor_id text, lo timestamptz)
      JOIN visits c ON c.project_id = k.project_id AND c.visitor_id = k.visitor_id
  ) p
  WHERE v.project_id = p.project_id AND v.visit_id = p.visit_id AND p.visit_start >= p.lo
    AND (${LINKS.map((l) => `v.${l}`).join(', ')}) IS DISTINCT FROM (${LINKS.map((l) => `p.${l}`).join(', ')})`;

/**
 * The visits of `touched` (new states) that can change a value link: new ones, and stored ones
 * (`stored`, as read before the batch) whose start, bot flag or a dimension's value changed (the
 * exit page changes whenever a visit goes on to another page).
 */
export function valueLinkChanges(stored: readonly Visit[], touched: readonly Visit[]): Visit[] {
  const before = new Map(stored.map((v) => [`${v.project_id}/${v.visit_id}`, v]));
  return touched.filter((v) => {
    const old = before.get(`${v.project_id}/${v.visit_id}`);
    return old === undefined || old.visit_start !== v.visit_start || old.is_bot !== v.is_bot || VALUES.some((c) => old[c] !== v[c]);
  });
}

/** Recomputes the value links of every visit the batch's changes (valueLinkChanges) can affect. */
export async function linkValueVisits(db: SqlRunner, changed: readonly Visit[]): Promise<void> {
  if (changed.length === 0) return;
  const json = earliestChangedStarts(changed).map((r) => ({ project_id: r.project_id, visitor_id: r.visitor_id, lo: fromMicros(r.lo) }));
  await db.query(LINK_VALUES, [JSON.stringify(json)]);
}
