# The project's Node services: name, entry file, readiness URL. Sourced by bin/start and bin/stop.
# shellcheck shell=bash
COLLECTOR_PORT="${COLLECTOR_PORT:-3001}"
PIPELINE_OPS_PORT="${PIPELINE_OPS_PORT:-4195}"
DEMO_PORT="${DEMO_PORT:-8080}"
SERVICES=(
  "pipeline|pipeline/src/main.ts|http://127.0.0.1:$PIPELINE_OPS_PORT/ready"
  "collector|collector/src/server.ts|http://127.0.0.1:$COLLECTOR_PORT/health"
  "demo-site|demo-site/server.ts|http://127.0.0.1:$DEMO_PORT/"
)
service_pidfile() { echo "$RUN_DIR/$1.pid"; }
