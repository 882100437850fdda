/**
 * The layering of src/, checked by `npm run lint:deps` (part of `npm test`). Requests flow
 * server → graphql → engine → vision; images, hub and synth sit beside the engine; cache and vision
 * rest on shared; the CLI is on top. Each layer lists the folders it MAY import (anything else in src/
 * is a back-edge or a sideways edge, and fails); README.md's "Architecture" table shows the same lists,
 * and test/layers/layers.test.ts checks that it does and that these rules reject a back-edge.
 */

/** Folder under src/ → the other folders under src/ it may import. Its own files it may always import. */
const LAYERS = {
  // Helpers every layer may import; they import nothing from src/.
  shared: [],
  // The Florence-2 runtime and the cache: the two foundations, independent of each other.
  vision: ['shared'],
  cache: ['shared'],
  // Beside each other, above the foundations: image sources, model pulls, synthetic models, the engine.
  images: ['shared', 'vision', 'cache'],
  hub: ['shared', 'vision', 'cache'],
  synth: ['shared', 'vision', 'cache'],
  engine: ['shared', 'vision', 'cache'],
  // The schema, resolvers and loaders over the engine and the image sources.
  graphql: ['shared', 'vision', 'cache', 'images', 'engine'],
  // The HTTP and WebSocket server (its request pipeline in server/pipeline/), and model pulls at startup.
  server: ['shared', 'vision', 'cache', 'images', 'hub', 'engine', 'graphql'],
  // The command line, on top of everything.
  cli: ['shared', 'vision', 'cache', 'images', 'hub', 'synth', 'engine', 'graphql', 'server'],
  // The GraphiQL page: a browser bundle built by esbuild, which can use nothing of the server's code.
  graphiql: [],
};

/** src/index.ts, the library's entry point, may export from every layer but the CLI and the browser bundle. */
const INDEX_MAY_IMPORT = ['shared', 'vision', 'cache', 'images', 'hub', 'synth', 'engine', 'graphql', 'server'];

const folders = (names) => `^src/(${names.join('|')})/`;

/** Type-only imports vanish when compiled, and a dynamic import runs after both modules have loaded. */
const NOT_AT_LOAD = ['type-only', 'type-import', 'dynamic-import'];

module.exports = {
  forbidden: [
    ...Object.entries(LAYERS).map(([layer, mayImport]) => ({
      name: `layer-${layer}`,
      comment: `src/${layer}/ may import from src/ only: ${[layer, ...mayImport].join(', ')}`,
      severity: 'error',
      from: { path: `^src/${layer}/` },
      to: { path: '^src/', pathNot: folders([layer, ...mayImport]) },
    })),
    {
      name: 'layer-index',
      comment: `src/index.ts may import from src/ only: ${INDEX_MAY_IMPORT.join(', ')}`,
      severity: 'error',
      from: { path: '^src/index\\.ts$' },
      to: { path: '^src/', pathNot: folders(INDEX_MAY_IMPORT) },
    },
    {
      name: 'layer-unknown',
      comment: 'every file of src/ is in a layer: a new folder gets its row in LAYERS (and in README.md) first',
      severity: 'error',
      from: { path: '^src/', pathNot: [folders(Object.keys(LAYERS)), '^src/index\\.ts$'] },
      to: { path: '^src/' },
    },
    {
      name: 'not-to-test-or-bench',
      comment: 'the shipped code never imports tests, fixtures or benchmarks',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'no-circular',
      comment:
        'no cycle of imports that run when a module loads (a cycle only of type-only or dynamic imports, like the CLI ' +
        'loading its commands lazily, cannot leave a module half-initialised; the layer rules keep every cycle inside one layer)',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, dependencyTypesNot: NOT_AT_LOAD, viaOnly: { dependencyTypesNot: NOT_AT_LOAD } },
    },
    {
      name: 'resolvable',
      comment: 'an import the checker cannot resolve would escape every rule above',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // `import type` counts: a layer that names another's types depends on it all the same.
    tsPreCompilationDeps: true,
    // NodeNext: `./x.js` in a .ts file is ./x.ts.
    tsConfig: { fileName: 'tsconfig.json' },
    // Packages' `exports` maps (graphql-ws/use/ws, @graphiql/react, graphiql/style.css).
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
