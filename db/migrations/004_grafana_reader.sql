-- Read-only access for dashboards. analytics_reader (NOLOGIN) holds SELECT on every table and view,
-- now and later; the LOGIN role grafana is a member. grafana gets no password here: whoever
-- provisions the server sets it from configuration (docker: postgres/init-grafana-role.sh reads
-- GRAFANA_DB_PASSWORD; elsewhere `ALTER ROLE grafana PASSWORD '...'`), so no secret lives in SQL.
-- Roles are cluster-wide and test databases migrate concurrently, so each CREATE tolerates a
-- twin that another database created a moment earlier.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'analytics_reader') THEN
    BEGIN
      CREATE ROLE analytics_reader NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'grafana') THEN
    BEGIN
      CREATE ROLE grafana LOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
  END IF;
  IF NOT pg_has_role('grafana', 'analytics_reader', 'MEMBER') THEN
    BEGIN
      GRANT analytics_reader TO grafana;
    EXCEPTION WHEN unique_violation OR duplicate_object THEN NULL;
    END;
  END IF;
END $$;

GRANT USAGE ON SCHEMA public TO analytics_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO analytics_reader;
-- Tables and views the migrating role creates later (new migrations) are readable too.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO analytics_reader;
-- Dashboards never need the raw Kafka bytes of refused messages.
REVOKE SELECT ON analytics_events_rejected FROM analytics_reader;
GRANT SELECT (id, rejected_at, reason, detail, kafka_topic, kafka_partition, kafka_offset) ON analytics_events_rejected TO analytics_reader;
