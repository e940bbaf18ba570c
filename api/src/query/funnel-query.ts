// What POST /funnels accepts (docs/metrics.md § Funnels): the steps, the order mode, the unit, the
// conversion window, an optional breakdown, and the range, zone and filters every report takes
// (report-query.ts), as a TypeBox body schema and as the parsed FunnelQuery the SQL builder takes,
// with the project first. Pure.
import { Type, type Static } from '@sinclair/typebox';
import { Duration } from 'luxon';
import { LIMITS } from '#contract';
import { quoteIfShort } from '../../../lib/http-problem.ts';
import { ParameterError } from '../http/problems.ts';
import { DIMENSION_SPECS, isVisitDimension, type Dimension } from './breakdown-dimensions.ts';
import { eventTypeSchema } from './event-type-parameter.ts';
import { MAX_FUNNEL_STEPS, MIN_FUNNEL_STEPS } from './funnel-limits.ts';
import { parseReportQuery, REPORT_PARAMETERS, type ReportParameters, type ReportQuery } from './report-query.ts';

export const FUNNEL_ORDERS = ['ordered', 'strict'] as const;
export const FUNNEL_UNITS = ['visit', 'visitor', 'user'] as const;
export type FunnelOrder = (typeof FUNNEL_ORDERS)[number];
export type FunnelUnit = (typeof FUNNEL_UNITS)[number];

/** The longest conversion window: later steps are read up to the range end plus the window. */
export const MAX_WINDOW_MS = 90 * 86_400_000;
/** The most breakdown groups an answer holds (the groups with most units at step 1). */
export const MAX_BREAKDOWN_GROUPS = 100;
const MAX_METADATA_CONDITIONS = 10;
/** The longest key an event's metadata can hold: every character is at least one byte, and `{"":""}` takes 7 of LIMITS.metadataBytes. */
const METADATA_KEY_MAX = LIMITS.metadataBytes - 7;

/** Breakdowns group units by a visit dimension (docs/metrics.md § Breakdowns) of their first start's visit. */
export const FUNNEL_BREAKDOWNS = (Object.keys(DIMENSION_SPECS) as Dimension[]).filter(isVisitDimension);
export type FunnelBreakdown = (typeof FUNNEL_BREAKDOWNS)[number];

const text = (maxLength: number, description: string, example?: string) =>
  Type.String({ minLength: 1, maxLength, pattern: '^[^\\u0000]*$', description, ...(example !== undefined ? { examples: [example] } : {}) });

export const StepSchema = Type.Object(
  {
    event_type: eventTypeSchema('The event type the step matches.', 'page_view'),
    page: Type.Optional(text(500, 'Only events whose page_path is this (an event without one counts as /).', '/pricing')),
    button_id: Type.Optional(text(LIMITS.buttonId, 'Only events with this button_id.')),
    metadata: Type.Optional(
      Type.Record(Type.String(), Type.String({ maxLength: 500, pattern: '^[^\\u0000]*$' }), {
        maxProperties: MAX_METADATA_CONDITIONS,
        description: 'Only events whose metadata has each key with this value, compared as text (a JSON number 5 is "5").',
      }),
    ),
    label: Type.Optional(Type.String({ maxLength: 100, description: 'A name for the step, echoed in the answer.' })),
  },
  { additionalProperties: false },
);
export type FunnelStep = Static<typeof StepSchema>;

/** The body of POST /funnels: the report parameters (range, tz, filters) plus the funnel's own. */
export const FunnelBodySchema = Type.Object(
  {
    ...REPORT_PARAMETERS,
    steps: Type.Array(StepSchema, { minItems: MIN_FUNNEL_STEPS, maxItems: MAX_FUNNEL_STEPS, description: `The steps in order, ${MIN_FUNNEL_STEPS} to ${MAX_FUNNEL_STEPS}.` }),
    order: Type.Optional(
      Type.Union(
        FUNNEL_ORDERS.map((o) => Type.Literal(o)),
        { default: 'ordered', description: 'ordered: each step after the previous one, other events in between allowed; strict: each step the very next event of the unit.' },
      ),
    ),
    unit: Type.Optional(
      Type.Union(
        FUNNEL_UNITS.map((u) => Type.Literal(u)),
        { default: 'visitor', description: 'What converts: a visit (visit_id), a visitor (visitor_id) or a signed-in user (user_id; events without one are left out).' },
      ),
    ),
    window: Type.Optional(
      Type.String({ default: 'P1D', title: 'an ISO 8601 duration such as PT30M or P1D', description: 'The conversion window, an ISO 8601 duration of weeks, days (24 h), hours, minutes and seconds (at most P90D), measured from step 1.', examples: ['P1D'] }),
    ),
    breakdown: Type.Optional(
      Type.Unsafe<FunnelBreakdown>({ type: 'string', enum: [...FUNNEL_BREAKDOWNS], description: "Group units by this dimension of the visit of their first step-1 event in the range (at most 100 groups, most units first)." }),
    ),
  },
  { additionalProperties: false },
);
export type FunnelBody = Static<typeof FunnelBodySchema>;

