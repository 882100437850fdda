/**
 * CORS at the HTTP level: CORS_ORIGINS parsed and checked at startup, `isAllowedOrigin` (what a
 * WebSocket endpoint uses), and the headers of preflights and answers on /graphql and /images, with
 * the API-key and rate-limit guards behind them. The browser's side of it is test/browser/cors.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/server/config.js';
import { isAllowedOrigin } from '../../src/server/pipeline/cors.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { patternPng } from '../helpers/images.js';

const APP = 'http://app.example:8080';
const OTHER_APP = 'https://app.example';
const STRANGER = 'https://evil.example';
const KEY = 'cors-test-key-0123456789';

describe('CORS_ORIGINS', () => {
  test('unset or blank: no origin; a list: each origin as given', () => {
    assert.deepEqual(loadConfig({}).corsOrigins, []);
    assert.deepEqual(loadConfig({ CORS_ORIGINS: '  ' }).corsOrigins, []);
    assert.deepEqual(loadConfig({ CORS_ORIGINS: `${APP}, ${OTHER_APP},http://localhost:5173,http://[::1]:3000` }).corsOrigins, [
      APP,
      OTHER_APP,
      'http://localhost:5173',
      'http://[::1]:3000',
    ]);
  });

  test('a value that is not an exact origin stops startup, naming the entry and what to write', () => {
    const cases: [string, string][] = [
      ['*', 'CORS_ORIGINS does not take "*": list each origin that may call the gateway, e.g. https://app.example.com'],
      [`${APP},,${OTHER_APP}`, 'CORS_ORIGINS entry 2 of 3 is empty; separate origins with single commas'],
      [
        'app.example',
        'CORS_ORIGINS entry 1 of 1, "app.example", is not an origin: expected scheme://host[:port], e.g. https://app.example.com',
      ],
      ['ftp://app.example', 'CORS_ORIGINS entry 1 of 1, "ftp://app.example", must be an http or https origin'],
      [
        'https://app.example/',
        'CORS_ORIGINS entry 1 of 1, "https://app.example/", is not an origin as browsers send it (scheme://host[:port]: lower case, no ' +
          'path, no default port); did you mean "https://app.example"?',
      ],
      [
        `${APP},https://app.example/graphql`,
        'CORS_ORIGINS entry 2 of 2, "https://app.example/graphql", is not an origin as browsers send it (scheme://host[:port]: lower ' +
          'case, no path, no default port); did you mean "https://app.example"?',
      ],
      [
        'https://App.Example:443',
        'CORS_ORIGINS entry 1 of 1, "https://App.Example:443", is not an origin as browsers send it (scheme://host[:port]: lower case, ' +
          'no path, no default port); did you mean "https://app.example"?',
      ],
    ];
    for (const [value, message] of cases) {
      assert.throws(
        () => loadConfig({ CORS_ORIGINS: value }),
        (error: unknown) => error instanceof ConfigError && error.message === message,
        value,
      );
    }
  });
});

describe('isAllowedOrigin (for WebSocket upgrades, which browsers do not guard)', () => {
  const settings = { corsOrigins: [APP] };
  const cases: [origin: string | undefined, ownHost: string | undefined, allowed: boolean][] = [
    [APP, undefined, true],
    [APP, 'gateway.example:4000', true],
    [OTHER_APP, undefined, false],
    ['http://app.example:8081', undefined, false],
    [STRANGER, 'gateway.example:4000', false],
    // The gateway's own pages (GraphiQL): same host and port as the request's Host header.
    ['http://gateway.example:4000', 'gateway.example:4000', true],
    ['http://gateway.example:4000', 'Gateway.Example:4000', true],
    ['http://gateway.example:4001', 'gateway.example:4000', false],
    // Sandboxed frames and file: pages send "null".
    ['null', 'gateway.example:4000', false],
    // No Origin: not a page's script (browsers always send one on upgrades).
    [undefined, undefined, true],
  ];
  for (const [origin, ownHost, allowed] of cases) {
    test(`${origin ?? '(no Origin)'} with Host ${ownHost ?? '(not given)'}: ${allowed ? 'allowed' : 'refused'}`, () => {
      assert.equal(isAllowedOrigin(settings, origin, ownHost), allowed);
    });
  }
  test('with no origins listed, only the gateway itself', () => {
    assert.equal(isAllowedOrigin({ corsOrigins: [] }, APP, 'gateway.example:4000'), false);
    assert.equal(isAllowedOrigin({ corsOrigins: [] }, 'http://gateway.example:4000', 'gateway.example:4000'), true);
  });
});

describe('CORS on /graphql and /images, in front of API keys and the rate limit', () => {
  let gateway: TestGateway;
  let closed: TestGateway;
  let png: Buffer;

  before(async () => {
    png = await patternPng(24, 16, 2);
    gateway = await startTestGateway({ CORS_ORIGINS: `${APP},${OTHER_APP}`, API_KEYS: KEY, RATE_LIMIT: '5/min' });
    closed = await startTestGateway();
  });
  after(async () => {
    await Promise.all([gateway?.stop(), closed?.stop()]);
  });

  function preflight(
    target: TestGateway,
    path: string,
    origin: string,
    method = 'POST',
    headers = 'content-type,authorization',
  ): Promise<Response> {
    return fetch(`${target.url}${path}`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers },
    });
  }

  function corsHeaders(response: Response): Record<string, string | null> {
    const names = [
      'access-control-allow-origin',
      'access-control-allow-methods',
      'access-control-allow-headers',
      'access-control-max-age',
      'access-control-allow-credentials',
      'vary',
    ];
    return Object.fromEntries(names.map((name) => [name, response.headers.get(name)]));
  }

  const ANSWERED_PREFLIGHT = {
    'access-control-allow-methods': 'GET,POST',
    'access-control-allow-headers': 'content-type,authorization,x-api-key,apollo-require-preflight,x-apollo-operation-name,x-request-id',
    'access-control-max-age': '600',
    'access-control-allow-credentials': null,
    vary: 'Origin',
  };

  test('a preflight from a listed origin is 204 with the origin, methods and headers, without a key, for every path', async () => {
    for (const [path, method] of [
      ['/graphql', 'POST'],
      ['/graphql', 'GET'],
      ['/images', 'POST'],
      ['/images/sha256:0123', 'GET'],
    ] as const) {
      for (const origin of [APP, OTHER_APP]) {
        const response = await preflight(gateway, path, origin, method);
        assert.equal(response.status, 204, `${method} ${path} from ${origin}`);
        assert.deepEqual(
          corsHeaders(response),
          { 'access-control-allow-origin': origin, ...ANSWERED_PREFLIGHT },
          `${method} ${path} from ${origin}`,
        );
        assert.equal(await response.text(), '');
      }
    }
  });

  test('a preflight from an unlisted origin names no origin, so the browser refuses the call', async () => {
    const response = await preflight(gateway, '/graphql', STRANGER);
    assert.equal(response.status, 204);
    assert.deepEqual(corsHeaders(response), { 'access-control-allow-origin': null, ...ANSWERED_PREFLIGHT });
  });

  test('preflights are not counted by the rate limit', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await preflight(gateway, '/graphql', APP)).status, 204);
    const answer = await gateway.graphql<{ model: { id: string } }>(
      '{ model { id } }',
      {},
      { origin: APP, authorization: `Bearer ${KEY}` },
    );
    assert.equal(answer.status, 200);
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { origin: APP, 'content-type': 'application/json', 'x-api-key': KEY },
      body: JSON.stringify({ query: '{ model { id } }' }),
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('ratelimit-remaining'), '3');
  });

  test('an answer to a listed origin names it and exposes the request id and rate-limit headers', async () => {
    const response = await fetch(`${gateway.url}/images`, {
      method: 'POST',
      headers: { origin: OTHER_APP, 'content-type': 'image/png', authorization: `Bearer ${KEY}` },
      body: png,
    });
    assert.equal(response.status, 201);
    assert.equal(response.headers.get('access-control-allow-origin'), OTHER_APP);
    assert.equal(
      response.headers.get('access-control-expose-headers'),
      'x-request-id,retry-after,ratelimit-limit,ratelimit-remaining,ratelimit-reset',
    );
    assert.equal(response.headers.get('vary'), 'Origin');
  });

  test("a guard's refusal still names the listed origin, so the page can read why", async () => {
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { origin: APP, 'content-type': 'application/json' },
      body: '{"query":"{ model { id } }"}',
    });
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('access-control-allow-origin'), APP);
    const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
    assert.equal(body.errors[0]!.extensions.code, 'UNAUTHENTICATED');
  });

  test('an answer to an unlisted origin names none (the server answers; the browser hides it)', async () => {
    const response = await fetch(`${closed.url}/graphql`, {
      method: 'POST',
      headers: { origin: STRANGER, 'content-type': 'application/json' },
      body: '{"query":"{ model { id } }"}',
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('access-control-allow-origin'), null);
    assert.equal(response.headers.get('vary'), 'Origin');
  });

  test('by default no origin is allowed: same origin only', async () => {
    const response = await preflight(closed, '/graphql', APP);
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-origin'), null);
  });

  test("Apollo's CSRF prevention still refuses a GET without a preflight header, even from a listed origin", async () => {
    const url = `${gateway.url}/graphql?query=${encodeURIComponent('{ model { id } }')}`;
    const refused = await fetch(url, { headers: { origin: APP, 'x-api-key': KEY } });
    assert.equal(refused.status, 400);
    assert.match(await refused.text(), /CSRF/);
  });

  test('health, readiness and metrics are not opened to other origins', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      const response = await fetch(`${gateway.url}${path}`, { headers: { origin: APP } });
      assert.equal(response.headers.get('access-control-allow-origin'), null, path);
    }
  });
});
