// GET /api/v1/projects/{project}/visits (the counted visits, newest first) and
// GET …/visits/{visit_id} (one visit and its events, oldest first), each paged by cursor.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { sendProblem } from '../http/problems.ts';
import { eventPageSql, visitEventsWhere } from '../query/event-list-sql.ts';
import { parseJourneyQuery } from '../query/journey-query.ts';
import { ReportMetaSchema } from '../query/meta.ts';
import { parseReportQuery, reportQuerySchema } from '../query/report-query.ts';
import { SqlParams } from '../query/sql-params.ts';
import type { VisitItem } from '../query/list-items.ts';
import { visitPageSql, visitsByIdSql } from '../query/visit-list-sql.ts';
import { EventItemSchema, NEXT_CURSOR, PAGING_PARAMETERS, VisitItemSchema, withExamples } from './list-schemas.ts';
import { eventPosition, listScope, readPage, startAfter } from './list-page.ts';
import type { RouteContext } from './route-context.ts';

const VisitsQuery = reportQuerySchema(PAGING_PARAMETERS);
const VisitParams = Type.Object({
  visit_id: Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$', description: 'A visit_id (UUID).', examples: ['6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f'] }),
});

export const visitsRoutes: FastifyPluginAsync<RouteContext> = async (app, context) => {
  app.get(
    '/visits',
    {
      schema: {
        tags: ['journeys'],
        summary: 'Counted visits, newest first, paged by cursor',
        description:
          'The counted visits (docs/metrics.md § Reports over a range: started in the range — default the last 7 days —, visit filters, bot rule, and with ' +
          'event filters at least one matching event), newest first by (visit_start, visit_id), each as the visits table stores it: duration, bounce, entry ' +
          'and exit, acquisition and device of its entry event. At most `limit` per page; `next_cursor` continues after the last visit.',
        querystring: withExamples(VisitsQuery, [{ from: '2026-11-01', to: '2026-11-30', referrer: 'google.com', limit: 20 }]),
        response: { 200: Type.Object({ meta: Type.Ref(ReportMetaSchema), data: Type.Array(VisitItemSchema), next_cursor: NEXT_CURSOR }) },
      },
    },
    async (request) => {
      const params = request.query as Static<typeof VisitsQuery>;
      const project = request.project;
      const now = context.now();
      const q = parseReportQuery(params, project, now);
      const scope = listScope('visits', project.id, params);
      const p = new SqlParams();
      const sql = visitPageSql(q, p, { ...startAfter(context, scope, params.cursor), rows: params.limit + 1 });
      return readPage(context, { q, project, now, scope, sql, params: p, limit: params.limit, position: (v: VisitItem) => ({ at: v.visit_start, id: v.visit_id }) });
    },
  );

  app.get(
    '/visits/:visit_id',
    {
      schema: {
        tags: ['journeys'],
        summary: 'One visit and its events, oldest first, paged by cursor',
        description:
          'The visit (whatever the range and filters) and, in `data`, its counted events oldest first by (timestamp, event_id). `from`/`to` default to all ' +
          "time here; the filters and the bot rule apply to the events as everywhere (so a bot's visit lists no events without include_bots=true). " +
          '404 when the project has no such visit: an unknown id and a visit of another project answer alike.',
        params: withExamples(VisitParams, [{ visit_id: '6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f' }]),
        querystring: withExamples(VisitsQuery, [{ limit: 100 }]),
        response: { 200: Type.Object({ meta: Type.Ref(ReportMetaSchema), visit: VisitItemSchema, data: Type.Array(EventItemSchema), next_cursor: NEXT_CURSOR }) },
      },
    },
    async (request, reply) => {
      const params = request.query as Static<typeof VisitsQuery>;
      const visitId = (request.params as Static<typeof VisitParams>).visit_id.toLowerCase();
      const project = request.project;
      const now = context.now();
      const q = parseJourneyQuery(params, project, now);
      const scope = listScope('visit', project.id, params, visitId);
      const after = startAfter(context, scope, params.cursor);
      const pv = new SqlParams();
      const visit = (await context.db.query<VisitItem>(visitsByIdSql(project.id, pv, [visitId]), pv.values)).rows[0];
      if (visit === undefined) return sendProblem(reply, 404, 'not_found', 'no such visit in this project');
      const p = new SqlParams();
      const sql = eventPageSql(q, p, { order: 'oldest_first', ...after, rows: params.limit + 1, where: visitEventsWhere(p, visit) });
      return { visit, ...(await readPage(context, { q, project, now, scope, sql, params: p, limit: params.limit, position: eventPosition })) };
    },
  );
};
