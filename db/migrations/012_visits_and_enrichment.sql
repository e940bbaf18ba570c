-- Enrichment, visitors and visits (definitions: docs/metrics.md). Every event carries what the
-- collector derived from it at ingest and the visit the pipeline assigned; three rollups are
-- maintained by the loader in the transaction that inserts the events, from the rows it actually
-- inserted, so a replayed batch changes nothing. Column lengths equal contract/limits.ts
-- (db/column-limits.test.ts checks them).

-- Per event. All nullable except is_bot: rows stored before this migration have no enrichment
-- (reports treat them as not bots, with no visitor and no visit).
ALTER TABLE analytics_events
  ADD COLUMN IF NOT EXISTS referrer        varchar(500),
  ADD COLUMN IF NOT EXISTS screen_width    integer,
  ADD COLUMN IF NOT EXISTS visitor_id      varchar(202),
  ADD COLUMN IF NOT EXISTS visit_id        uuid,
  ADD COLUMN IF NOT EXISTS page_path       varchar(500),
  ADD COLUMN IF NOT EXISTS referrer_domain varchar(255),
  ADD COLUMN IF NOT EXISTS utm_source      varchar(200),
  ADD COLUMN IF NOT EXISTS utm_medium      varchar(200),
  ADD COLUMN IF NOT EXISTS utm_campaign    varchar(200),
  ADD COLUMN IF NOT EXISTS utm_term        varchar(200),
  ADD COLUMN IF NOT EXISTS utm_content     varchar(200),
  ADD COLUMN IF NOT EXISTS browser         varchar(50),
  ADD COLUMN IF NOT EXISTS os              varchar(50),
  ADD COLUMN IF NOT EXISTS device_type     varchar(10),
  ADD COLUMN IF NOT EXISTS is_bot          boolean NOT NULL DEFAULT false,
  ADD COLUMN IF NOT EXISTS engaged_ms      integer;

-- One row per visit: the events of one visitor with gaps under 30 minutes, at most 24 hours long.
-- entry_* is the visit's first page view (its first event when it has none) by (timestamp,
-- event_id); acquisition (referrer, UTM) and device come from that entry event. exit_* is the last
-- page view (the last event when none). The *_event_id/_at columns let a late event move them.
CREATE TABLE IF NOT EXISTS visits (
  project_id      uuid         NOT NULL,
  visit_id        uuid         NOT NULL,
  visitor_id      varchar(202) NOT NULL,
  user_id         varchar(200),
  visit_start     timestamptz  NOT NULL,
  visit_end       timestamptz  NOT NULL,
  events          integer      NOT NULL,
  pageviews       integer      NOT NULL,
  interactions    integer      NOT NULL,
  engaged_ms      bigint       NOT NULL,
  entry_event_id  uuid         NOT NULL,
  entry_at        timestamptz  NOT NULL,
  entry_path      varchar(500) NOT NULL,
  exit_event_id   uuid         NOT NULL,
  exit_at         timestamptz  NOT NULL,
  exit_path       varchar(500) NOT NULL,
  referrer_domain varchar(255),
  utm_source      varchar(200),
  utm_medium      varchar(200),
  utm_campaign    varchar(200),
  utm_term        varchar(200),
  utm_content     varchar(200),
  device_type     varchar(10),
  browser         varchar(50),
  os              varchar(50),
  is_bot          boolean      NOT NULL,
  -- The two derived measures are defined here, once, so no query can compute them differently.
  duration_ms     bigint GENERATED ALWAYS AS ((extract(epoch FROM visit_end - visit_start) * 1000)::bigint) STORED,
  bounced         boolean GENERATED ALWAYS AS (pageviews = 1 AND interactions = 0 AND engaged_ms < 10000) STORED,
  PRIMARY KEY (project_id, visit_id)
);
-- Reports select a project's visits by start time; the loader finds a visitor's recent visits.
CREATE INDEX IF NOT EXISTS visits_project_start_idx ON visits (project_id, visit_start);
CREATE INDEX IF NOT EXISTS visits_visitor_idx ON visits (project_id, visitor_id, visit_start);

-- Retention cohorts without scanning history: when each visitor was first seen, in which visit.
CREATE TABLE IF NOT EXISTS visitor_first_seen (
  project_id     uuid         NOT NULL,
  visitor_id     varchar(202) NOT NULL,
  first_seen     timestamptz  NOT NULL,
  first_event_id uuid         NOT NULL,
  first_visit_id uuid         NOT NULL,
  PRIMARY KEY (project_id, visitor_id)
);
CREATE INDEX IF NOT EXISTS visitor_first_seen_time_idx ON visitor_first_seen (project_id, first_seen);

-- Event counts per project in 15-minute buckets (every UTC offset in use is a multiple of 15
-- minutes, so the buckets add up to exact local days in every zone). shard is the Kafka
-- partition whose loader wrote the row: each partition's loader updates only its own rows, so
-- concurrent loaders never wait on or deadlock over a hot counter. Readers sum over shards.
CREATE TABLE IF NOT EXISTS event_counts_15m (
  project_id uuid         NOT NULL,
  bucket     timestamptz  NOT NULL,
  event_type varchar(100) NOT NULL,
  page_path  varchar(500) NOT NULL,
  is_bot     boolean      NOT NULL,
  shard      integer      NOT NULL,
  events     bigint       NOT NULL,
  PRIMARY KEY (project_id, bucket, event_type, page_path, is_bot, shard)
);

-- How a project identifies anonymous visitors (docs/metrics.md): a hash with a salt that rotates
-- daily (default) or monthly, or the tracker's persistent anonymous id.
ALTER TABLE projects ADD COLUMN IF NOT EXISTS visitor_id_mode text NOT NULL DEFAULT 'daily';
DO $$
BEGIN
  ALTER TABLE projects ADD CONSTRAINT projects_visitor_id_mode_check CHECK (visitor_id_mode IN ('daily', 'monthly', 'anonymous_id'));
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;

-- Random salts of the visitor hash, one per period ('day:2026-11-30', 'month:2026-11'). Deleted
-- once their period is over, after which no hash can be linked to an IP address again.
CREATE TABLE IF NOT EXISTS visitor_salts (
  period     text        PRIMARY KEY,
  salt       bytea       NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
-- Dashboards read the rollups (default privileges of 004) but never the salts.
REVOKE ALL ON visitor_salts FROM analytics_reader;
