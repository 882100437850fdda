/**
 * A `fetch` for GraphiQL's fetcher that always yields a GraphQL-shaped body. GraphiQL parses every
 * answer as JSON; a proxy's HTML error page or an empty 502 would show as "Unexpected token <".
 * This turns such an answer into `{ errors: [{ message: "HTTP 502: …" }] }` instead, so the result
 * pane says what happened.
 */

/** The most of a non-JSON body the message quotes: enough for an error page's title and gist. */
const QUOTED_BODY_CHARACTERS = 500;

export function readableGraphQLFetch(fetchImpl: typeof fetch): typeof fetch {
  return async (input, init) => {
    const response = await fetchImpl(input, init);
    const body = await response.text();
    try {
      JSON.parse(body);
      return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
    } catch {
      const message = `HTTP ${response.status}: ${body.slice(0, QUOTED_BODY_CHARACTERS) || response.statusText || 'no body'}`;
      return Response.json({ errors: [{ message }] }, { status: response.status });
    }
  };
}
