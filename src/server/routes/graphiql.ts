/**
 * GraphiQL at `/`, self-hosted: the page and its bundle are built from the `graphiql` package into
 * dist/graphiql by `npm run build` (scripts/build-graphiql.mjs), so it works offline and nothing
 * loads from a CDN.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';

/** dist/graphiql, beside dist/src where this file is compiled to. */
export const GRAPHIQL_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'graphiql');

// The build names every asset by its content hash (main-AB12CD34.js), so a browser may keep those
// for good; index.html names the current ones and is revalidated on every load.
const HASHED_NAME = /-[A-Z0-9]{8}\.\w+$/;

export function graphiqlRoutes(directory: string = GRAPHIQL_DIR): Router {
  const router = Router();
  if (existsSync(join(directory, 'index.html'))) {
    router.use(
      '/',
      express.static(directory, {
        index: 'index.html',
        setHeaders(res, path) {
          res.setHeader('cache-control', HASHED_NAME.test(basename(path)) ? 'public, max-age=31536000, immutable' : 'no-cache');
        },
      }),
    );
  } else {
    router.get('/', (_req, res) => {
      res.type('text/plain').send('GraphiQL is not built: run `npm run build`. POST queries to /graphql meanwhile.');
    });
  }
  return router;
}
