-- Two read paths the dedup key does not serve, priced by psql \copy of 300k seed-shaped rows on a
-- quiet 2-core machine (pipeline/bench/index-cost.ts), rows/s:
--   unique ("timestamp", event_id)                            151k
--   + brin(received_at)                                       152k   (no measurable cost)
--   + (session_id, "timestamp")                               126k   (-17 %)
-- The loader is bound by its own JavaScript at ~25-35k rows/s (bench/HISTORY.md), far below
-- either figure, so neither index slows ingestion in practice.

-- Pipeline Health reads by collector receive time (ingest rate, consumed vs stored, freshness);
-- received_at grows with insertion order, which is what BRIN summarises best.
CREATE INDEX IF NOT EXISTS analytics_events_received_at_brin ON analytics_events USING brin (received_at) WITH (pages_per_range = 32);

-- Sessions, journeys and funnels read one session's events in time order, also beyond a
-- dashboard's time range (a visitor's whole session).
CREATE INDEX IF NOT EXISTS analytics_events_session_time_idx ON analytics_events (session_id, "timestamp");
