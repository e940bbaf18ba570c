// The stored part of a project's live metrics window: its non-bot events with a timestamp at or
// after `since` (the last 5 minutes), read once when the project's first metrics client arrives,
// on the read-only report pool. A few thousand rows of the (project_id, timestamp) index.
import type pg from 'pg';
import { botFilter } from '../../../db/definitions-sql.ts';
import type { WindowEvent } from './live-metrics.ts';

const SEED_SQL = `SELECT event_id::text AS event_id, coalesce(visitor_id, 'e:' || event_id::text) AS visitor_id, coalesce(page_path, '/') AS page, (extract(epoch FROM "timestamp") * 1000)::float8 AS at
  FROM analytics_events
  WHERE project_id = $1 AND "timestamp" >= $2 AND ${botFilter('false')}`;

export async function storedWindowEvents(db: pg.Pool, projectId: string, since: Date): Promise<WindowEvent[]> {
  const { rows } = await db.query<{ event_id: string; visitor_id: string; page: string; at: number }>(SEED_SQL, [projectId, since.toISOString()]);
  return rows.map((r) => ({ eventId: r.event_id, visitorId: r.visitor_id, page: r.page, at: Math.floor(r.at) }));
}
