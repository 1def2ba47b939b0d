# Skein relay. Not built in this project's CI (no Docker engine there); kept minimal.
#   docker build -t skein-relay .
#   docker run -p 1234:1234 -v skein-data:/data -v $PWD/auth.json:/config/auth.json:ro \
#     -e SKEIN_AUTH=/config/auth.json skein-relay
FROM node:22-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary can be fetched.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
ENV ELECTRON_SKIP_BINARY_DOWNLOAD=1
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build:web && npm run build:node && npm prune --omit=dev

FROM node:22-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production SKEIN_HOST=0.0.0.0 SKEIN_PORT=1234 SKEIN_DATA=/data
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/node ./dist/node
COPY --from=build /app/dist/renderer ./dist/renderer
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 1234
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:1234/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Listening on 0.0.0.0 requires SKEIN_AUTH (or SKEIN_INSECURE_NO_AUTH=true): the relay refuses otherwise.
CMD ["node", "--max-semi-space-size=8", "dist/node/server/cli.js"]
