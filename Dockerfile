# syntax=docker/dockerfile:1
# Florence Gateway, CPU image. The GPU variant is Dockerfile.cuda; README "Docker" has both.
#
#   docker build -t florence-gateway .
#   docker run -p 4000:4000 -v /path/to/Florence-2-base-ft:/models:ro florence-gateway
#
# Every RUN calls a script under scripts/docker/, and test/docker/dockerBuild.test.ts replays this
# file's instructions with those same scripts outside Docker (no Docker engine is needed to check it).

# ---- build: all dependencies, tsc + the GraphiQL bundle, then prune to production dependencies ----
FROM node:22-bookworm-slim AS build
WORKDIR /app
# onnxruntime-node's install script: skip (CPU) or cuda12 (downloads the CUDA provider; Dockerfile.cuda).
ARG ORT_INSTALL=skip
# The dependency layer first: it is rebuilt only when the lockfile changes.
COPY package.json package-lock.json ./
COPY scripts/docker/install-deps.sh scripts/docker/
RUN --mount=type=cache,target=/root/.npm sh scripts/docker/install-deps.sh
COPY . .
RUN sh scripts/docker/build.sh
RUN sh scripts/docker/runtime-layout.sh /runtime

# ---- runtime: Node, production node_modules (with sharp's and onnxruntime's binaries), dist ----
FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production MODEL_DIR=/models PORT=4000 HOST=0.0.0.0
WORKDIR /app
# Owned by root, so the server cannot modify its own code.
COPY --from=build /runtime/ /app/
# The model folder belongs to `node`, so a fresh named volume is writable too (e.g. for `model synth`);
# a host folder mounted read-only is the usual case.
RUN mkdir -p /models && chown node:node /models
# The `node` user of the official image, by number so that runAsNonRoot can verify it.
USER 1000:1000
VOLUME /models
EXPOSE 4000
# /readyz is 200 once the model is loaded; loading a large model on a CPU can take a minute.
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 CMD ["node", "/app/healthcheck.mjs"]
CMD ["node", "dist/src/cli/main.js", "serve"]
