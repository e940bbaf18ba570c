-- analytics_summary gains is_bot (migration 012's flag), grouped, so every panel that counts from
-- the summary can leave bots out by default and say how many it left out (docs/metrics.md,
-- "Bots"). Chosen over reading event_counts_15m: the summary's minutes serve the per-minute
-- panels and any dashboard range to the minute, which 15-minute counters cannot; measured in
-- grafana/README.md ("Summary or counters"). Rebuilt from the raw events (a materialized view
-- holds nothing the table does not); rows stored before 012 are not bots.
DROP MATERIALIZED VIEW IF EXISTS analytics_summary;
CREATE MATERIALIZED VIEW analytics_summary AS
SELECT project_id,
       date_trunc('minute', "timestamp") AS bucket,
       event_type,
       page_url,
       is_bot,
       count(*)::bigint AS event_count
  FROM analytics_events
 GROUP BY 1, 2, 3, 4, 5
WITH DATA;
-- Unique, so the pipeline's REFRESH … CONCURRENTLY keeps working.
CREATE UNIQUE INDEX analytics_summary_key ON analytics_summary (project_id, bucket, event_type, page_url, is_bot);
