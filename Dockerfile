# syntax=docker/dockerfile:1

# Build: compile TypeScript with the dev dependencies.
FROM node:22-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Run: production dependencies and the compiled output only, as the unprivileged `node` user.
# `--omit=dev` also leaves out the browser IDE (ruru and its editor, a quarter of a gigabyte) and
# pino-pretty: production serves no IDE unless GRAPHQL_IDE asks, and then start-up says what to add.
FROM node:22-slim
ENV NODE_ENV=production \
    PORT=8000 \
    DATA_DIR=/data \
    UPLOAD_DIR=/data/uploads
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# `npm run create-admin` runs the compiled CLI in dist/ when the dev dependencies are absent.
COPY scripts/create-admin.js ./scripts/
# Everything the configuration may point at is writable by `node`: /data (DATA_DIR, UPLOAD_DIR;
# a volume) and /app itself, for relative paths such as LOG_FILE=logs/api.log or UPLOAD_DIR=uploads.
# Only the directory: the code and dependencies in it stay read-only to the process.
RUN mkdir -p /data/uploads && chown -R node:node /data && chown node:node /app
USER node
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself (not npm) receives SIGTERM from `docker stop`, so shutdown is graceful. A 64 MB
# young generation: each GraphQL page allocates a few MB, and with V8's default 16 MB the API
# spent a quarter of its CPU in scavenges under load (`npm run bench -- read-path`).
# AsyncLocalStorage (the response cache records each answer's reads with it) on V8's continuation
# data instead of async hooks: with async hooks every promise of the process pays once the cache has
# recorded one answer, and with RESPONSE_CACHE on, writes cost about 1.4 times as much CPU
# (docs/architecture.md, "Eighth session"). Node 24 does this by default.
CMD ["node", "--experimental-async-context-frame", "--max-semi-space-size=64", "dist/main.js"]
