// POST /api/v1/projects/{project}/funnels: how many units reach each step of a funnel, in order,
// within a window from step 1 (docs/metrics.md § Funnels).
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type pg from 'pg';
import type { Project } from '../../../tenancy/model.ts';
import { funnelAnswer, type FunnelRow } from '../query/funnel-answer.ts';
import { FunnelBodySchema, parseFunnelQuery, type FunnelBody } from '../query/funnel-query.ts';
import { partsNow } from '../query/funnel-parts.ts';
import { funnelSql } from '../query/funnel-sql.ts';
import { reportMeta } from '../query/meta.ts';
import { SqlParams } from '../query/sql-params.ts';
import { queryWithWorkMem } from '../query/work-mem.ts';
import { count, nullableNumber } from './report-schemas.ts';
import type { RouteContext } from './route-context.ts';

/** Sort memory of one funnel query (measured: bench/funnels-retention.ts). */
export const FUNNEL_WORK_MEM_MB = 64;

const StepAnswer = Type.Object({
  step: Type.Integer({ minimum: 1, description: 'Position of the step, from 1.' }),
  label: Type.Union([Type.String(), Type.Null()], { description: 'The step’s label as sent, or null.' }),
  event_type: Type.String(),
  count: count('Units that reached this step (the furthest step of any of their attempts is this one or later).'),
  conversion_rate: nullableNumber('count / count of step 1, 0..1; null when step 1 has none.'),
  step_conversion_rate: nullableNumber('count / count of the previous step (step 1: 1), 0..1; null when that is 0.'),
  drop_off: count('Units that reached the previous step but not this one and whose window has closed (0 for step 1).'),
  in_progress: count('Units that reached the previous step but not this one and whose latest window is still open at the time of the report: they may still convert (0 for step 1).'),
  median_time_to_convert_ms: nullableNumber('Median over the units that reached this step of their shortest time from a step-1 event to this step, in ms (µs precision); null for step 1 and when none reached it.'),
  avg_time_to_convert_ms: nullableNumber('Mean of the same times, in ms; null for step 1 and when none reached it.'),
});

export const FunnelReply = Type.Object({
  data: Type.Object({
    steps: Type.Array(StepAnswer),
    breakdown: Type.Optional(
      Type.Array(Type.Object({ value: Type.Union([Type.String(), Type.Null()], { description: 'The dimension’s value; null when the visit has none.' }), steps: Type.Array(StepAnswer) }), {
        description: 'With `breakdown`: the steps per value, most units at step 1 first, then by value (bytewise, null last); at most 100 values.',
      }),
    ),
  }),
  meta: Type.Intersect([
    Type.Ref('ReportMeta'),
    Type.Object({ funnel: Type.Object({ order: Type.String(), unit: Type.String(), window_ms: Type.Integer({ description: 'The window in milliseconds.' }) }) }),
  ]),
});

const EXAMPLE = {
  steps: [
    { event_type: 'page_view', page: '/pricing', label: 'Pricing' },
    { event_type: 'button_click', button_id: 'signup', label: 'Sign-up click' },
    { event_type: 'page_unload', label: 'Left' },
  ],
  order: 'ordered',
  unit: 'visitor',
  window: 'P1D',
};

/**
 * A funnel's answer (data and meta) for a request body, at `at`; POST /funnels and saved funnels
 * share it. The units are split into up to `wantedParts` parts (funnel-sql.ts; partsNow), each a
 * statement on its own pooled connection without parallel workers, run at once; one part's
 * statement may use them. The answer is the same for any number of parts.
 */
export async function runFunnel(db: pg.Pool, body: FunnelBody, project: Project, at: Date, wantedParts: number) {
  const q = parseFunnelQuery(body, project, at);
  const parts = partsNow(db, wantedParts);
  const statements = Array.from({ length: parts }, (_, index) => {
    const p = new SqlParams();
    const sql = funnelSql(q, p, at, { index, count: parts });
    return queryWithWorkMem<FunnelRow>(db, FUNNEL_WORK_MEM_MB, sql, p.values, { serial: parts > 1 });
  });
  const [results, meta] = await Promise.all([Promise.all(statements), reportMeta(db, q.report, project, at)]);
  const rows = results.flatMap((r) => r.rows);
  return { data: funnelAnswer(q.steps, rows, q.breakdown !== undefined), meta: { ...meta, funnel: { order: q.order, unit: q.unit, window_ms: q.windowMs } } };
}

export const funnelRoutes: FastifyPluginAsync<RouteContext> = async (app, { db, now, queryParts }) => {
  app.post<{ Body: Static<typeof FunnelBodySchema> }>(
    '/funnels',
    {
      schema: {
        tags: ['reports'],
        summary: 'Funnel: units reaching each step in order within a window from step 1',
        description:
          'Every step-1 event in the range starts an attempt; a unit counts once, at the furthest step any of its attempts reached. A step repeating an earlier definition needs a distinct, later event; ties are ordered by (timestamp, event_id); later steps may fall up to the range end plus the window. Units still inside their window are `in_progress`, not dropped. No sampling. Bots and the filters apply to every event, as in every report (docs/metrics.md § Funnels). 400 names the field at fault.',
        body: { ...FunnelBodySchema, examples: [EXAMPLE] },
        response: { 200: FunnelReply },
      },
    },
    async (request) => {
      return runFunnel(db, request.body, request.project, now(), queryParts);
    },
  );
};
