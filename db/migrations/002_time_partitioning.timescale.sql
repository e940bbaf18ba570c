-- TimescaleDB: 1-day chunks; chunk exclusion skips days outside a query's range. No default
-- ("timestamp" DESC) index: the unique key (001) already leads with "timestamp" in every chunk,
-- and each extra btree costs COPY throughput (005_ingest_indexes.sql).
CREATE EXTENSION IF NOT EXISTS timescaledb;
SELECT create_hypertable('analytics_events', by_range('timestamp', INTERVAL '1 day'),
  create_default_indexes => FALSE, if_not_exists => TRUE);
