-- The query API's login is read-only by itself, not only because the service asks for read-only
-- transactions on its connections (api/src/query/query-pool.ts): a psql session as analytics_api
-- starts read-only too, and it cannot create temporary tables. Nothing it could write was ever
-- granted (004, 015); this closes the last two doors. TEMPORARY is a PUBLIC privilege of each
-- database, so it is revoked from PUBLIC: the owner (the pipeline's role) keeps it.
-- Roles are cluster-wide and test databases migrate concurrently: a twin migration setting the
-- same value at the same moment ("tuple concurrently updated", an internal_error) already did it.
DO $$
BEGIN
  IF NOT EXISTS (
    SELECT FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole
     WHERE r.rolname = 'analytics_api' AND s.setdatabase = 0 AND 'default_transaction_read_only=on' = ANY (s.setconfig)
  ) THEN
    BEGIN
      ALTER ROLE analytics_api SET default_transaction_read_only = on;
    EXCEPTION WHEN internal_error OR unique_violation THEN NULL;
    END;
  END IF;
  BEGIN
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
  EXCEPTION WHEN internal_error THEN
    -- PGlite (the in-process build that tests the TimescaleDB path) cannot change pg_database.
    RAISE NOTICE 'TEMPORARY not revoked: %', SQLERRM;
  END;
END $$;
