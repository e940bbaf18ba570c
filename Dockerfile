# syntax=docker/dockerfile:1
# One recipe for the three Node services; docker-compose.yml picks one with `target:`.
#   docker build --target collector -t analytics-collector .
# Stages: build (all dependencies, tracker bundle) -> runtime (production dependencies + tsx,
# non-root) -> collector | pipeline | demo-site (entry point, port, health check).
ARG NODE_IMAGE=node:20.20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build:tracker

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
# The services run their TypeScript through tsx, a dev dependency: take it and the esbuild
# binary for this platform from the build stage instead of installing every dev tool.
COPY --from=build /app/node_modules/tsx ./node_modules/tsx
COPY --from=build /app/node_modules/esbuild ./node_modules/esbuild
COPY --from=build /app/node_modules/@esbuild ./node_modules/@esbuild
RUN ln -sf ../tsx/dist/cli.mjs node_modules/.bin/tsx
COPY --from=build /app/contract ./contract
COPY --from=build /app/lib ./lib
COPY --from=build /app/db ./db
COPY --from=build /app/collector ./collector
COPY --from=build /app/pipeline ./pipeline
COPY --from=build /app/tracker ./tracker
COPY --from=build /app/demo-site ./demo-site
# The image's unprivileged user; the code stays root-owned and read-only to it.
USER node

FROM runtime AS collector
ENV COLLECTOR_PORT=3001
EXPOSE 3001
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.COLLECTOR_PORT + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# `node --import tsx` is `npx tsx` without the npm wrapper, so SIGTERM reaches the service.
CMD ["node", "--import", "tsx", "collector/src/server.ts"]

FROM runtime AS pipeline
ENV PIPELINE_OPS_PORT=4195
EXPOSE 4195
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PIPELINE_OPS_PORT + '/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--import", "tsx", "pipeline/src/main.ts"]

FROM runtime AS demo-site
ENV DEMO_PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.DEMO_PORT + '/').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--import", "tsx", "demo-site/server.ts"]
