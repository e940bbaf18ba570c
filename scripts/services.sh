# The project's Node services as bin/start and bin/stop see them, read from lib/service-manifest.ts
# (the one list; ports come from the same variables the services read: COLLECTOR_PORT,
# PIPELINE_OPS_PORT, DEMO_PORT, ...). scripts/build-services.ts bundles each into
# .cache/build/<name>.mjs, which plain `node` runs with the manifest's node flags.
# shellcheck shell=bash
manifest() { (cd "$ROOT" && node --import tsx lib/service-manifest.ts "$@"); }
# One line a service, in start order: name|bundle|readiness URL|log file|node flags.
mapfile -t SERVICES < <(manifest list)
[ "${#SERVICES[@]}" -gt 0 ] || die "lib/service-manifest.ts list printed nothing" services
service_pidfile() { echo "$RUN_DIR/$1.pid"; }
# The pid of the `npm start` run that launched the service (only that run stops or restarts it).
service_ownerfile() { echo "$RUN_DIR/$1.owner"; }
