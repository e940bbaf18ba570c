# The project's Node services: name, entry file, readiness URL. Sourced by bin/start and bin/stop;
# scripts/build-services.ts bundles each entry into .cache/build/<name>.mjs, which plain `node` runs.
# shellcheck shell=bash
COLLECTOR_PORT="${COLLECTOR_PORT:-3001}"
PIPELINE_OPS_PORT="${PIPELINE_OPS_PORT:-4195}"
DEMO_PORT="${DEMO_PORT:-8080}"
# Node flags of every service, here so bin/start and the bench run them alike. Source maps turn
# bundle lines in stack traces back into the .ts files. A 4 MB young-generation semi-space (V8's
# default grows to 16 MB) cut peak RSS by ~50 MB (collector) / ~35 MB (pipeline) at equal
# throughput; capping the old space (--max-old-space-size=96/128) cut more but cost ~25 % of the
# collector's batch throughput, so it is not set (bench/HISTORY.md, section 8).
SERVICE_NODE_FLAGS="${SERVICE_NODE_FLAGS:---enable-source-maps --max-semi-space-size=4}"
SERVICES=(
  "pipeline|pipeline/src/main.ts|http://127.0.0.1:$PIPELINE_OPS_PORT/ready"
  "collector|collector/src/server.ts|http://127.0.0.1:$COLLECTOR_PORT/health"
  "demo-site|demo-site/server.ts|http://127.0.0.1:$DEMO_PORT/"
)
service_bundle() { echo "$ROOT/.cache/build/$1.mjs"; }
service_pidfile() { echo "$RUN_DIR/$1.pid"; }
