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

/** The error answer of http/problems.ts. */
const Problem = Type.Object({
  success: Type.Literal(false),
  error: Type.String({ description: 'invalid_parameter (400), missing_credentials / invalid_api_key / invalid_token (401), missing_scope (403), not_found (404), query_timeout / not_ready (503)' }),
  message: Type.String(),
  errors: Type.Optional(Type.Array(Type.Object({ field: Type.String({ description: 'The query parameter at fault.' }), message: Type.String() }))),
});

/** The error answers every report route documents. */
export const REPORT_ERRORS = {
  400: { ...Problem, description: 'A parameter is invalid; errors[0].field names it.' },
  401: { ...Problem, description: 'No credential, or not a valid one.' },
  403: { ...Problem, description: "The project's own key without the read scope." },
  404: { ...Problem, description: 'No such project, or one this caller may not read (the same answer).' },
  503: { ...Problem, description: 'The report took too long, or projects are still loading; retry.' },
};
