#!/bin/sh
# Build stage, step 1 (Dockerfile: `RUN sh scripts/docker/install-deps.sh`): every dependency from the
# lockfile. The dev ones are needed here (tsc, esbuild, graphiql and react for the GraphiQL bundle);
# build.sh prunes them once the build is done. test/docker/dockerBuild.test.ts runs this same file.
set -eu

# onnxruntime-node's install script: `skip` (CPU, the default, like .npmrc) or `cuda12` (downloads the
# CUDA execution provider from NuGet; Dockerfile.cuda). The environment variable wins over .npmrc.
export ONNXRUNTIME_NODE_INSTALL="${ORT_INSTALL:-skip}"

# No NODE_ENV=production here: npm would then leave out the dev dependencies the build needs.
# --prefer-offline: take what the npm cache holds (a BuildKit cache mount, or ~/.npm in the test)
# without revalidating it; anything missing still comes from the registry.
npm ci --prefer-offline --no-audit --no-fund
