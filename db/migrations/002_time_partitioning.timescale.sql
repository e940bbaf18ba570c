-- TimescaleDB: 1-day chunks. create_hypertable also makes the ("timestamp" DESC) index that
-- time-range panels use, and chunk exclusion skips days outside the range.
CREATE EXTENSION IF NOT EXISTS timescaledb;
SELECT create_hypertable('analytics_events', by_range('timestamp', INTERVAL '1 day'), if_not_exists => TRUE);
