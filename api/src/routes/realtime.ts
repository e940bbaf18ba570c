// GET /api/v1/projects/{project}/realtime: current visitors, events per minute of the last half
// hour and the top pages of the last 5 minutes. SQL: query/realtime-sql.ts.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { reportMeta, ReportMetaSchema } from '../query/meta.ts';
import { parseReportQuery, reportQuerySchema, type ReportParameters } from '../query/report-query.ts';
import { eventsPerMinute, REALTIME_MINUTES, realtimeSql, realtimeWindow, TOP_PAGES, type RealtimeSqlRow } from '../query/realtime-sql.ts';
import { SqlParams } from '../query/sql-params.ts';
import type { RouteContext } from './route-context.ts';

const Querystring = Object.assign(reportQuerySchema({}), { examples: [{}, { page: '/pricing' }, { device: 'mobile', include_bots: true }] });

const RealtimeAnswer = Type.Object({
  meta: Type.Ref(ReportMetaSchema),
  window: Type.Object({
    now: Type.String({ description: 'The instant of this answer (UTC).' }),
    current_visitors_since: Type.String({ description: 'now − 5 minutes (UTC): the window of current_visitors and top_pages.' }),
  }),
  current_visitors: Type.Integer({ description: 'Distinct visitors with a counted event at or after current_visitors_since.' }),
  events_per_minute: Type.Array(Type.Object({ minute: Type.String({ description: 'Start of the UTC minute.' }), events: Type.Integer() }), {
    minItems: REALTIME_MINUTES,
    maxItems: REALTIME_MINUTES,
    description: `${REALTIME_MINUTES} minutes, oldest first: the ${REALTIME_MINUTES - 1} whole minutes before the current one, then the current minute (in progress, up to now). Zero when a minute has no event.`,
  }),
  top_pages: Type.Array(Type.Object({ page: Type.String({ description: 'page_path (an event without one counts as /).' }), visitors: Type.Integer() }), {
    maxItems: TOP_PAGES,
    description: `Pages with counted events since current_visitors_since by distinct visitors, most first, then by path; at most ${TOP_PAGES}.`,
  }),
});

export async function realtimeRoutes(app: FastifyInstance, context: RouteContext): Promise<void> {
  app.get(
    '/realtime',
    {
      schema: {
        tags: ['reports'],
        summary: 'Current visitors, events per minute and top pages now',
        description: [
          'current_visitors: distinct visitors with a counted event in the last 5 minutes (docs/metrics.md, Current visitors);',
          `events_per_minute: counted events in each of the last ${REALTIME_MINUTES} UTC minutes, the current one last; top_pages: the pages of the last 5 minutes by distinct visitors.`,
          'Filters and include_bots apply as on every report (bots are left out by default); from and to are ignored: the window is always the last half hour before now, and meta.range says which.',
          'Errors: 400 invalid_parameter naming the parameter; 404 for a project the caller may not read.',
        ].join(' '),
        querystring: Querystring,
        response: { 200: RealtimeAnswer },
      },
      config: { scope: 'read' },
    },
    async (request) => {
      const now = context.now();
      // The window replaces the range: from and to are not read (nor refused).
      const { from: _from, to: _to, ...params } = request.query as ReportParameters;
      const q = parseReportQuery(params, request.project, now);
      const window = realtimeWindow(now);
      q.range = window.range;
      const p = new SqlParams();
      const [{ rows }, meta] = await Promise.all([context.db.query<RealtimeSqlRow>(realtimeSql(q, window, p), p.values), reportMeta(context.db, q, request.project, now)]);
      const row = rows[0]!;
      return {
        meta,
        window: { now: now.toISOString(), current_visitors_since: window.currentSince.toISOString() },
        current_visitors: Number(row.current_visitors),
        events_per_minute: eventsPerMinute(window, row.per_minute),
        top_pages: row.top_pages.map((t) => ({ page: t.page, visitors: Number(t.visitors) })),
      };
    },
  );
}
