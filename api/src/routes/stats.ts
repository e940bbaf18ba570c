// GET /api/v1/projects/{project}/stats: the headline numbers of a range (docs/metrics.md § Reports
// over a range), optionally beside those of the previous period.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { reportMeta } from '../query/meta.ts';
import { previousRange } from '../query/previous-range.ts';
import { parseReportQuery, reportQuerySchema } from '../query/report-query.ts';
import { SqlParams } from '../query/sql-params.ts';
import { statsSql, toStats } from '../query/stats-sql.ts';
import { boundIso } from '../query/time-range.ts';
import { count, nullableNumber, VISIT_MEASURE_FIELDS } from './report-schemas.ts';
import type { RouteContext } from './route-context.ts';

const Querystring = reportQuerySchema({
  compare: Type.Optional(
    Type.Literal('previous', {
      examples: ['previous'],
      description: 'Also answer the period of the same length right before the range (whole local days when from and to are whole days, DST-safe).',
    }),
  ),
});

const StatsSchema = Type.Object({
  ...VISIT_MEASURE_FIELDS,
  events_by_type: Type.Record(Type.String(), count('Counted events of the type.'), { description: 'Counted events per event_type.' }),
  views_per_visit: nullableNumber('Mean page views per counted visit; null without visits.'),
});

const Reply = Type.Object({
  data: StatsSchema,
  previous: Type.Optional(StatsSchema),
  meta: Type.Intersect([
    Type.Ref('ReportMeta'),
    Type.Object({
      previous_range: Type.Optional(
        Type.Object(
          { from: Type.String({ description: 'First instant, local time with offset.' }), to: Type.String({ description: 'End (exclusive): the range’s from.' }) },
          { description: 'With compare=previous: the period of `previous`.' },
        ),
      ),
    }),
  ]),
});

export const statsRoutes: FastifyPluginAsync<RouteContext> = async (app, { db, now }) => {
  app.get<{ Querystring: Static<typeof Querystring> }>(
    '/stats',
    {
      schema: {
        tags: ['reports'],
        summary: 'Visitors, visits, page views, events, bounce rate, visit duration of a range',
        description:
          'Counted events (by type) and counted visits of the range as docs/metrics.md defines them. Event counts come from the 15-minute counters plus the raw edges when the filters allow, and without filters the visit measures and visitors from the visit rollups the loader keeps (docs/metrics.md § Which rows serve a report), so they are exact and fast. `compare=previous` adds `previous` and `meta.previous_range`. 400 names a bad parameter (`from`, `to`, `tz`, `compare`, a filter).',
        querystring: Querystring,
        response: { 200: Reply },
      },
    },
    async (request) => {
      const at = now();
      const q = parseReportQuery(request.query, request.project, at);
      const previous = request.query.compare === 'previous' ? previousRange(q.range, q.tz) : undefined;
      const p = new SqlParams();
      const sql = statsSql(q, p, previous);
      const [result, meta] = await Promise.all([db.query(sql, p.values), reportMeta(db, q, request.project, at)]);
      const row = result.rows[0];
      return {
        data: toStats(row.current),
        ...(previous !== undefined ? { previous: toStats(row.previous) } : {}),
        meta: { ...meta, ...(previous !== undefined ? { previous_range: { from: boundIso(previous.from, previous.fromSql, q.tz), to: boundIso(previous.to, previous.toSql, q.tz) } } : {}) },
      };
    },
  );
};
