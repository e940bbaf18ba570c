-- Raw events, one row per accepted event. Column limits match contract/limits.ts; the pipeline
-- cuts strings to them before COPY, so a long value never fails a batch.
CREATE TABLE IF NOT EXISTS analytics_events (
  event_id     uuid         NOT NULL,
  "timestamp"  timestamptz  NOT NULL,
  event_type   varchar(100) NOT NULL,
  page_url     varchar(500) NOT NULL,
  page_title   varchar(200),
  button_id    varchar(100),
  session_id   varchar(100),
  user_agent   varchar(500),
  site_id      varchar(100),
  metadata     jsonb        NOT NULL DEFAULT '{}'::jsonb,
  received_at  timestamptz  NOT NULL,
  created_at   timestamptz  NOT NULL DEFAULT now(),
  -- Deduplication key: the pipeline inserts ON CONFLICT (event_id, "timestamp") DO NOTHING, so a
  -- replayed Kafka message never makes a second row (ON CONFLICT matches a unique index on that
  -- column set in any order). It must contain the time column because a hypertable's unique
  -- indexes must. Time leads: inserts land at the right edge of the btree (append-like) instead of
  -- at random UUID positions, and the same index serves every time-range query, so no separate
  -- time index is needed. See 005_ingest_indexes.sql for the measured cost of each index.
  CONSTRAINT analytics_events_dedup_key UNIQUE ("timestamp", event_id)
);

-- Messages the pipeline could not store, with why; the same bytes go to the dead-letter topic.
CREATE TABLE IF NOT EXISTS analytics_events_rejected (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  rejected_at    timestamptz NOT NULL DEFAULT now(),
  reason         text        NOT NULL,
  detail         text,
  kafka_topic    text        NOT NULL,
  kafka_partition integer    NOT NULL,
  kafka_offset   bigint      NOT NULL,
  kafka_key      bytea,
  raw_value      bytea,
  -- A replayed poison message is recorded once.
  CONSTRAINT analytics_events_rejected_position_key UNIQUE (kafka_topic, kafka_partition, kafka_offset)
);
