// GET /api/v1/projects/{project}/sessions/{session_id} and …/users/{user_id}/timeline: one
// session's or user's events oldest first, paged by cursor; the timeline adds the visits of its
// page's events. A session or user is known when the project holds any event of it (any time,
// bots included); otherwise 404, the same answer as for another project's session or user.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { LIMITS } from '#contract';
import { sendProblem } from '../http/problems.ts';
import { eventPageSql, journeyExistsSql, journeyWhere } from '../query/event-list-sql.ts';
import { parseJourneyQuery } from '../query/journey-query.ts';
import { ReportMetaSchema } from '../query/meta.ts';
import { reportQuerySchema } from '../query/report-query.ts';
import { SqlParams } from '../query/sql-params.ts';
import type { VisitItem } from '../query/list-items.ts';
import { visitsByIdSql } from '../query/visit-list-sql.ts';
import { EventItemSchema, NEXT_CURSOR, PAGING_PARAMETERS, VisitItemSchema, withExamples } from './list-schemas.ts';
import { eventPosition, listScope, readPage, startAfter } from './list-page.ts';
import type { RouteContext } from './route-context.ts';

const JourneyQuery = reportQuerySchema(PAGING_PARAMETERS);
type JourneyParameters = Static<typeof JourneyQuery>;
const SessionParams = Type.Object({ session_id: Type.String({ minLength: 1, maxLength: LIMITS.sessionId, description: 'The session_id the tracker sent.', examples: ['test-session-123'] }) });
const UserParams = Type.Object({ user_id: Type.String({ minLength: 1, maxLength: LIMITS.userId, description: 'The user_id sent with the events.', examples: ['user-42'] }) });

const JOURNEY_RANGE =
  '`from`/`to` default to all time here (either alone bounds one side); the filters and the bot rule apply as everywhere (docs/metrics.md § Reports over a range), ' +
  'so a bot journey lists no events without include_bots=true.';

export const journeyRoutes: FastifyPluginAsync<RouteContext> = async (app, context) => {
  /** The page of one session's or user's counted events; undefined when the project has no event of it. */
  async function journeyPage(project: { id: string; name: string; timezone: string }, by: 'session_id' | 'user_id', value: string, params: JourneyParameters) {
    const now = context.now();
    const q = parseJourneyQuery(params, project, now);
    const scope = listScope(by, project.id, params, value);
    const after = startAfter(context, scope, params.cursor);
    const pe = new SqlParams();
    const exists = await context.db.query<{ found: boolean }>(journeyExistsSql(project.id, pe, by, value), pe.values);
    if (!exists.rows[0]!.found) return undefined;
    const p = new SqlParams();
    const sql = eventPageSql(q, p, { order: 'oldest_first', ...after, rows: params.limit + 1, where: journeyWhere(p, by, value) });
    return readPage(context, { q, project, now, scope, sql, params: p, limit: params.limit, position: eventPosition });
  }

  app.get(
    '/sessions/:session_id',
    {
      schema: {
        tags: ['journeys'],
        summary: "One session's events, oldest first, paged by cursor",
        description: `The counted events of the session oldest first by (timestamp, event_id). ${JOURNEY_RANGE} 404 when the project holds no event of this session at all (an unknown id and another project's session answer alike); 200 with no events when it has some but none is counted.`,
        params: withExamples(SessionParams, [{ session_id: 'test-session-123' }]),
        querystring: withExamples(JourneyQuery, [{ limit: 100 }]),
        response: { 200: Type.Object({ meta: Type.Ref(ReportMetaSchema), session_id: Type.String(), data: Type.Array(EventItemSchema), next_cursor: NEXT_CURSOR }) },
      },
    },
    async (request, reply) => {
      const { session_id } = request.params as Static<typeof SessionParams>;
      const page = await journeyPage(request.project, 'session_id', session_id, request.query as JourneyParameters);
      if (page === undefined) return sendProblem(reply, 404, 'not_found', 'no such session in this project');
      return { meta: page.meta, session_id, data: page.data, next_cursor: page.next_cursor };
    },
  );

  app.get(
    '/users/:user_id/timeline',
    {
      schema: {
        tags: ['journeys'],
        summary: "One user's events oldest first, with their visits, paged by cursor",
        description: `The counted events of the user oldest first by (timestamp, event_id), and in \`visits\` the visits those events of the page belong to (oldest first, each once). ${JOURNEY_RANGE} 404 when the project holds no event of this user at all (an unknown id and another project's user answer alike).`,
        params: withExamples(UserParams, [{ user_id: 'user-42' }]),
        querystring: withExamples(JourneyQuery, [{ limit: 100 }]),
        response: {
          200: Type.Object({ meta: Type.Ref(ReportMetaSchema), user_id: Type.String(), data: Type.Array(EventItemSchema), visits: Type.Array(VisitItemSchema), next_cursor: NEXT_CURSOR }),
        },
      },
    },
    async (request, reply) => {
      const { user_id } = request.params as Static<typeof UserParams>;
      const project = request.project;
      const page = await journeyPage(project, 'user_id', user_id, request.query as JourneyParameters);
      if (page === undefined) return sendProblem(reply, 404, 'not_found', 'no such user in this project');
      const visitIds = [...new Set(page.data.flatMap((e) => (e.visit_id === null ? [] : [e.visit_id])))];
      let visits: VisitItem[] = [];
      if (visitIds.length > 0) {
        const p = new SqlParams();
        visits = (await context.db.query<VisitItem>(visitsByIdSql(project.id, p, visitIds), p.values)).rows;
      }
      return { meta: page.meta, user_id, data: page.data, visits, next_cursor: page.next_cursor };
    },
  );
};
