-- One row per event_id, whatever its timestamps. The unique key ("timestamp", event_id) only
-- catches a retry whose timestamp is unchanged, but the collector stamps events sent without a
-- time (and clamps wrong client clocks) at receipt, so a retry gets a new time. The pipeline
-- inserts every event's id here in the same transaction as its row; an id already present means
-- the event is stored. A plain table on both flavours: a hypertable's unique keys must include its
-- time column, and this key must not. Ids are kept PIPELINE_DEDUP_DAYS (default 7) after the
-- event was first stored, then pruned by the pipeline: the deduplication horizon.
CREATE TABLE IF NOT EXISTS analytics_event_ids (
  event_id        uuid        PRIMARY KEY,
  first_stored_at timestamptz NOT NULL DEFAULT now()
);
-- Pruning reads by insertion time, which BRIN summarises at almost no insert cost.
CREATE INDEX IF NOT EXISTS analytics_event_ids_stored_brin ON analytics_event_ids USING brin (first_stored_at);
INSERT INTO analytics_event_ids (event_id, first_stored_at)
SELECT event_id, min(created_at) FROM analytics_events WHERE created_at > now() - INTERVAL '7 days' GROUP BY event_id
ON CONFLICT (event_id) DO NOTHING;
-- Operational state, not analytics.
REVOKE SELECT ON analytics_event_ids FROM analytics_reader;

-- A clamped client time is kept: "timestamp" is then the collector's receipt time, the client's
-- own value is client_timestamp and timestamp_adjustment says why (clamped_future: more than
-- MAX_FUTURE_SKEW_MS ahead; clamped_past: older than MAX_PAST_AGE_MS).
-- Both are NULL for events whose time was kept.
ALTER TABLE analytics_events ADD COLUMN IF NOT EXISTS client_timestamp timestamptz;
ALTER TABLE analytics_events ADD COLUMN IF NOT EXISTS timestamp_adjustment varchar(20);
COMMENT ON COLUMN analytics_events.client_timestamp IS 'The client''s timestamp as sent, when "timestamp" was clamped to receipt time';
COMMENT ON COLUMN analytics_events.timestamp_adjustment IS 'clamped_future or clamped_past when "timestamp" is not the client''s time; NULL otherwise';

-- The design's metadata names: page_unload carries time_on_page (ms), button_click page_section.
-- Rows stored by earlier trackers are renamed; a row that already has the new name is left as it
-- is (nothing is overwritten or dropped).
UPDATE analytics_events
   SET metadata = (metadata - 'time_on_page_ms') || jsonb_build_object('time_on_page', metadata -> 'time_on_page_ms')
 WHERE event_type = 'page_unload' AND metadata ? 'time_on_page_ms' AND NOT metadata ? 'time_on_page';
UPDATE analytics_events
   SET metadata = (metadata - 'section') || jsonb_build_object('page_section', metadata -> 'section')
 WHERE event_type = 'button_click' AND metadata ? 'section' AND NOT metadata ? 'page_section';
