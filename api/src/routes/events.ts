// GET /api/v1/projects/{project}/events: the counted events (docs/metrics.md § Reports over a
// range), newest first, one keyset page at a time.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { eventPageSql } from '../query/event-list-sql.ts';
import { ReportMetaSchema } from '../query/meta.ts';
import { parseReportQuery, reportQuerySchema } from '../query/report-query.ts';
import { SqlParams } from '../query/sql-params.ts';
import { EventItemSchema, NEXT_CURSOR, PAGING_PARAMETERS, withExamples } from './list-schemas.ts';
import { eventPosition, listScope, readPage, startAfter } from './list-page.ts';
import type { RouteContext } from './route-context.ts';

const EventsQuery = reportQuerySchema(PAGING_PARAMETERS);

export const eventsRoutes: FastifyPluginAsync<RouteContext> = async (app, context) => {
  app.get(
    '/events',
    {
      schema: {
        tags: ['events'],
        summary: 'Counted events, newest first, paged by cursor',
        description:
          'The counted events of the range (default: the last 7 days, today included), the filters and the bot rule (docs/metrics.md § Reports over a range), ' +
          'newest first by (timestamp, event_id): events of the same microsecond keep one order. At most `limit` per page; `next_cursor` continues after the ' +
          "page's last event, so paging visits every event once even while new events arrive (they are newer than the cursor). Timestamps are UTC with " +
          'microseconds, exactly as stored; `metadata` is the stored object. 400 names the parameter (a cursor of another list or altered: `cursor`).',
        querystring: withExamples(EventsQuery, [{ from: '2026-11-01', to: '2026-11-30', event_type: 'page_view', limit: 50 }, { device: 'mobile', include_bots: true }]),
        response: { 200: Type.Object({ meta: Type.Ref(ReportMetaSchema), data: Type.Array(EventItemSchema), next_cursor: NEXT_CURSOR }) },
      },
    },
    async (request) => {
      const params = request.query as Static<typeof EventsQuery>;
      const project = request.project;
      const now = context.now();
      const q = parseReportQuery(params, project, now);
      const scope = listScope('events', project.id, params);
      const p = new SqlParams();
      const sql = eventPageSql(q, p, { order: 'newest_first', ...startAfter(context, scope, params.cursor), rows: params.limit + 1 });
      return readPage(context, { q, project, now, scope, sql, params: p, limit: params.limit, position: eventPosition });
    },
  );
};
