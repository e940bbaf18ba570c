// GET /api/v1/projects/{project}/timeseries: the measures of every local minute, hour, day, week
// or month of a range (docs/metrics.md § Time buckets), zero-filled.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { bucketStarts, countersAligned, defaultInterval, INTERVALS, MAX_BUCKETS } from '../query/buckets.ts';
import { reportMeta } from '../query/meta.ts';
import { parseReportQuery, reportQuerySchema } from '../query/report-query.ts';
import { SqlParams } from '../query/sql-params.ts';
import { localIso } from '../query/time-range.ts';
import { timeseriesSql, toPoints } from '../query/timeseries-sql.ts';
import { VISIT_MEASURE_FIELDS } from './report-schemas.ts';
import type { RouteContext } from './route-context.ts';

const Querystring = reportQuerySchema({
  interval: Type.Optional(
    Type.Union(
      INTERVALS.map((i) => Type.Literal(i)),
      { examples: ['day'], description: `Bucket length in local time of tz (weeks start on Monday). Default: hour for ranges up to 2 days, else day. At most ${MAX_BUCKETS} buckets.` },
    ),
  ),
});

const Point = Type.Object({
  bucket: Type.String({ description: "The bucket's first instant, local time in tz with its UTC offset (2026-03-29T03:00:00.000+02:00)." }),
  ...VISIT_MEASURE_FIELDS,
});

const Reply = Type.Object({
  data: Type.Array(Point, { description: 'Every bucket of the range in time order, zero-filled. Events count in the bucket of their timestamp, visits in that of their start.' }),
  interval: Type.Union(INTERVALS.map((i) => Type.Literal(i))),
  meta: Type.Ref('ReportMeta'),
});

export const timeseriesRoutes: FastifyPluginAsync<RouteContext> = async (app, { db, now }) => {
  app.get<{ Querystring: Static<typeof Querystring> }>(
    '/timeseries',
    {
      schema: {
        tags: ['reports'],
        summary: 'Visitors, visits, page views, events per local time bucket',
        description:
          'One row per bucket (minute, hour, day, week, month of tz), DST-exact: a 23- or 25-hour day, the repeated hour as two buckets with different offsets, no bucket for a skipped hour, +05:45 zones. The first bucket is the one holding `from`; only instants of the range count. 400 names `interval` past 10,000 buckets.',
        querystring: Querystring,
        response: { 200: Reply },
      },
    },
    async (request) => {
      const at = now();
      const q = parseReportQuery(request.query, request.project, at);
      const interval = request.query.interval ?? defaultInterval(q.range);
      const starts = bucketStarts(q.range, interval, q.tz);
      // Counter buckets are 15 minutes: they may stand in for events only when no bucket splits one.
      const counters = interval !== 'minute' && countersAligned(starts);
      const p = new SqlParams();
      const sql = timeseriesSql(q, p, starts, counters);
      const [result, meta] = await Promise.all([db.query(sql, p.values), reportMeta(db, q, request.project, at)]);
      return { data: toPoints(result.rows, starts, (start) => localIso(start, q.tz)), interval, meta };
    },
  );
};
