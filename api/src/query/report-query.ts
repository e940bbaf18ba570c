// What every report route accepts (docs/metrics.md § Reports over a range): the range, the time
// zone and the filters, as a TypeBox query-string schema (so /docs lists them) and as the parsed
// ReportQuery every SQL builder takes, with the project first. Pure.
import { Type, type Static, type TProperties } from '@sinclair/typebox';
import { LIMITS } from '#contract';
import { ParameterError } from '../http/problems.ts';
import { canonicalZone, parseTimeZone } from '../../../lib/time-zone.ts';
import { resolveRange, type TimeRange } from './time-range.ts';
import { eventTypeSchema } from './event-type-parameter.ts';

/** Filters on each event's own columns. */
export const EVENT_FILTERS = ['event_type', 'page', 'session_id', 'user_id'] as const;
/** Filters on the visit an event belongs to (its entry event's values). */
export const VISIT_FILTERS = ['referrer', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content', 'browser', 'os', 'device'] as const;
export type EventFilter = (typeof EVENT_FILTERS)[number];
export type VisitFilter = (typeof VISIT_FILTERS)[number];

/** A visit filter's value that matches visits without the value (e.g. direct traffic for `referrer`). */
export const NONE = '(none)';

const filterText = (description: string, maxLength: number) => Type.Optional(Type.String({ minLength: 1, maxLength, description }));

/** The query parameters every report route takes; routes add their own with `reportQuerySchema(extra)`. */
export const REPORT_PARAMETERS = {
  from: Type.Optional(Type.String({ description: 'Start: a date (local midnight in tz) or an RFC 3339 date-time; inclusive. Default: 6 days before today.', examples: ['2026-11-01'] })),
  to: Type.Optional(Type.String({ description: 'End: a date (that whole day included) or a date-time (exclusive). Default: now.', examples: ['2026-11-30'] })),
  tz: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "IANA time zone of the range and the buckets; default the project's.", examples: ['Europe/Berlin'] })),
  include_bots: Type.Optional(Type.Boolean({ default: false, description: 'Count events and visits flagged is_bot too.' })),
  event_type: Type.Optional(eventTypeSchema('Only events of this type.')),
  page: filterText('Only events whose page_path is this (an event without one counts as /).', 500),
  session_id: filterText('Only events of this session.', LIMITS.sessionId),
  user_id: filterText('Only events of this user.', LIMITS.userId),
  referrer: filterText('Only visits from this referrer_domain; (none) for direct visits.', 255),
  utm_source: filterText('Only visits with this utm_source; (none) for visits without.', 200),
  utm_medium: filterText('Only visits with this utm_medium.', 200),
  utm_campaign: filterText('Only visits with this utm_campaign.', 200),
  utm_term: filterText('Only visits with this utm_term.', 200),
  utm_content: filterText('Only visits with this utm_content.', 200),
  browser: filterText('Only visits with this browser (e.g. Chrome).', 50),
  os: filterText('Only visits with this operating system (e.g. macOS).', 50),
  device: filterText('Only visits from this device type: desktop, mobile, tablet, tv or unknown.', 10),
} satisfies TProperties;

/** The query-string schema of a route: the report parameters plus its own; unknown parameters are refused. */
export function reportQuerySchema<P extends TProperties>(extra: P) {
  return Type.Object({ ...REPORT_PARAMETERS, ...extra }, { additionalProperties: false });
}

export type ReportParameters = Static<ReturnType<typeof reportQuerySchema<Record<never, never>>>>;

export interface ReportQuery {
  projectId: string;
  tz: string;
  range: TimeRange;
  includeBots: boolean;
  /** Event filters present, by name. */
  eventFilters: Partial<Record<EventFilter, string>>;
  /** Visit filters present, by name; NONE matches a visit without the value. */
  visitFilters: Partial<Record<VisitFilter, string>>;
}

/** `tz` as sent, or a 400 naming it: unknown, or not in its standard spelling (did you mean …). */
function zoneSent(tz: string): string {
  const zone = parseTimeZone(tz);
  if (!zone.ok) throw new ParameterError('tz', zone.error);
  return zone.value;
}

/**
 * The ReportQuery of a request's parameters for a project (its id and default time zone), at `now`.
 * `maxRangeDays` bounds the range (time-range.ts; the journeys read all time).
 */
export function parseReportQuery(params: ReportParameters, project: { id: string; timezone: string }, now: Date, maxRangeDays?: number): ReportQuery {
  // A zone sent is taken only as IANA spells it (lib/time-zone.ts); the project's own is read as stored.
  const tz = params.tz !== undefined ? zoneSent(params.tz) : canonicalZone(project.timezone);
  if (tz === undefined) throw new ParameterError('tz', `the project's time zone ${JSON.stringify(project.timezone)} is unknown here: send tz`);
  const eventFilters: ReportQuery['eventFilters'] = {};
  for (const name of EVENT_FILTERS) if (params[name] !== undefined) eventFilters[name] = params[name];
  const visitFilters: ReportQuery['visitFilters'] = {};
  for (const name of VISIT_FILTERS) if (params[name] !== undefined) visitFilters[name] = params[name];
  return { projectId: project.id, tz, range: resolveRange({ from: params.from, to: params.to }, tz, now, maxRangeDays), includeBots: params.include_bots ?? false, eventFilters, visitFilters };
}
