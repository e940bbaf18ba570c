// POST /api/v1/projects/{project}/retention: cohorts by the period of each unit's first-ever start
// event, and how many of them return in each later period (docs/metrics.md § Retention).
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { sendProblem } from '../http/problems.ts';
import { reportMeta } from '../query/meta.ts';
import { parseRetentionQuery, RetentionBodySchema, rotationProblem, type RetentionQuery } from '../query/retention-query.ts';
import { retentionSql } from '../query/retention-sql.ts';
import { SqlParams } from '../query/sql-params.ts';
import { localIso } from '../query/time-range.ts';
import { queryWithWorkMem } from '../query/work-mem.ts';
import { count, nullableNumber } from './report-schemas.ts';
import type { RouteContext } from './route-context.ts';

/** Sort and hash memory of one retention query (the first-seen grouping of a month's units). */
export const RETENTION_WORK_MEM_MB = 64;

const Cohort = Type.Object({
  start: Type.String({ description: 'The cohort period’s first instant, local time in tz with its offset.' }),
  size: count('Units whose first-ever start event lies in the range and in this period.'),
  periods: Type.Array(
    Type.Object({
      index: Type.Integer({ minimum: 1, description: 'Periods after the cohort’s own (1 = the next).' }),
      count: count('Units of the cohort with a return event in this period (on) or in it or later (on_or_after).'),
      rate: nullableNumber('count / size, 0..1; null for an empty cohort.'),
      complete: Type.Boolean({ description: 'False while the period has not ended yet (its count can still grow).' }),
    }),
  ),
});

const Reply = Type.Object({
  data: Type.Object({ cohorts: Type.Array(Cohort, { description: 'One per period holding an instant of the range, oldest first; empty ones included.' }) }),
  meta: Type.Intersect([
    Type.Ref('ReportMeta'),
    Type.Object({ retention: Type.Object({ period: Type.String(), periods: Type.Integer(), unit: Type.String(), criteria: Type.String(), week_start: Type.String() }) }),
  ]),
});

const EXAMPLE = { period: 'week', periods: 4, unit: 'user', criteria: 'on', week_start: 'monday' };

interface Row {
  cohort: number;
  k: number | null;
  units: string;
}

/** The cohorts of q from the rows of retentionSql. */
export function retentionCohorts(q: RetentionQuery, rows: readonly Row[], now: Date) {
  const size = new Array<number>(q.cohorts).fill(0);
  const counts = Array.from({ length: q.cohorts }, () => new Array<number>(q.periods + 2).fill(0));
  for (const r of rows) {
    if (r.k === null) size[r.cohort] = Number(r.units);
    else counts[r.cohort]![Math.min(r.k, q.periods + 1)]! += Number(r.units);
  }
  // on_or_after: a unit whose last return is in period k returned "on or after" every period up to k.
  if (q.criteria === 'on_or_after') for (const c of counts) for (let k = q.periods; k >= 1; k--) c[k]! += c[k + 1]!;
  return size.map((n, c) => ({
    start: localIso(new Date(q.bounds[c]!), q.report.tz),
    size: n,
    periods: Array.from({ length: q.periods }, (_, i) => ({
      index: i + 1,
      count: counts[c]![i + 1]!,
      rate: n === 0 ? null : counts[c]![i + 1]! / n,
      complete: q.bounds[c + i + 2]! <= now.getTime(),
    })),
  }));
}

export const retentionRoutes: FastifyPluginAsync<RouteContext> = async (app, { db, now }) => {
  app.post<{ Body: Static<typeof RetentionBodySchema> }>(
    '/retention',
    {
      schema: {
        tags: ['reports'],
        summary: 'Retention cohorts: units by the period of their first-ever start event, returning in later periods',
        description:
          'A unit’s cohort is the local period (day, week from week_start, month of tz) of its first-ever start event, not the first in the range; each cohort reports, for the next `periods` periods, the units with a return event in the period (criteria=on) or in it or later (on_or_after), and whether the period is complete. 422 when the project’s visitor ids rotate at least as often as the period (docs/metrics.md § Retention). 400 names the field at fault.',
        body: { ...RetentionBodySchema, examples: [EXAMPLE] },
        response: {
          200: Reply,
          422: { ...Type.Ref('Problem'), description: 'Visitor retention over periods the project’s visitor ids do not outlive (error retention_unreliable): the message says why and what to use.' },
        },
      },
    },
    async (request, reply) => {
      const at = now();
      const q = parseRetentionQuery(request.body, request.project, at);
      const problem = rotationProblem(q.unit, q.period, request.project.visitorIdMode);
      if (problem !== undefined) return sendProblem(reply, 422, 'retention_unreliable', problem, 'unit');
      const p = new SqlParams();
      const sql = retentionSql(q, p);
      const [result, meta] = await Promise.all([queryWithWorkMem<Row>(db, RETENTION_WORK_MEM_MB, sql, p.values), reportMeta(db, q.report, request.project, at)]);
      return {
        data: { cohorts: retentionCohorts(q, result.rows, at) },
        meta: { ...meta, retention: { period: q.period, periods: q.periods, unit: q.unit, criteria: q.criteria, week_start: q.weekStart } },
      };
    },
  );
};
