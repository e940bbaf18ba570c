// The steps every list route shares: the position its `cursor` names (checked against the list's
// scope), and one page read beside the report's meta, cut to `limit` with the next cursor.
import type { Project } from '../../../tenancy/model.ts';
import type { Position } from '../query/cursor.ts';
import type { EventItem } from '../query/list-items.ts';
import { reportMeta, type ReportMeta } from '../query/meta.ts';
import { toPage, type Page } from '../query/page.ts';
import type { ReportQuery } from '../query/report-query.ts';
import type { SqlParams } from '../query/sql-params.ts';
import type { RouteContext } from './route-context.ts';

/**
 * The cursor scope of a list: its name, project and path id, and every parameter of the request
 * but `cursor` and `limit` as sent. A cursor then continues only the list that wrote it: with
 * another filter, range or bot rule it is refused (400 naming `cursor`) instead of paging a
 * different list from the middle, where rows before its position would be skipped unseen.
 */
export function listScope(list: string, projectId: string, params: object, pathId = ''): string {
  const kept = Object.entries(params)
    .filter(([name, value]) => name !== 'cursor' && name !== 'limit' && value !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return `${list}:${projectId}:${pathId}:${JSON.stringify(kept)}`;
}

/** `{ after }` for a page builder when the request sent a cursor of list `scope` (else `{}`); a 400 on `cursor` for any other. */
export function startAfter(context: RouteContext, scope: string, cursor: string | undefined): { after?: Position } {
  return cursor === undefined ? {} : { after: context.cursors.decode(scope, cursor) };
}

/** An event's place in an event list. */
export const eventPosition = (e: EventItem): Position => ({ at: e.timestamp, id: e.event_id });

export interface ListRead<T> {
  q: ReportQuery;
  project: Pick<Project, 'id' | 'name'>;
  now: Date;
  /** The list's cursor scope (route, project, path id). */
  scope: string;
  /** A page query reading limit + 1 rows, and its parameters. */
  sql: string;
  params: SqlParams;
  limit: number;
  position: (row: T) => Position;
}

/** The page and the meta, read on two connections at once (the meta's bot count and the page are independent). */
export async function readPage<T>(context: RouteContext, list: ListRead<T>): Promise<Page<T> & { meta: ReportMeta }> {
  const [meta, result] = await Promise.all([reportMeta(context.db, list.q, list.project, list.now), context.db.query(list.sql, list.params.values)]);
  return { meta, ...toPage(result.rows as T[], list.limit, list.position, (position) => context.cursors.encode(list.scope, position)) };
}
