// Response pieces the aggregate reports share: nullable means and the route's security.
import { Type } from '@sinclair/typebox';

export const nullableNumber = (description: string) => Type.Union([Type.Number(), Type.Null()], { description });
export const count = (description: string) => Type.Integer({ minimum: 0, description });

/** A key (X-API-Key or Bearer sk_…) or an analyst's access token, with the read scope. */
export const REPORT_SECURITY: { [scheme: string]: string[] }[] = [{ apiKey: [] }, { bearerKey: [] }, { accessToken: [] }];

export const VISIT_MEASURE_FIELDS = {
  visitors: count('Distinct visitors of the counted visits (not additive over buckets).'),
  visits: count('Counted visits: started in the range (bucket), matching the filters.'),
  pageviews: count('Counted events of type page_view.'),
  events: count('Counted events.'),
  bounce_rate: nullableNumber('Bounced visits / visits with a page view, 0..1; null without such a visit.'),
  avg_visit_duration_ms: nullableNumber('Mean visit duration in milliseconds; null without visits.'),
};
