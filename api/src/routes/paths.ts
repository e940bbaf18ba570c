// GET /api/v1/projects/{project}/paths: the most common sequences of pages within visits
// (docs/metrics.md § Paths).
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { reportMeta } from '../query/meta.ts';
import { pathsSql } from '../query/paths-sql.ts';
import { parseReportQuery, reportQuerySchema } from '../query/report-query.ts';
import { SqlParams } from '../query/sql-params.ts';
import { count } from './report-schemas.ts';
import type { RouteContext } from './route-context.ts';

const Querystring = reportQuerySchema({
  steps: Type.Optional(Type.Integer({ minimum: 1, maximum: 10, default: 5, description: 'Pages per path, 1 to 10.', examples: [3] })),
  start_page: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'Paths start at the first view of this page_path; visits without one are left out.' })),
  end_page: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'Paths end at the first view of this page_path within `steps` pages; visits that do not reach it are left out.' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'The most paths to answer.' })),
});

const Reply = Type.Object({
  data: Type.Array(
    Type.Object({
      path: Type.Array(Type.String(), { description: 'page_paths in the order viewed (an event without one counts as /), consecutive repeats collapsed.' }),
      visits: count('Counted visits whose path this is.'),
    }),
    { description: 'Most visits first, then by path (page by page, bytewise).' },
  ),
  meta: Type.Ref('ReportMeta'),
});

export const pathsRoutes: FastifyPluginAsync<RouteContext> = async (app, { db, now }) => {
  app.get<{ Querystring: Static<typeof Querystring> }>(
    '/paths',
    {
      schema: {
        tags: ['reports'],
        summary: 'Most common page sequences within visits',
        description:
          'For each counted visit, its page views’ page_paths in (timestamp, event_id) order with consecutive repeats collapsed, from the first `start_page` (or the entry), at most `steps` pages, up to the first `end_page` when given; counted per distinct sequence (docs/metrics.md § Paths). 400 names a bad parameter.',
        querystring: Querystring,
        response: { 200: Reply },
      },
    },
    async (request) => {
      const at = now();
      const { steps, start_page, end_page, limit, ...params } = request.query;
      const report = parseReportQuery(params, request.project, at);
      const p = new SqlParams();
      const sql = pathsSql({ report, steps: steps ?? 5, limit: limit ?? 100, ...(start_page !== undefined ? { startPage: start_page } : {}), ...(end_page !== undefined ? { endPage: end_page } : {}) }, p);
      const [result, meta] = await Promise.all([db.query<{ path: string[]; visits: string }>(sql, p.values), reportMeta(db, report, request.project, at)]);
      return { data: result.rows.map((r) => ({ path: r.path, visits: Number(r.visits) })), meta };
    },
  );
};
