// What POST /retention accepts (docs/metrics.md § Retention) and its calendar: the local periods
// (days, weeks from `week_start`, months of `tz`) as their first instants, computed with luxon so
// PostgreSQL's zone data never matters, and the refusal (422) of a visitor retention whose visitor
// ids do not outlive a period. Pure.
import { Type, type Static } from '@sinclair/typebox';
import { DateTime } from 'luxon';
import type { VisitorIdMode } from '#contract';
import { ParameterError } from '../http/problems.ts';
import { parseReportQuery, REPORT_PARAMETERS, type ReportQuery } from './report-query.ts';
import { startOfLocalDay } from './time-range.ts';
import { eventTypeSchema } from './event-type-parameter.ts';

export const PERIODS = ['day', 'week', 'month'] as const;
export type Period = (typeof PERIODS)[number];
export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
/** The most cohorts one answer holds. */
export const MAX_COHORTS = 400;

const literals = <T extends string>(values: readonly T[], description: string, fallback: T) => Type.Optional(Type.Union(values.map((v) => Type.Literal(v)), { default: fallback, description }));
const eventType = (description: string) => Type.Optional(eventTypeSchema(description));

export const RetentionBodySchema = Type.Object(
  {
    from: REPORT_PARAMETERS.from,
    to: REPORT_PARAMETERS.to,
    tz: REPORT_PARAMETERS.tz,
    include_bots: REPORT_PARAMETERS.include_bots,
    period: literals(PERIODS, 'The length of a cohort and of each period after it: local days, weeks or months of tz.', 'week'),
    periods: Type.Optional(Type.Integer({ minimum: 1, maximum: 52, default: 8, description: 'How many periods after the cohort’s own to report, 1 to 52.' })),
    unit: literals(['visitor', 'user'] as const, 'Who is retained: a visitor (visitor_id) or a signed-in user (user_id).', 'user'),
    start_event: eventType('The event type that puts a unit in a cohort (its first ever); any event when absent.'),
    return_event: eventType('The event type that counts as a return; any event when absent.'),
    criteria: literals(['on', 'on_or_after'] as const, 'on: a return event in that period; on_or_after: in that period or any later time.', 'on'),
    week_start: literals(WEEKDAYS, 'The first day of a week (period=week).', 'monday'),
  },
  { additionalProperties: false },
);
export type RetentionBody = Static<typeof RetentionBodySchema>;

export interface RetentionQuery {
  report: ReportQuery;
  period: Period;
  periods: number;
  unit: 'visitor' | 'user';
  startEvent?: string;
  returnEvent?: string;
  criteria: 'on' | 'on_or_after';
  weekStart: Weekday;
  /**
   * Period starts (ms), ascending: the cohorts' (the periods holding an instant of the range), then
   * `periods` more and the end of the last one. bounds[c + i] starts period i of cohort c.
   */
  bounds: number[];
  cohorts: number;
}

/** The salt period of each visitor_id mode, in the periods' order (docs/metrics.md § Visitor); anonymous ids never rotate. */
const ROTATION: Record<VisitorIdMode, number> = { daily: 0, monthly: 2, anonymous_id: Infinity };

/** The visitor_id modes in order of how long an id lives; anonymous ids never rotate. */
const MODES: readonly VisitorIdMode[] = ['daily', 'monthly', 'anonymous_id'];

const accepts = (period: Period, mode: VisitorIdMode) => ROTATION[mode] > PERIODS.indexOf(period);

/**
 * Refuses (422) a visitor retention whose hashed visitor ids rotate at least as often as its
 * period: a returning person gets a new id every salt period, so the rate would be near zero.
 * The advice lists only what this function would accept: unit=user, the periods the ids
 * outlive, and the modes whose ids outlive this period.
 */
export function rotationProblem(unit: 'visitor' | 'user', period: Period, mode: VisitorIdMode): string | undefined {
  if (unit !== 'visitor' || accepts(period, mode)) return undefined;
  const salt = mode === 'daily' ? 'every UTC day' : 'every UTC month';
  const periods = PERIODS.filter((p) => accepts(p, mode));
  const modes = MODES.filter((m) => accepts(period, m));
  const advice = [
    'unit=user (signed-in users keep their user_id)',
    ...(periods.length > 0 ? [`period=${periods.join(' or period=')} (shorter than the ids' life)`] : []),
    `the project's visitor_id_mode ${modes.join(' or ')} (npm run -s projects -- set <project> --visitor-id-mode ${modes[0]!}; ids made before the change stay as they were)`,
  ];
  return `this project's visitor ids (visitor_id_mode ${mode}) change ${salt}, so a visitor seen in one ${period} has another id in any later ${period} and the rates would be near zero; use ${advice.join(', or ')}`;
}

/** The first instant of the local period holding `at`. */
function periodStart(at: DateTime, period: Period, weekStart: Weekday): DateTime {
  let date = DateTime.utc(at.year, at.month, at.day);
  if (period === 'month') date = date.startOf('month');
  if (period === 'week') date = date.minus({ days: (date.weekday - 1 - WEEKDAYS.indexOf(weekStart) + 7) % 7 });
  return startOfLocalDay(date.year, date.month, date.day, at.zoneName ?? 'UTC');
}

function nextPeriod(start: DateTime, period: Period): DateTime {
  const date = DateTime.utc(start.year, start.month, start.day).plus(period === 'day' ? { days: 1 } : period === 'week' ? { weeks: 1 } : { months: 1 });
  return startOfLocalDay(date.year, date.month, date.day, start.zoneName ?? 'UTC');
}

export function parseRetentionQuery(body: RetentionBody, project: { id: string; timezone: string }, now: Date): RetentionQuery {
  const report = parseReportQuery({ from: body.from, to: body.to, tz: body.tz, include_bots: body.include_bots }, project, now);
  const period = body.period ?? 'week';
  const periods = body.periods ?? 8;
  const weekStart = body.week_start ?? 'monday';
  const bounds: number[] = [];
  let start = periodStart(DateTime.fromJSDate(report.range.from, { zone: report.tz }), period, weekStart);
  while (start.toMillis() < report.range.to.getTime()) {
    bounds.push(start.toMillis());
    if (bounds.length > MAX_COHORTS) throw new ParameterError('from', `the range holds more than ${MAX_COHORTS} ${period}s; shorten it or choose a longer period`);
    start = nextPeriod(start, period);
  }
  const cohorts = bounds.length;
  for (let i = 0; i <= periods; i++, start = nextPeriod(start, period)) bounds.push(start.toMillis());
  return {
    report,
    period,
    periods,
    unit: body.unit ?? 'user',
    ...(body.start_event !== undefined ? { startEvent: body.start_event } : {}),
    ...(body.return_event !== undefined ? { returnEvent: body.return_event } : {}),
    criteria: body.criteria ?? 'on',
    weekStart,
    bounds,
    cohorts,
  };
}
