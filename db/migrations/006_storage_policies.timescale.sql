-- TimescaleDB storage policies. Chunks older than 7 days are compressed into the columnstore:
-- segmented by event_type (few values, filtered by every panel) and ordered by session and time,
-- so per-session reads of old data decompress in order. Raw events are dropped after 90 days;
-- the pipeline re-applies retention from PIPELINE_RETENTION_DAYS at boot. analytics_summary
-- keeps its own rows, so per-minute counts outlive the raw events.
ALTER TABLE analytics_events SET (
  timescaledb.compress,
  timescaledb.compress_segmentby = 'event_type',
  timescaledb.compress_orderby = 'session_id, "timestamp", event_id'
);
SELECT add_compression_policy('analytics_events', compress_after => INTERVAL '7 days', if_not_exists => TRUE);
SELECT add_retention_policy('analytics_events', drop_after => INTERVAL '90 days', if_not_exists => TRUE);
