// The SQL of docs/metrics.md's definitions, once. Grafana's panels and the query API paste these
// fragments instead of writing their own: a report that writes `engaged_ms < 10000` or
// `interval '5 minutes'` by hand can drift from contract/definitions.ts, these cannot
// (db/definitions-sql.test.ts runs them against the migrated schema and the constants).
// Pure strings: the caller places them in its query and supplies the project filter.
import {
  BOUNCE_ENGAGED_MS,
  COUNTER_BUCKET_MS,
  CURRENT_VISITORS_WINDOW_MS,
  NON_INTERACTION_TYPES,
  PAGE_VIEW,
  VISIT_GAP_MS,
  VISIT_MAX_MS,
} from '#contract';

const literal = (value: string): string => `'${value.replaceAll("'", "''")}'`;
/** An SQL interval of exactly `ms` milliseconds. */
const intervalMs = (ms: number): string => `interval '${ms} milliseconds'`;

/**
 * Rows a report counts: every non-bot row, and bot rows too when `includeBots` (an SQL boolean
 * expression: a bind parameter such as `$2`, or Grafana's `'$include_bots' = 'true'`) is true.
 * Bots are stored and flagged, never dropped; reports exclude them by default. When
 * `includeBots` is a constant the planner folds it, leaving `NOT is_bot`.
 */
export const botFilter = (includeBots: string, alias = ''): string => `(NOT ${alias}is_bot OR ${includeBots})`;

/** Bot rows a report left out: with `sum(events)` or `count(*)`, "how many bots it excluded". */
export const excludedBots = (includeBots: string, alias = ''): string => `(${alias}is_bot AND NOT (${includeBots}))`;

/** A page view: an event of type page_view. */
export const isPageView = (alias = ''): string => `${alias}event_type = ${literal(PAGE_VIEW)}`;

/** An interaction: any event other than page_view and page_unload. */
export const isInteraction = (alias = ''): string => `${alias}event_type NOT IN (${NON_INTERACTION_TYPES.map(literal).join(', ')})`;

/**
 * The 15-minute UTC bucket of a timestamp expression, as event_counts_15m stores it (every UTC
 * offset in use is a multiple of 15 minutes, so these buckets add up to exact local days).
 */
export const counterBucket = (timestamp: string): string => `date_bin(${intervalMs(COUNTER_BUCKET_MS)}, ${timestamp}, timestamptz '1970-01-01 00:00:00+00')`;

/**
 * event_counts_15m with its shards summed: each Kafka partition's loader writes rows of its own
 * (`shard`), so one (project, bucket, type, path, bot flag) has up to one row per partition and a
 * reader must never show one shard's count alone. `where` restricts the rows read (the project
 * first, e.g. `project_id = $1 AND bucket >= $2`). Columns: project_id, bucket, event_type,
 * page_path, is_bot, events (bigint).
 */
export const countersOverShards = (where: string): string =>
  `SELECT project_id, bucket, event_type, page_path, is_bot, sum(events)::bigint AS events
     FROM event_counts_15m
    WHERE ${where}
    GROUP BY project_id, bucket, event_type, page_path, is_bot`;

/**
 * A visit bounces: exactly one page view, no interaction, under 10 s engaged. The `visits` table
 * stores this as its generated `bounced` column; the fragment exists for the recomputation that
 * checks it and for rows built in a query (alias: the visits-shaped relation).
 */
export const bouncedExpression = (alias = ''): string => `(${alias}pageviews = 1 AND ${alias}interactions = 0 AND ${alias}engaged_ms < ${BOUNCE_ENGAGED_MS})`;

/**
 * Bounce rate over `visits` rows (an aggregate, 0..1 as double precision): bounced visits over
 * visits with at least one page view; NULL when there is no such visit. A visit without page views
 * (server events only) neither bounces nor counts in the denominator.
 */
export const bounceRate = (alias = ''): string => bounceRateOf(`count(*) FILTER (WHERE ${alias}bounced)`, `count(*) FILTER (WHERE ${alias}pageviews > 0)`);

/**
 * Bounce rate from counts already taken (sums of rollup rows): `bounced` over `viewed` (visits
 * with at least one page view), both integer SQL expressions; NULL when `viewed` is 0 or NULL.
 */
export const bounceRateOf = (bounced: string, viewed: string): string => `((${bounced})::float8 / nullif(${viewed}, 0)::float8)`;

/** The start of the current-visitors window: an event at or after it is "now" (last 5 minutes). */
export const currentVisitorsSince = (now = 'now()'): string => `(${now} - ${intervalMs(CURRENT_VISITORS_WINDOW_MS)})`;

/** A visit's gap and length limits as SQL intervals, for recomputing visits from the events. */
export const VISIT_GAP_INTERVAL = intervalMs(VISIT_GAP_MS);
export const VISIT_MAX_INTERVAL = intervalMs(VISIT_MAX_MS);
