-- Retention of users (POST /retention, unit=user) reads, per user, the first-ever start event and
-- the return events. Both come from this index alone (an index-only scan: is_bot and event_type
-- are carried, the key is 015's), instead of a scan of the events' heap: a user's events are
-- scattered over it (bench/HISTORY.md § 19). It replaces 015's index of the same key,
-- which served the user timeline and still does. Partial, as 015's: most events have no user, and
-- the loader pays only for the rows that have one.
CREATE INDEX IF NOT EXISTS analytics_events_user_time_covering_idx ON analytics_events (project_id, user_id, "timestamp") INCLUDE (is_bot, event_type) WHERE user_id IS NOT NULL;
DROP INDEX IF EXISTS analytics_events_user_time_idx;
