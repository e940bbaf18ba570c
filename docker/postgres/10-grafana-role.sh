#!/bin/sh
# First start of the database container only (docker-entrypoint-initdb.d): creates the dashboards'
# login role with its password from GRAFANA_DB_PASSWORD. Migration 004 (run by the pipeline) then
# makes it a member of the read-only group analytics_reader.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" --set=pw="${GRAFANA_DB_PASSWORD:-grafana}" <<'SQL'
SELECT 'CREATE ROLE grafana LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'grafana') \gexec
SELECT format('ALTER ROLE grafana LOGIN PASSWORD %L', :'pw') \gexec
SQL
