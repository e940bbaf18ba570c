// Response fields /stats and /timeseries share (docs/metrics.md § Reports over a range).
import { Type } from '@sinclair/typebox';

export const nullableNumber = (description: string) => Type.Union([Type.Number(), Type.Null()], { description });
export const count = (description: string) => Type.Integer({ minimum: 0, description });

export const VISIT_MEASURE_FIELDS = {
  visitors: count('Distinct visitors of the counted visits (not additive over buckets).'),
  visits: count('Counted visits: started in the range (bucket), matching the filters.'),
  pageviews: count('Counted events of type page_view.'),
  events: count('Counted events.'),
  bounce_rate: nullableNumber('Bounced visits / visits with a page view, 0..1; null without such a visit.'),
  avg_visit_duration_ms: nullableNumber('Mean visit duration in milliseconds; null without visits.'),
};

