#!/bin/sh
# Build stage, step 2 (Dockerfile: `RUN sh scripts/docker/build.sh`): compile and bundle, then drop the
# dev dependencies. test/docker/dockerBuild.test.ts runs this same file.
set -eu

# tsc → dist/src, and the GraphiQL page bundled by esbuild → dist/graphiql: after this, graphiql,
# react, monaco, esbuild and typescript are no longer needed (the server only serves the files).
npm run build

# Leaves exactly the packages a fresh `npm ci --omit=dev` installs (the optional native packages of
# sharp included), without a second extract; install-script output (onnxruntime-node's CUDA
# provider, when ORT_INSTALL=cuda12) stays in place.
npm prune --omit=dev --no-audit --no-fund
