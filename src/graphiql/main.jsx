// The GraphiQL page at `/`. Plain JSX bundled only by esbuild (scripts/build-graphiql.mjs): the
// server's tsc build has no DOM or JSX settings and does not see .jsx files.
import { GraphiQL } from 'graphiql';
import { createRoot } from 'react-dom/client';
import 'graphiql/style.css';
import { EXAMPLE_TABS } from './examples.js';
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

// Relative, so a reverse proxy that mounts the gateway under a prefix still works.
const GRAPHQL_URL = new URL('graphql', document.baseURI).href;

/**
 * Posts every operation as JSON. `content-type: application/json` is what lets Apollo's CSRF
 * prevention through (a GET or text/plain request would need an apollo-require-preflight header).
 */
async function fetcher(params, options) {
  const response = await fetch(GRAPHQL_URL, {
    method: 'POST',
    headers: {
      accept: 'application/graphql-response+json, application/json',
      ...options?.headers,
      'content-type': 'application/json',
    },
    body: JSON.stringify(params),
  });
  const body = await response.text();
  try {
    return JSON.parse(body);
  } catch {
    // A proxy's HTML error page, say: show it as a GraphQL error rather than a parse failure.
    return { errors: [{ message: `HTTP ${response.status}: ${body.slice(0, 500)}` }] };
  }
}

function Logo() {
  return <span className="florence-logo">Florence Gateway</span>;
}

// GraphiQL 5.4 opens the first default tab with its query but an empty variables editor. On a first
// visit (no tabs stored yet) hand both over explicitly so that "run" works at once; later visits
// get the tabs the user left.
function firstVisitEditors() {
  try {
    if (localStorage.getItem('graphiql:tabState') !== null) return {};
  } catch {
    // Storage disabled: every visit is a first one.
  }
  return { initialQuery: EXAMPLE_TABS[0].query, initialVariables: EXAMPLE_TABS[0].variables };
}

function App() {
  return (
    <GraphiQL fetcher={fetcher} defaultTabs={EXAMPLE_TABS} defaultEditorToolsVisibility="variables" {...firstVisitEditors()}>
      <GraphiQL.Logo>
        <Logo />
      </GraphiQL.Logo>
    </GraphiQL>
  );
}

createRoot(document.getElementById('graphiql')).render(<App />);
