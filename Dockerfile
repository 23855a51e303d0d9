# syntax=docker/dockerfile:1
# agentswarm-exporter image: built in one stage (toolchain, dev dependencies, tsc), run from a
# slim stage with production dependencies only, as the unprivileged `node` user.
# The same image runs the simulator (entrypoint dist/src/bin/sim.js), see docker-compose.yml.

ARG NODE_VERSION=22.12.0

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary matches the platform.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# Dependencies first: this layer is reused until the lockfile changes.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
# Owned by `node` so that named volumes mounted here start writable by it: the SQLite store,
# and the secrets directory the compose stack's init service fills.
RUN mkdir -p /var/lib/agentswarm /etc/agentswarm/secrets \
 && chown node:node /var/lib/agentswarm /etc/agentswarm/secrets
USER node
EXPOSE 10464
VOLUME ["/var/lib/agentswarm"]
# Liveness through the exporter's own route, with Node's fetch: no curl in a slim image.
# Assumes the default listen port 10464.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:10464/-/healthy',{signal:AbortSignal.timeout(4000)}).then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "dist/src/bin/exporter.js"]
CMD ["--storage.path=/var/lib/agentswarm/agentswarm.db"]
