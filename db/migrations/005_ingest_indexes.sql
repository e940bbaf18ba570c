-- Indexes of analytics_events, chosen for ingest cost and the queries actually run, and the
-- convergence of databases created by the first versions of 001/002 (no-ops on fresh ones).
--
-- Measured on the 2-core machine, psql \copy of 300k seed-shaped rows into an empty
-- analytics_events (pipeline/bench/index-cost.ts), rows/s:
--   heap only                                              177k
--   unique (event_id, timestamp)                           107k
--   unique (timestamp, event_id)                            98k   (same within noise; grows
--                                                                  append-like, not at random)
--   unique (timestamp, event_id) + brin(timestamp)          97k
--   unique (timestamp, event_id) + (session_id, timestamp)  60k
--   first 001/002: unique (event_id, ts) + session + brin    40k
--   the design's four extra btrees                          43k
--
-- Kept: the unique key only. It deduplicates, and with "timestamp" leading it is the time index
-- for every dashboard range. Dropped:
--   * brin("timestamp"): redundant once the unique key leads with time.
--   * (session_id, "timestamp"): costs ~40% of COPY speed. Sessions, funnels and journeys run over
--     a dashboard time range: they read that range through the unique key (and chunk exclusion on
--     TimescaleDB) and sort by (session_id, "timestamp") in memory. (Re-measured on a quiet machine,
--     it cost 17 %, not 40 %, and 007 adds it back for whole-session reads.)
DROP INDEX IF EXISTS analytics_events_session_time_idx;
DROP INDEX IF EXISTS analytics_events_timestamp_brin;
DROP INDEX IF EXISTS analytics_events_timestamp_idx;
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_constraint WHERE conname = 'analytics_events_dedup_key') THEN
    ALTER TABLE analytics_events ADD CONSTRAINT analytics_events_dedup_key UNIQUE ("timestamp", event_id);
  END IF;
END $$;
ALTER TABLE analytics_events DROP CONSTRAINT IF EXISTS analytics_events_event_id_timestamp_key;

-- Rejected messages are read newest first by operators.
CREATE INDEX IF NOT EXISTS analytics_events_rejected_time_idx ON analytics_events_rejected (rejected_at);