export interface FunnelQuery {
  report: ReportQuery;
  steps: FunnelStep[];
  order: FunnelOrder;
  unit: FunnelUnit;
  windowMs: number;
  breakdown?: FunnelBreakdown;
}

/**
 * A window as exact milliseconds. Weeks and days are 7 × 24 and 24 hours (the window is elapsed
 * time, not calendar days); months and years have no fixed length and are refused.
 */
export function parseWindow(value: string): number {
  // ISO 8601 allows a comma as the decimal sign (PT1,5H); luxon reads a comma only before S.
  const d = Duration.fromISO(value.split(',').length === 2 ? value.replace(',', '.') : value);
  // luxon reads "P" and "PT" as zero; ISO 8601 requires at least one number of a unit (and one after a T).
  if (!d.isValid || !/\d/.test(value) || value.endsWith('T')) throw new ParameterError('window', `${quoteIfShort(value) ?? 'the value'} is not an ISO 8601 duration (e.g. PT30M, P1D, P2W, PT1,5H)`);
  // luxon truncates a fraction of seconds to whole milliseconds (PT2.376545S would be 2.376 s): refuse what it would cut.
  const secondsFraction = /[.,](\d+)S$/i.exec(value)?.[1] ?? '';
  if (/[1-9]/.test(secondsFraction.slice(3))) throw new ParameterError('window', 'the window may have at most millisecond precision');
  if (d.years !== 0 || d.quarters !== 0 || d.months !== 0) throw new ParameterError('window', 'months and years have no fixed length; use weeks, days (24 h), hours, minutes or seconds');
  const ms = d.weeks * 7 * 86_400_000 + d.days * 86_400_000 + d.hours * 3_600_000 + d.minutes * 60_000 + d.seconds * 1000 + d.milliseconds;
  if (!Number.isInteger(ms)) throw new ParameterError('window', 'the window may have at most millisecond precision');
  if (ms <= 0) throw new ParameterError('window', 'must be longer than zero');
  if (ms > MAX_WINDOW_MS) throw new ParameterError('window', 'may be at most P90D');
  return ms;
}

/**
 * Refuses a step's metadata key no event could hold. A Record's key schema is no JSON Schema rule
 * (TypeBox keeps only a pattern) and OpenAPI 3.0 has no propertyNames, so keys are checked here:
 * 1 to METADATA_KEY_MAX characters (the contract bounds a key only by metadata's serialized size).
 * Throws ParameterError naming `steps/<i>/metadata`; the key itself is not repeated.
 */
function checkMetadataKeys(steps: readonly FunnelStep[]): void {
  steps.forEach((step, i) => {
    for (const key of Object.keys(step.metadata ?? {})) {
      if (key.length === 0 || key.length > METADATA_KEY_MAX) {
        throw new ParameterError(`steps/${i}/metadata`, `a key must have 1 to ${METADATA_KEY_MAX} characters (no event's metadata, at most ${LIMITS.metadataBytes} bytes serialized, holds a longer one); this one has ${key.length}`);
      }
    }
  });
}

export function parseFunnelQuery(body: FunnelBody, project: { id: string; timezone: string }, now: Date): FunnelQuery {
  const { steps, order, unit, window, breakdown, ...params } = body;
  checkMetadataKeys(steps);
  return {
    report: parseReportQuery(params as ReportParameters, project, now),
    steps,
    order: order ?? 'ordered',
    unit: unit ?? 'visitor',
    windowMs: parseWindow(window ?? 'P1D'),
    ...(breakdown !== undefined ? { breakdown } : {}),
  };
}
