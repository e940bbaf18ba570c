// GET /api/v1/projects/{project}/breakdown: rows of one dimension with their metrics
// (docs/metrics.md § Breakdowns), a page at a time. SQL: query/breakdown-sql.ts.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { breakdownScope, decodeBreakdownCursor, encodeBreakdownCursor, cursorFingerprint } from '../query/breakdown-cursor.ts';
import { DIMENSION_SPECS, DimensionSchema, isVisitDimension } from '../query/breakdown-dimensions.ts';
import { breakdownSql, type BreakdownSqlRow } from '../query/breakdown-sql.ts';
import { reportMeta, ReportMetaSchema } from '../query/meta.ts';
import { parseReportQuery, reportQuerySchema } from '../query/report-query.ts';
import { SqlParams } from '../query/sql-params.ts';
import type { RouteContext } from './route-context.ts';

const Querystring = Object.assign(
  reportQuerySchema({
    dimension: DimensionSchema,
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 10, description: 'Rows per page (1..1000).', examples: [10] })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 2000, description: "The previous answer's next_cursor, with the same other parameters: the next page." })),
  }),
  {
    examples: [
      { dimension: 'page', from: '2026-11-01', to: '2026-11-30', limit: 10 },
      { dimension: 'referrer', utm_source: 'newsletter' },
      { dimension: 'event_type', include_bots: true },
    ],
  },
);
type Querystring = Static<typeof Querystring>;

const value = Type.Union([Type.String(), Type.Null()], { description: 'The dimension\'s value; null for none (e.g. direct traffic for referrer, no campaign for utm_campaign).' });
const ratio = (description: string) => Type.Union([Type.Number(), Type.Null()], { description });

const VisitRow = Type.Object(
  {
    value,
    visitors: Type.Integer({ description: 'Distinct visitors of these visits.' }),
    visits: Type.Integer({ description: 'Counted visits with this value.' }),
    pageviews: Type.Integer({ description: "Sum of the visits' page views." }),
    bounce_rate: ratio('Bounced visits / visits with a page view, 0..1; null when none has a page view.'),
    avg_visit_duration_ms: ratio('Mean visit duration in milliseconds.'),
    views_per_visit: ratio('Page views / visits.'),
  },
  { title: 'Visit dimension row' },
);
const EventRow = Type.Object(
  {
    value,
    events: Type.Integer({ description: 'Counted events with this value.' }),
    pageviews: Type.Integer({ description: 'Of those, page views.' }),
    visitors: Type.Integer({ description: 'Distinct visitors of those events.' }),
    visits: Type.Integer({ description: 'Distinct visits of those events.' }),
  },
  { title: 'Event dimension row' },
);

const BreakdownAnswer = Type.Object({
  meta: Type.Ref(ReportMetaSchema),
  dimension: Type.String(),
  data: Type.Array(Type.Union([VisitRow, EventRow])),
  total: Type.Integer({ description: 'Rows of the whole breakdown, all pages.' }),
  next_cursor: Type.Union([Type.String(), Type.Null()], { description: 'Pass as cursor for the next page; null on the last page.' }),
});

export async function breakdownRoutes(app: FastifyInstance, context: RouteContext): Promise<void> {
  app.get(
    '/breakdown',
    {
      schema: {
        tags: ['reports'],
        summary: 'Rows of one dimension with their metrics',
        description: [
          'Groups the counted visits by a visit dimension (entry_page, exit_page, referrer, utm_source, utm_medium, utm_campaign, browser, os, device) with visitors, visits, pageviews (sum of the visits\' page views), bounce_rate, avg_visit_duration_ms and views_per_visit;',
          'or the counted events by an event dimension (page, event_type, button_id: only events that carry one) with events, pageviews and the distinct visitors and visits of those events.',
          'Rows are ordered by visitors (visit dimensions), pageviews (page) or events (event_type, button_id), most first, then by value (bytewise ascending, null last).',
          'Pages: `limit` rows each; `next_cursor` continues with the same range as the first page, so paging neither repeats nor skips a row. Definitions: docs/metrics.md § Breakdowns.',
          'Errors: 400 invalid_parameter naming the parameter (dimension missing or unknown, limit out of 1..1000, a cursor of other parameters); 404 for a project the caller may not read.',
        ].join(' '),
        querystring: Querystring,
        response: { 200: BreakdownAnswer },
      },
      config: { scope: 'read' },
    },
    async (request) => {
      const params = request.query as Querystring;
      const now = context.now();
      const q = parseReportQuery(params, request.project, now);
      const fingerprint = cursorFingerprint(params);
      const scope = breakdownScope(request.project.id);
      const cursor = params.cursor !== undefined ? decodeBreakdownCursor(params.cursor, fingerprint, context.cursors, scope) : undefined;
      if (cursor !== undefined) q.range = cursor.range;
      const limit = params.limit ?? 10;
      const spec = DIMENSION_SPECS[params.dimension];

      const p = new SqlParams();
      const sql = breakdownSql(q, params.dimension, { limit, ...(cursor ? { after: cursor.after } : {}) }, p);
      const [{ rows }, meta] = await Promise.all([context.db.query<BreakdownSqlRow>(sql, p.values), reportMeta(context.db, q, request.project, now)]);
      const found = rows.filter((r) => r.visitors !== null);
      const page = found.slice(0, limit);
      const last = page.at(-1);
      const next =
        found.length > limit && last !== undefined
          ? encodeBreakdownCursor({ range: q.range, after: { metric: Number(last[spec.orderBy]), value: last.value } }, fingerprint, context.cursors, scope)
          : null;
      return {
        meta,
        dimension: params.dimension,
        data: page.map((r) => (isVisitDimension(params.dimension) ? visitRow(r) : eventRow(r))),
        total: Number(rows[0]?.total ?? 0),
        next_cursor: next,
      };
    },
  );
}

function visitRow(r: BreakdownSqlRow): Static<typeof VisitRow> {
  return {
    value: r.value,
    visitors: Number(r.visitors),
    visits: Number(r.visits),
    pageviews: Number(r.pageviews),
    bounce_rate: r.bounce_rate ?? null,
    avg_visit_duration_ms: r.avg_visit_duration_ms ?? null,
    views_per_visit: r.views_per_visit ?? null,
  };
}

function eventRow(r: BreakdownSqlRow): Static<typeof EventRow> {
  return { value: r.value, events: Number(r.events), pageviews: Number(r.pageviews), visitors: Number(r.visitors), visits: Number(r.visits) };
}
