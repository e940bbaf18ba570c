// The visit panels of the "Analytics Platform Dashboard": visits, bounce rate, top referrers and
// devices of the chosen project, by the definitions of docs/metrics.md (§ Visit, § Terms used in
// reports). A visit counts when its start lies in the dashboard's range (Grafana's BETWEEN,
// inclusive at both ends), and is left out as a bot's unless `$include_bots` is on.
//
// Visits and bounce rate read the loader's 15-minute rollup (visit_counts_15m) for the whole
// buckets inside the range and the visits table only for the partial buckets at its two edges, so
// the numbers are exact for any range and a panel reads a few hundred rollup rows and at most
// 30 minutes of visits. Referrers and devices group the range's visits (one row per visit, kept by
// the loader; an acquisition attribute is its entry event's).
import { sql } from '../sql-query.ts';
import { countedRows, forProject } from './common.ts';

// Whole 15-minute buckets [lo, hi) inside [from, to]; the buckets are aligned as the rollup's
// (date_bin from 2000-01-01 UTC, i.e. multiples of 900 s since the epoch).
const RANGE = sql`
  range AS (
    SELECT f, t, to_timestamp(ceil(extract(epoch FROM f) / 900) * 900) AS lo, to_timestamp(floor(extract(epoch FROM t) / 900) * 900) AS hi
      FROM (SELECT $__timeFrom()::timestamptz AS f, $__timeTo()::timestamptz AS t) AS r
  )`;

/** One row: visits, visits with a page view and bounced visits in the range. */
const VISIT_MEASURES = sql`
  ${RANGE},
  whole AS (
    SELECT coalesce(sum(c.visits), 0) AS visits, coalesce(sum(c.viewed_visits), 0) AS viewed, coalesce(sum(c.bounces), 0) AS bounces
      FROM visit_counts_15m c, range
     WHERE c.${forProject()} AND c.bucket >= range.lo AND c.bucket < range.hi AND ${countedRows('c.')}
  ),
  edges AS (
    SELECT count(*) AS visits, count(*) FILTER (WHERE v.pageviews > 0) AS viewed, count(*) FILTER (WHERE v.bounced) AS bounces
      FROM visits v, range
     WHERE v.${forProject()} AND v.visit_start BETWEEN range.f AND range.t
       AND NOT (v.visit_start >= range.lo AND v.visit_start < range.hi) AND ${countedRows('v.')}
  )`;

export const VISITS = sql`
  WITH ${VISIT_MEASURES}
  SELECT whole.visits + edges.visits AS "Visits"
    FROM whole, edges`;

export const BOUNCE_RATE = sql`
  WITH ${VISIT_MEASURES}
  SELECT (whole.bounces + edges.bounces)::float8 / nullif(whole.viewed + edges.viewed, 0) AS "Bounce rate"
    FROM whole, edges`;

export const TOP_REFERRERS = sql`
  SELECT coalesce(referrer_domain, '(direct)') AS "Referrer", count(*) AS "Visits", count(DISTINCT visitor_id) AS "Visitors"
    FROM visits
   WHERE ${forProject()} AND $__timeFilter(visit_start) AND ${countedRows()}
   GROUP BY 1
   ORDER BY 2 DESC, 3 DESC, 1
   LIMIT 10`;

export const DEVICES = sql`
  SELECT coalesce(device_type, '(unknown)') AS "Device", count(*) AS "Visits"
    FROM visits
   WHERE ${forProject()} AND $__timeFilter(visit_start) AND ${countedRows()}
   GROUP BY 1
   ORDER BY 2 DESC, 1`;
