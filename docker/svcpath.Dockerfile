# svcpath's server and web app, built from this repository.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
COPY apps ./apps
COPY packages ./packages
COPY scripts ./scripts
RUN npm ci && npx vite build apps/web --logLevel warn
EXPOSE 8080
CMD ["node", "scripts/start.mjs"]
