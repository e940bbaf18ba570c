# syntax=docker/dockerfile:1
# One recipe for the Node services; docker-compose.yml picks one with `target:`.
#   docker build --target collector -t analytics-collector .
# Stages: build (all dependencies, tracker and service bundles) -> runtime (production
# dependencies, the bundles, non-root) -> collector | pipeline | api | demo-site (port, health check,
# bundle under plain node).
ARG NODE_IMAGE=node:22.23-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# The same bundles `npm start`, the tests and the bench run (lib/service-manifest.ts lists them).
RUN npm run build:tracker && npm run build:web-dashboard && node --import tsx scripts/build-services.ts

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
# The bundles keep npm packages external; the demo site's bundle imports esbuild (it can rebuild
# analytics.js), a dev dependency: take it and this platform's binary from the build stage.
COPY --from=build /app/node_modules/esbuild ./node_modules/esbuild
COPY --from=build /app/node_modules/@esbuild ./node_modules/@esbuild
COPY --from=build /app/.cache/build ./.cache/build
# What the bundles read at run time, at the paths their sources name.
COPY --from=build /app/db/migrations ./db/migrations
COPY --from=build /app/demo-site/public ./demo-site/public
COPY --from=build /app/tracker/dist ./tracker/dist
COPY --from=build /app/dashboard/dist ./dashboard/dist
# The collector's gRPC service loads its contract at run time (no generated code).
COPY --from=build /app/contract/ingest.proto ./contract/ingest.proto
# The image's unprivileged user; the code stays root-owned and read-only to it.
USER node

# One stage per service of lib/service-manifest.ts (test/harness/manifest.test.ts checks them):
# its port, its readiness path as the health check, its bundle under plain node with the
# manifest's node flags (node is PID 1's child under compose's `init: true`, so SIGTERM reaches it).
FROM runtime AS collector
ENV COLLECTOR_PORT=3001
EXPOSE 3001
# gRPC ingestion (analytics.v1.Ingest/StreamEvents).
ENV GRPC_PORT=50051
EXPOSE 50051
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.COLLECTOR_PORT + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--enable-source-maps", "--max-semi-space-size=4", "--heap-growing-percent=30", ".cache/build/collector.mjs"]

FROM runtime AS pipeline
ENV PIPELINE_OPS_PORT=4195
EXPOSE 4195
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PIPELINE_OPS_PORT + '/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--enable-source-maps", "--max-semi-space-size=4", "--heap-growing-percent=100", ".cache/build/pipeline.mjs"]

FROM runtime AS api
ENV API_PORT=3002
EXPOSE 3002
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.API_PORT + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--enable-source-maps", "--max-semi-space-size=4", ".cache/build/api.mjs"]

FROM runtime AS demo-site
ENV DEMO_PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.DEMO_PORT + '/').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--enable-source-maps", "--max-semi-space-size=4", ".cache/build/demo-site.mjs"]
