-- Server-side ingestion sends the signed-in user's id and a persistent anonymous id (see the
-- contract's CollectedEvent); the lengths equal LIMITS.userId and LIMITS.anonymousId, which
-- db/column-limits.test.ts checks. IF NOT EXISTS: the project-scoped storage migration may add
-- them too, in either order.
ALTER TABLE analytics_events
  ADD COLUMN IF NOT EXISTS user_id varchar(200),
  ADD COLUMN IF NOT EXISTS anonymous_id varchar(200);
