# svcpath's image for running it in a cluster (deploy/, docs/deploy.md): the server and web app,
# and the CLI that node Pods run (`svcpath node-digest`). Multi-stage: the build tools never reach
# the final image; it runs as uid 10001 on a read-only root file system (writes go to /tmp, /data).
#   docker build -t ghcr.io/svcpath/svcpath:0.1.0 .
# (docker/svcpath.Dockerfile is the docker-compose demo's image: one stage, npm start.)

# 1. Build: install everything, bundle CLI and server (npm ci runs scripts/build.mjs), build the web app.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY apps ./apps
COPY packages ./packages
COPY scripts ./scripts
RUN npm ci --no-audit --no-fund && npx vite build apps/web --logLevel warn

# 2. Runtime dependencies only: what the bundles import from node_modules (express, zod,
#    @kubernetes/client-node, ssh2, ...), without the build and test tools.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=build /app/apps ./apps-src
COPY --from=build /app/packages ./packages
RUN mkdir apps && for d in apps-src/*; do mkdir -p "apps/${d#apps-src/}" && cp "$d/package.json" "apps/${d#apps-src/}/"; done \
 && rm -rf apps-src \
 && npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# 3. The image: node, the iptables (legacy and nft backends) and nft tools node-digest reads rules
#    with, the built bundles and the demo collection. No compiler, no npm cache, no sources.
FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends iptables nftables \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 svcpath && useradd --uid 10001 --gid 10001 --home-dir /tmp --no-create-home svcpath \
 && mkdir -p /data && chown 10001:10001 /data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=deps /app/apps ./apps
COPY --from=build /app/apps/cli/bin ./apps/cli/bin
COPY --from=build /app/apps/cli/dist ./apps/cli/dist
COPY --from=build /app/apps/server/dist ./apps/server/dist
COPY --from=build /app/apps/server/demo ./apps/server/demo
COPY --from=build /app/apps/web/dist ./apps/web/dist
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 SVCPATH_STORE=/data/snapshots HOME=/tmp
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["node"]
CMD ["apps/server/dist/main.mjs"]
