/**
 * Where the page sends operations: queries and mutations POST to `graphql`, subscriptions open a
 * WebSocket (graphql-ws) to the same path. Both are relative to the page, so a reverse proxy that
 * mounts the gateway under a prefix keeps working, and an https page talks wss.
 */

export interface GraphQLEndpoints {
  readonly http: string;
  readonly ws: string;
}

/** The endpoints for a page at `base` (its `document.baseURI`). */
export function graphqlEndpoints(base: string): GraphQLEndpoints {
  const http = new URL('graphql', base);
  const ws = new URL(http.href);
  ws.protocol = http.protocol === 'https:' ? 'wss:' : 'ws:';
  return { http: http.href, ws: ws.href };
}
