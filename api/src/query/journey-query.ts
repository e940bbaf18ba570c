// The range of a journey (one visit, session or user): all time unless `from`/`to` say otherwise,
// because a journey is asked for by its id, not by a period, and its events are few whatever the
// range. Otherwise the report parameters mean what they mean everywhere (docs/metrics.md). Pure.
import { parseReportQuery, type ReportParameters, type ReportQuery } from './report-query.ts';

/**
 * The bounds of "all time": every stored timestamp lies in 1970..9999 (the pipeline dead-letters
 * others), so this range holds every event of the journey.
 */
const ALL_TIME = { from: '1970-01-01T00:00:00Z', to: '9999-12-31T00:00:00Z' } as const;

/** The ReportQuery of a journey route: as parseReportQuery, with an absent from/to meaning all time. */
export function parseJourneyQuery(params: ReportParameters, project: { id: string; timezone: string }, now: Date): ReportQuery {
  return parseReportQuery({ ...params, from: params.from ?? ALL_TIME.from, to: params.to ?? ALL_TIME.to }, project, now, Number.POSITIVE_INFINITY);
}
