-- Events per minute, type and page. Plain PostgreSQL: an ordinary materialized view that the
-- pipeline refreshes concurrently every few seconds (the unique index allows CONCURRENTLY).
CREATE MATERIALIZED VIEW IF NOT EXISTS analytics_summary AS
SELECT date_trunc('minute', "timestamp") AS bucket,
       event_type,
       page_url,
       count(*)::bigint AS event_count
  FROM analytics_events
 GROUP BY 1, 2, 3
WITH DATA;
CREATE UNIQUE INDEX IF NOT EXISTS analytics_summary_key ON analytics_summary (bucket, event_type, page_url);
