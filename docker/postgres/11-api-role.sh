#!/bin/sh
# First start of the database container only (docker-entrypoint-initdb.d): creates the query API's
# login role with its password from API_DB_PASSWORD. Migration 015 (run by the pipeline) then
# makes it a member of the read-only group analytics_reader.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" --set=pw="${API_DB_PASSWORD:-analytics_api}" <<'SQL'
SELECT 'CREATE ROLE analytics_api LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'analytics_api') \gexec
SELECT format('ALTER ROLE analytics_api LOGIN PASSWORD %L', :'pw') \gexec
SQL
