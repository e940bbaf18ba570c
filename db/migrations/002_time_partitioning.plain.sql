-- Plain PostgreSQL: rows arrive in near time order, so a BRIN index serves time-range panels
-- at a tiny fraction of a btree's ingest cost.
CREATE INDEX IF NOT EXISTS analytics_events_timestamp_brin ON analytics_events USING brin ("timestamp") WITH (pages_per_range = 32);
