// Retention on plain PostgreSQL (TimescaleDB drops whole chunks by policy): events older than the
// cut, and the rollup rows that describe only such events. A visit or 15-minute bucket the cut
// falls inside keeps its whole count until it is wholly older. visitor_first_seen is kept: it
// means "first ever", and retention cohorts must not see returning visitors as new.
export const RETENTION_STATEMENTS = {
  events: `DELETE FROM analytics_events WHERE "timestamp" < now() - make_interval(days => $1)`,
  visits: `DELETE FROM visits WHERE visit_end < now() - make_interval(days => $1)`,
  // The counters in one statement: 018's narrow ones and 023's event-value rows go with event_counts_15m.
  counts: `WITH t AS (DELETE FROM event_type_counts_15m WHERE bucket + interval '15 minutes' <= now() - make_interval(days => $1)),
    ev AS (DELETE FROM event_value_visits_15m WHERE bucket + interval '15 minutes' <= now() - make_interval(days => $1)),
    v AS (DELETE FROM visit_counts_15m WHERE bucket + interval '15 minutes' <= now() - make_interval(days => $1))
    DELETE FROM event_counts_15m WHERE bucket + interval '15 minutes' <= now() - make_interval(days => $1)`,
} as const;
