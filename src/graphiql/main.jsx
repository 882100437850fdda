// The GraphiQL page at `/`. Plain JSX bundled only by esbuild (scripts/build-graphiql.mjs): the
// server's tsc build has no DOM or JSX settings and does not see .jsx files.
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL, HISTORY_PLUGIN } from 'graphiql';
import { createRoot } from 'react-dom/client';
import 'graphiql/style.css';
import { graphqlEndpoints } from './endpoints.js';
import { EXAMPLE_TABS } from './examples.js';
import { EXPLORER_PLUGIN } from './explorer/ExplorerPanel.jsx';
import { exampleUploader } from './pageExample.js';
import { readableGraphQLFetch } from './readableFetch.js';
import './page.css';

// Monaco runs its language services in web workers. The build bundles each worker into its own
// file beside this one and defines __WORKER_FILES__ with their (hashed) names; resolving them
// against this module's URL keeps them on our own origin, under whatever prefix serves the page.
globalThis.MonacoEnvironment = {
  getWorker(_workerId, label) {
    const file = __WORKER_FILES__[label] ?? __WORKER_FILES__.editor;
    return new Worker(new URL(file, import.meta.url), { name: label });
  },
};

const endpoints = graphqlEndpoints(document.baseURI);

/**
 * GraphiQL's own fetcher (@graphiql/toolkit): queries POST JSON to /graphql (`content-type:
 * application/json` is what lets Apollo's CSRF prevention through), subscriptions go over
 * graphql-ws to the same path. For a subscription the toolkit sends the headers editor's headers
 * as the connection params, so an API key set there (`{"x-api-key": "…"}`) reaches the socket too.
 */
const graphiqlFetcher = createGraphiQLFetcher({
  url: endpoints.http,
  subscriptionUrl: endpoints.ws,
  // Our gateway answers in one piece; no multipart parsing needed.
  enableIncrementalDelivery: false,
  fetch: readableGraphQLFetch((input, init) => fetch(input, init)),
});

/** Uploads the example picture first when the operation names it, then runs the operation. */
async function fetcher(params, options) {
  const headers = Object.fromEntries(Object.entries(options?.headers ?? {}).filter(([, value]) => typeof value === 'string'));
  await exampleUploader.ensure(params.variables, headers);
  return graphiqlFetcher(params, options);
}

function Logo() {
  return <span className="florence-logo">Florence Gateway</span>;
}

// GraphiQL 5.4 opens the first default tab with its query but an empty variables editor. On a first
// visit (no tabs stored yet) hand both over explicitly so that "run" works at once, and open the
// image explorer; later visits get the tabs and the panel the user left.
function firstVisitProps() {
  try {
    if (localStorage.getItem('graphiql:tabState') !== null) return {};
  } catch {
    // Storage disabled: every visit is a first one.
  }
  return { initialQuery: EXAMPLE_TABS[0].query, initialVariables: EXAMPLE_TABS[0].variables, visiblePlugin: EXPLORER_PLUGIN };
}

// Defined once: GraphiQL resets its plugin list whenever this array changes identity.
const PLUGINS = [EXPLORER_PLUGIN, HISTORY_PLUGIN];

function App() {
  return (
    <GraphiQL
      fetcher={fetcher}
      plugins={PLUGINS}
      defaultTabs={EXAMPLE_TABS}
      defaultEditorToolsVisibility="variables"
      {...firstVisitProps()}
    >
      <GraphiQL.Logo>
        <Logo />
      </GraphiQL.Logo>
    </GraphiQL>
  );
}

createRoot(document.getElementById('graphiql')).render(<App />);
