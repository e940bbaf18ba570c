-- The query API (api/): its own login in the read-only group, and the index its journeys need.
-- analytics_api can SELECT what analytics_reader can (004: events, visits, counters, the projects'
-- public columns) and change nothing, so a report, whatever its SQL, writes no row. No password
-- here: local PostgreSQL trusts 127.0.0.1; a deployment sets one from configuration
-- (docker: docker/postgres/11-api-role.sh reads API_DB_PASSWORD). Cluster-wide role, tolerant of a
-- twin created a moment earlier by another database's migration (see 004).
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'analytics_api') THEN
    BEGIN
      CREATE ROLE analytics_api LOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
  END IF;
  IF NOT pg_has_role('analytics_api', 'analytics_reader', 'MEMBER') THEN
    BEGIN
      GRANT analytics_reader TO analytics_api;
    EXCEPTION WHEN unique_violation OR duplicate_object THEN NULL;
    END;
  END IF;
END $$;

-- GET /users/{user_id}/timeline: a user's events in time order. Partial: most events have no user.
CREATE INDEX IF NOT EXISTS analytics_events_user_time_idx ON analytics_events (project_id, user_id, "timestamp") WHERE user_id IS NOT NULL;
