-- Every stored event, rejected record, remembered id and summary row carries its project.
-- Rows stored before projects existed belong to the default project (DEFAULT_PROJECT_ID in
-- contract/limits.ts). No foreign key to projects (009): a key checked on every COPY row costs
-- ingest speed, and the pipeline only writes ids the collector resolved.
--
-- The default fills existing rows (PostgreSQL 11+ stores it once, no rewrite) and stays: a
-- pipeline of the previous version, still running during a rolling upgrade, writes rows and ids
-- without a project, and its records (written before projects existed) are the default
-- project's. Without the default those rows would fail NOT NULL, a data error the old pipeline
-- dead-letters. The pipeline itself always writes the project.
ALTER TABLE analytics_events ADD COLUMN IF NOT EXISTS project_id uuid NOT NULL DEFAULT '00000000-0000-4000-8000-000000000001';

-- The deduplication key and the session index lead with the project: every read names one
-- project, and a project's rows stay together in the btree. Within a project the key still grows
-- with time (append-like). received_at stays a BRIN of its own: a BRIN summarises block ranges
-- column by column, so a leading project_id would not narrow it.
-- Priced with pipeline/bench/index-cost.ts (psql \copy of 200k rows of five interleaved
-- projects, medians of 3 runs on the shared 2-core machine, rows/s):
--   unique ("timestamp", event_id)                                      174k
--   unique (project_id, "timestamp", event_id)                           97k
--   007's set: ("timestamp", event_id) + brin + (session_id, ts)        102k
--   this set: (project_id, "timestamp", event_id) + brin + (project_id, session_id, ts)   71k
-- Several projects make several insertion points (only the rightmost leaf takes btree's append
-- fast path) and a wider key. The loader is bound by its own JavaScript at 20-40k rows/s
-- (bench/HISTORY.md), below either figure, so it is not slowed in practice.
ALTER TABLE analytics_events DROP CONSTRAINT IF EXISTS analytics_events_dedup_key;
ALTER TABLE analytics_events ADD CONSTRAINT analytics_events_dedup_key UNIQUE (project_id, "timestamp", event_id);
DROP INDEX IF EXISTS analytics_events_session_time_idx;
CREATE INDEX analytics_events_session_time_idx ON analytics_events (project_id, session_id, "timestamp");

-- Event ids are unique per project: one project's client-made ids can never suppress another
-- project's events. Existing ids belong to the default project.
ALTER TABLE analytics_event_ids ADD COLUMN IF NOT EXISTS project_id uuid NOT NULL DEFAULT '00000000-0000-4000-8000-000000000001';
ALTER TABLE analytics_event_ids DROP CONSTRAINT IF EXISTS analytics_event_ids_pkey;
ALTER TABLE analytics_event_ids ADD CONSTRAINT analytics_event_ids_pkey PRIMARY KEY (project_id, event_id);

-- A rejected record's project is NULL when it is unknown: bytes that are not a JSON object, or a
-- project_id that is not a UUID. Rows rejected before projects existed are the default project's.
ALTER TABLE analytics_events_rejected ADD COLUMN IF NOT EXISTS project_id uuid;
UPDATE analytics_events_rejected SET project_id = '00000000-0000-4000-8000-000000000001' WHERE project_id IS NULL;
CREATE INDEX IF NOT EXISTS analytics_events_rejected_project_time_idx ON analytics_events_rejected (project_id, rejected_at);
GRANT SELECT (project_id) ON analytics_events_rejected TO analytics_reader;

-- Per minute, project, type and page. Rebuilt from the raw events (a materialized view holds
-- nothing the table does not).
DROP MATERIALIZED VIEW IF EXISTS analytics_summary;
CREATE MATERIALIZED VIEW analytics_summary AS
SELECT project_id,
       date_trunc('minute', "timestamp") AS bucket,
       event_type,
       page_url,
       count(*)::bigint AS event_count
  FROM analytics_events
 GROUP BY 1, 2, 3, 4
WITH DATA;
CREATE UNIQUE INDEX analytics_summary_key ON analytics_summary (project_id, bucket, event_type, page_url);
