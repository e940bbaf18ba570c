-- Ordered funnels whose steps of a type all name a button (a click on "add-to-cart", then on
-- "checkout") read those buttons' events only (api/src/query/funnel-reads.ts). 025's key leads
-- with the page, so such a read was every event of the type: 1.25M clicks for 313k of the two
-- buttons on the 10M bench dataset (bench/HISTORY.md § 24). Partial: only events with a button
-- id take an entry, so page views and unloads cost the loader nothing here.
SET LOCAL maintenance_work_mem = '256MB';
CREATE INDEX IF NOT EXISTS analytics_events_type_button_time_idx ON analytics_events (project_id, event_type, button_id, "timestamp")
  INCLUDE (event_id, visitor_id, visit_id, user_id, page_path, is_bot)
  WHERE button_id IS NOT NULL;
