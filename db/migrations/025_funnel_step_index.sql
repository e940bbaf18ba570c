-- Ordered funnels (POST /funnels) read only the events of their steps over the range plus the
-- window: per step type, the steps' pages when each of them names one, else the whole type
-- (api/src/query/funnel-reads.ts). With this key each such read is one index range, and with the
-- columns a step or a unit needs carried it is an index-only scan: a few narrow entries per
-- matching event instead of the events' wide heap rows and every other event of the month
-- (bench/HISTORY.md § 19). Steps or filters that need another column (metadata, visit or event
-- filters) and strict funnels are served by the heap as before.
SET LOCAL maintenance_work_mem = '256MB';
CREATE INDEX IF NOT EXISTS analytics_events_type_page_time_idx ON analytics_events (project_id, event_type, page_path, "timestamp")
  INCLUDE (event_id, visitor_id, visit_id, user_id, button_id, is_bot);
