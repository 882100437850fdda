#!/bin/sh
# Build stage, step 1 (Dockerfile: `RUN sh scripts/docker/install-deps.sh`): every dependency from the
# lockfile. The dev ones are needed here (tsc, esbuild, graphiql and react for the GraphiQL bundle);
# build.sh prunes them once the build is done. test/docker/dockerBuild.test.ts runs this same file.
set -eu

# onnxruntime-node's install script only downloads the CUDA execution provider from NuGet (the CPU and
# WebGPU binaries ship in the package). package.json's allowScripts denies it, which npm 11 honours;
# older npm runs it anyway, so it is told to skip during `npm ci` whatever npm this image has.
# No NODE_ENV=production here: npm would then leave out the dev dependencies the build needs.
# --prefer-offline: take what the npm cache holds (a BuildKit cache mount, or ~/.npm in the test)
# without revalidating it; anything missing still comes from the registry.
ONNXRUNTIME_NODE_INSTALL=skip npm ci --prefer-offline --no-audit --no-fund

# ORT_INSTALL=cuda12 (Dockerfile.cuda): run that script now, on purpose, to fetch the CUDA provider.
ort_install="${ORT_INSTALL:-skip}"
if [ "$ort_install" != skip ]; then
  ONNXRUNTIME_NODE_INSTALL="$ort_install" node node_modules/onnxruntime-node/script/install.js
fi
