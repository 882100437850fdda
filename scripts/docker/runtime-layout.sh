#!/bin/sh
# Build stage, step 3 (Dockerfile: `RUN sh scripts/docker/runtime-layout.sh /runtime`): assembles in
# DEST everything the runtime stage copies to /app, and nothing else:
#   dist/src, dist/graphiql  the server and its prebuilt GraphiQL page (not dist/test, dist/bench, …,
#                            nor dist/src/graphiql: the page's own modules, bundled into dist/graphiql)
#   node_modules             production dependencies only (build.sh pruned the rest)
#   package.json             "type": "module" for dist/**/*.js; it also marks the package root
#   schema.graphql           the API's SDL, for reference
#   healthcheck.mjs          the HEALTHCHECK command
# Run from the build folder (WORKDIR /app). test/docker/dockerBuild.test.ts runs this same file.
set -eu
dest="${1:?usage: runtime-layout.sh DEST}"

# onnxruntime-node ships prebuilt binaries for every platform (~290 MB); this image needs only its own.
# The build and runtime stages share one platform, and ORT_INSTALL=cuda12 puts the CUDA provider into
# that same folder, so it is kept too.
own="$(node -p 'process.platform + "/" + process.arch')"
for dir in node_modules/onnxruntime-node/bin/napi-v*/*/*; do
  case "$dir" in
    */"$own") ;;
    *) rm -rf "$dir" ;;
  esac
done
find node_modules/onnxruntime-node/bin -mindepth 1 -type d -empty -delete
# npm prune leaves the emptied scope folders (@babel, @esbuild, …) behind.
find node_modules -mindepth 1 -maxdepth 1 -name '@*' -type d -empty -delete

rm -rf "$dest"
mkdir -p "$dest/dist"
cp -a dist/src dist/graphiql "$dest/dist/"
# tsc compiles the page's modules too (tests import them); the server never does, and they may
# import page-only dev packages (jsonc-parser) that the pruned node_modules no longer has.
rm -rf "$dest/dist/src/graphiql"
cp -a node_modules package.json schema.graphql "$dest/"
cp -a scripts/docker/healthcheck.mjs "$dest/"

# Fail the build, not the first request, when a native binary did not make it: sharp and
# onnxruntime-node both load their .node files (and libvips / libonnxruntime) on import.
cd "$dest"
node --input-type=module -e "await import('sharp'); await import('onnxruntime-node');"
echo "runtime layout in $dest: $(du -sh . | cut -f1)"
