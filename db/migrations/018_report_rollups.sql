-- Rollups that let the query API's unfiltered stats and time series read thousands of rows
-- instead of millions (docs/metrics.md § Which rows serve a report). Maintained by the loader in
-- the transaction of the events' COPY (pipeline/src/adapters/report-rollups-sql.ts), checked
-- against their recomputation by db/rollup-check.ts, and filled here from the stored data, so an
-- existing installation (and the bench dataset) holds exactly what the loader would have written.
-- Every statement recomputes and corrects, so running it again changes nothing.

-- Events per 15-minute UTC bucket and type, without the page dimension of event_counts_15m
-- (~100x fewer rows). shard as there: the loader's Kafka partition; -1 for rows filled here.
CREATE TABLE IF NOT EXISTS event_type_counts_15m (
  project_id uuid         NOT NULL,
  bucket     timestamptz  NOT NULL,
  event_type varchar(100) NOT NULL,
  is_bot     boolean      NOT NULL,
  shard      integer      NOT NULL,
  events     bigint       NOT NULL,
  PRIMARY KEY (project_id, bucket, event_type, is_bot, shard)
);

-- Visit measures per 15-minute UTC bucket of visit_start (a visit counts in the bucket it
-- started in, and every UTC offset in use is a multiple of 15 minutes, so any local day, hour or
-- range of dates is a whole number of these buckets). A visit that changes (a late event) is
-- subtracted in its old state and added in its new one, so a shard's row can be negative; readers
-- sum over shards. Sums are of the visits table's own generated columns.
CREATE TABLE IF NOT EXISTS visit_counts_15m (
  project_id    uuid        NOT NULL,
  bucket        timestamptz NOT NULL,
  is_bot        boolean     NOT NULL,
  shard         integer     NOT NULL,
  visits        bigint      NOT NULL,
  viewed_visits bigint      NOT NULL, -- visits with at least one page view (bounce rate's denominator)
  bounces       bigint      NOT NULL,
  duration_ms   bigint      NOT NULL,
  pageviews     bigint      NOT NULL,
  PRIMARY KEY (project_id, bucket, is_bot, shard)
);

-- Distinct visitors as a filtered count instead of a hash of visitor ids: a visitor started a
-- visit in [from, to) exactly once "for the first time", in the visit whose previous visit (same
-- visitor, order (visit_start, visit_id)) started before `from` or does not exist. The second
-- column skips bot visits: the previous non-bot visit, for reports that leave bots out (NULL on
-- bot visits, which such reports do not read).
ALTER TABLE visits
  ADD COLUMN IF NOT EXISTS previous_visit_start timestamptz,
  ADD COLUMN IF NOT EXISTS previous_human_visit_start timestamptz;

UPDATE visits v
   SET previous_visit_start = p.previous_visit_start, previous_human_visit_start = p.previous_human_visit_start
  FROM (
    SELECT project_id, visit_id,
      lag(visit_start) OVER w AS previous_visit_start,
      CASE WHEN is_bot THEN NULL
           ELSE max(visit_start) FILTER (WHERE NOT is_bot) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) END AS previous_human_visit_start
      FROM visits
    WINDOW w AS (PARTITION BY project_id, visitor_id ORDER BY visit_start, visit_id)
  ) p
 WHERE v.project_id = p.project_id AND v.visit_id = p.visit_id
   AND (v.previous_visit_start, v.previous_human_visit_start) IS DISTINCT FROM (p.previous_visit_start, p.previous_human_visit_start);

-- The visitor count reads only this index (an index-only scan of a range's visits).
CREATE INDEX IF NOT EXISTS visits_project_start_previous_idx
  ON visits (project_id, visit_start) INCLUDE (is_bot, previous_visit_start, previous_human_visit_start);

-- The counters are filled by reconciling: each bucket's difference between the recomputation and
-- what is stored (over all shards) goes to shard -1. On the first run that is the whole history;
-- run again (e.g. after 014 filled an older history) it adds only what is missing, never twice.
INSERT INTO event_type_counts_15m (project_id, bucket, event_type, is_bot, shard, events)
SELECT project_id, bucket, event_type, is_bot, -1, coalesce(r.events, 0) - coalesce(s.events, 0)
  FROM (SELECT project_id, bucket, event_type, is_bot, sum(events) AS events FROM event_counts_15m GROUP BY 1, 2, 3, 4) r
  FULL JOIN (SELECT project_id, bucket, event_type, is_bot, sum(events) AS events FROM event_type_counts_15m GROUP BY 1, 2, 3, 4) s
 USING (project_id, bucket, event_type, is_bot)
 WHERE coalesce(r.events, 0) <> coalesce(s.events, 0)
ON CONFLICT (project_id, bucket, event_type, is_bot, shard) DO UPDATE SET events = event_type_counts_15m.events + EXCLUDED.events;

INSERT INTO visit_counts_15m (project_id, bucket, is_bot, shard, visits, viewed_visits, bounces, duration_ms, pageviews)
SELECT project_id, bucket, is_bot, -1, coalesce(r.visits, 0) - coalesce(s.visits, 0), coalesce(r.viewed_visits, 0) - coalesce(s.viewed_visits, 0),
       coalesce(r.bounces, 0) - coalesce(s.bounces, 0), coalesce(r.duration_ms, 0) - coalesce(s.duration_ms, 0), coalesce(r.pageviews, 0) - coalesce(s.pageviews, 0)
  FROM (SELECT project_id, date_bin(interval '15 minutes', visit_start, timestamptz '2000-01-01 00:00:00+00') AS bucket, is_bot,
               count(*) AS visits, count(*) FILTER (WHERE pageviews > 0) AS viewed_visits, count(*) FILTER (WHERE bounced) AS bounces,
               sum(duration_ms) AS duration_ms, sum(pageviews) AS pageviews
          FROM visits GROUP BY 1, 2, 3) r
  FULL JOIN (SELECT project_id, bucket, is_bot, sum(visits) AS visits, sum(viewed_visits) AS viewed_visits, sum(bounces) AS bounces,
                    sum(duration_ms) AS duration_ms, sum(pageviews) AS pageviews
               FROM visit_counts_15m GROUP BY 1, 2, 3) s
 USING (project_id, bucket, is_bot)
 WHERE (coalesce(r.visits, 0), coalesce(r.viewed_visits, 0), coalesce(r.bounces, 0), coalesce(r.duration_ms, 0), coalesce(r.pageviews, 0))
    <> (coalesce(s.visits, 0), coalesce(s.viewed_visits, 0), coalesce(s.bounces, 0), coalesce(s.duration_ms, 0), coalesce(s.pageviews, 0))
ON CONFLICT (project_id, bucket, is_bot, shard) DO UPDATE SET
  visits = visit_counts_15m.visits + EXCLUDED.visits, viewed_visits = visit_counts_15m.viewed_visits + EXCLUDED.viewed_visits,
  bounces = visit_counts_15m.bounces + EXCLUDED.bounces, duration_ms = visit_counts_15m.duration_ms + EXCLUDED.duration_ms,
  pageviews = visit_counts_15m.pageviews + EXCLUDED.pageviews;

-- The query API's read-only group reads them (004's default privileges do too; said explicitly).
GRANT SELECT ON event_type_counts_15m, visit_counts_15m TO analytics_reader;
