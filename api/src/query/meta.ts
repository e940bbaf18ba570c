// The `meta` of every report answer: which project, which range in which zone, whether bots were
// counted (and how many bot events the range holds that were left out), and how fresh the data is.
import type pg from 'pg';
import { Type, type Static } from '@sinclair/typebox';
import type { Project } from '../../../tenancy/model.ts';
import { eventCountsRelation } from './event-counts-sql.ts';
import type { ReportQuery } from './report-query.ts';
import { isoUtc } from './report-sql.ts';
import { SqlParams } from './sql-params.ts';
import { boundIso } from './time-range.ts';

export const ReportMetaSchema = Type.Object(
  {
    project: Type.Object({ id: Type.String({ format: 'uuid' }), name: Type.String() }),
    range: Type.Object({
      from: Type.String({ description: 'First instant, local time in tz with its offset.' }),
      to: Type.String({ description: 'End (exclusive), local time in tz with its offset.' }),
    }),
    tz: Type.String(),
    bots: Type.Object({
      included: Type.Boolean(),
      excluded_events: Type.Integer({ description: 'Bot events in the range (any filter aside) the report left out; 0 when included.' }),
    }),
    freshness: Type.Object({
      newest_event_at: Type.Union([Type.String(), Type.Null()], { description: "The project's newest stored event (UTC, microseconds); events reach the database about a second after the collector accepted them." }),
      as_of: Type.String({ description: 'When the report was computed (UTC).' }),
    }),
  },
  { $id: 'ReportMeta' },
);
export type ReportMeta = Static<typeof ReportMetaSchema>;

/** The meta of q's answer, read with the report's connection at `now`. */
export async function reportMeta(db: pg.Pool | pg.PoolClient, q: ReportQuery, project: Pick<Project, 'id' | 'name'>, now: Date): Promise<ReportMeta> {
  const p = new SqlParams();
  const unfiltered: ReportQuery = { ...q, eventFilters: {}, visitFilters: {} };
  const botsSql = q.includeBots ? '0::bigint' : `(SELECT coalesce(sum(events), 0)::bigint FROM (${eventCountsRelation(unfiltered, p)}) r WHERE r.is_bot)`;
  const newest = `(SELECT ${isoUtc('max(n."timestamp")')} FROM analytics_events n WHERE n.project_id = ${p.add(q.projectId)})`;
  const { rows } = await db.query<{ bots: string; newest: string | null }>(`SELECT ${botsSql} AS bots, ${newest} AS newest`, p.values);
  return {
    project: { id: project.id, name: project.name },
    range: { from: boundIso(q.range.from, q.range.fromSql, q.tz), to: boundIso(q.range.to, q.range.toSql, q.tz) },
    tz: q.tz,
    bots: { included: q.includeBots, excluded_events: Number(rows[0]!.bots) },
    freshness: { newest_event_at: rows[0]!.newest, as_of: now.toISOString() },
  };
}
