/** fetchImage against servers on 127.0.0.1 / [::1]: policy, redirects, limits, deadline, cancellation. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { IncomingMessage } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { parseAllowHosts } from '../../src/images/addressPolicy.js';
import { FetchFailedError, FetchRefusedError } from '../../src/images/errors.js';
import { fetchImage, type FetchImageOptions, type HostResolver } from '../../src/images/fetchImage.js';
import { ImageTooLargeError } from '../../src/vision/errors.js';
import { SELF_SIGNED_CERT, SELF_SIGNED_KEY } from './support/selfSignedCert.js';
import { canListenOnIpv6Loopback, closedPort, startServer, type LocalServer } from './support/localServer.js';

/** Stands in for image bytes: fetchImage never looks inside them. */
const BODY = Buffer.from('not really a png, and fetchImage does not care');

/** Generous enough for a slow CI box, far below what "hangs" would mean. */
const TEST_TIMEOUT_MS = 5_000;

const allowLoopbackV4 = parseAllowHosts('127.0.0.1');
const options = (overrides: Partial<FetchImageOptions> = {}): FetchImageOptions => ({
  allowHosts: allowLoopbackV4,
  maxBytes: 1_000,
  timeoutMs: TEST_TIMEOUT_MS,
  ...overrides,
});

/** Routes of the main test server; `{port}` in a Location is replaced by the server's port. */
function route(server: () => LocalServer) {
  return (request: IncomingMessage, response: import('node:http').ServerResponse): void => {
    const url = new URL(request.url ?? '/', 'http://test');
    const redirectsLeft = /^\/hops\/(\d+)$/.exec(url.pathname);
    if (url.pathname === '/image') {
      response.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': BODY.length });
      response.end(BODY);
    } else if (redirectsLeft !== null) {
      const left = Number(redirectsLeft[1]);
      response.writeHead(302, { Location: left === 0 ? '/image' : `/hops/${left - 1}`, 'Set-Cookie': 'session=1' });
      response.end();
    } else if (url.pathname === '/redirect') {
      const status = Number(url.searchParams.get('status') ?? '302');
      const to = url.searchParams.get('to');
      response.writeHead(status, to === null ? {} : { Location: to.replace('{port}', String(server().port)) });
      response.end();
    } else if (url.pathname === '/missing') {
      response.writeHead(404, { 'Content-Type': 'text/plain' });
      response.end('internal detail: /srv/secret/path');
    } else if (url.pathname === '/teapot') {
      response.writeHead(418, 'Custom Reason From Server');
      response.end();
    } else if (url.pathname === '/declared-huge') {
      // Declares a large body and never sends it: the limit must act on the header alone.
      response.writeHead(200, { 'Content-Length': '5000000' });
      response.flushHeaders();
    } else if (url.pathname === '/endless') {
      // Chunked, no length, never ends: the limit must act while streaming and close the socket.
      response.writeHead(200, { 'Content-Type': 'image/png' });
      const timer = setInterval(() => response.write(Buffer.alloc(256, 1)), 5);
      response.on('close', () => {
        clearInterval(timer);
        endlessStreamsClosed++;
      });
    } else if (url.pathname === '/silent') {
      // Accepts the request and never answers.
    } else if (url.pathname === '/trickle') {
      response.writeHead(200, { 'Content-Length': '1000' });
      const timer = setInterval(() => response.write('x'), 50);
      response.on('close', () => clearInterval(timer));
    } else if (url.pathname === '/cut') {
      response.writeHead(200, { 'Content-Length': '1000' });
      response.write('only the start');
      setTimeout(() => response.socket?.destroy(), 20);
    } else {
      response.writeHead(500);
      response.end();
    }
  };
}

let server: LocalServer;
/** How many /endless responses the server saw closed: the client must hang up, not just stop reading. */
let endlessStreamsClosed = 0;
before(async () => {
  server = await startServer(route(() => server));
});
after(async () => {
  await server.close();
});

async function assertRejects(
  promise: Promise<unknown>,
  expected: { errorClass: Function; code: string; message: RegExp; reason?: string },
): Promise<Error> {
  const error = await promise.then(
    () => assert.fail('expected the fetch to fail'),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof expected.errorClass, `expected ${expected.errorClass.name}, got ${String(error)}`);
  const typed = error as Error & { code: string; reason?: string };
  assert.equal(typed.code, expected.code);
  assert.match(typed.message, expected.message);
  if (expected.reason !== undefined) assert.equal(typed.reason, expected.reason);
  return typed;
}

describe('address policy', () => {
  test('127.0.0.1 is refused by default, naming loopback', async () => {
    await assertRejects(fetchImage(`${server.origin}/image`, options({ allowHosts: parseAllowHosts(undefined) })), {
      errorClass: FetchRefusedError,
      code: 'FETCH_REFUSED',
      reason: 'address',
      message: /^the image host 127\.0\.0\.1 is a loopback address; only public addresses are fetched unless ALLOW_HOSTS lists the host$/,
    });
    assert.equal(server.requests.length, 0, 'no request may reach a refused host');
  });

  test('allowed with ALLOW_HOSTS=127.0.0.1: bytes, final URL and content type come back', async () => {
    const fetched = await fetchImage(`${server.origin}/image`, options());
    assert.deepEqual(Buffer.from(fetched.bytes), BODY);
    assert.equal(fetched.finalUrl, `${server.origin}/image`);
    assert.equal(fetched.contentType, 'image/png');
  });

  test('localhost is refused by default because it resolves to loopback', async () => {
    await assertRejects(fetchImage(`http://localhost:${server.port}/image`, options({ allowHosts: parseAllowHosts(undefined) })), {
      errorClass: FetchRefusedError,
      code: 'FETCH_REFUSED',
      message: /^the image host localhost resolves to a loopback address; /,
    });
  });

  test('localhost is allowed with ALLOW_HOSTS=localhost', async () => {
    const fetched = await fetchImage(`http://LocalHost:${server.port}/image`, options({ allowHosts: parseAllowHosts('localhost') }));
    assert.deepEqual(Buffer.from(fetched.bytes), BODY);
  });

  const LITERAL_FORMS: readonly (readonly [string, RegExp])[] = [
    ['http://2130706433:PORT/image', /127\.0\.0\.1 is a loopback address/],
    ['http://0x7f.1:PORT/image', /127\.0\.0\.1 is a loopback address/],
    ['http://0177.0.0.1:PORT/image', /127\.0\.0\.1 is a loopback address/],
    ['http://127.1:PORT/image', /127\.0\.0\.1 is a loopback address/],
    ['http://0.0.0.0:PORT/image', /0\.0\.0\.0 is the unspecified address/],
    ['http://0:PORT/image', /0\.0\.0\.0 is the unspecified address/],
    ['http://[::ffff:127.0.0.1]:PORT/image', /\[::ffff:7f00:1\] is a loopback address/],
    ['http://[::ffff:7f00:1]:PORT/image', /is a loopback address/],
    ['http://[::127.0.0.1]:PORT/image', /is a loopback address/],
    ['http://[64:ff9b::7f00:1]:PORT/image', /is a loopback address/],
    ['http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is a cloud metadata address/],
    ['http://[fd00:ec2::254]/latest/meta-data/', /is a cloud metadata address/],
    ['http://10.0.0.1/', /10\.0\.0\.1 is a private-network address/],
    ['http://[fe80::1]/', /is a link-local address/],
  ];
  for (const [template, message] of LITERAL_FORMS) {
    test(`IP literal ${template} is refused after URL normalisation`, async () => {
      await assertRejects(fetchImage(template.replace('PORT', String(server.port)), options({ allowHosts: parseAllowHosts(undefined) })), {
        errorClass: FetchRefusedError,
        code: 'FETCH_REFUSED',
        reason: 'address',
        message,
      });
    });
  }

  test('an IPv4 allow entry covers the IPv4-mapped IPv6 form', async () => {
    // Allowed, so it connects; whether ::ffff:127.0.0.1 is reachable depends on the kernel, so only
    // the absence of a refusal is asserted.
    const outcome = await fetchImage(`http://[::ffff:127.0.0.1]:${server.port}/image`, options()).then(
      () => 'fetched',
      (error: unknown) => (error instanceof FetchRefusedError ? 'refused' : 'failed to connect'),
    );
    assert.notEqual(outcome, 'refused');
  });
});

describe('IPv6 loopback server', async () => {
  const hasIpv6 = await canListenOnIpv6Loopback();
  let v6: LocalServer | undefined;
  before(async () => {
    if (hasIpv6) v6 = await startServer((_request, response) => response.end(BODY), '::1');
  });
  after(async () => {
    await v6?.close();
  });
  const skip = hasIpv6 ? false : 'this machine cannot listen on ::1';

  test('http://[::1]:PORT is refused by default', { skip }, async () => {
    await assertRejects(fetchImage(`${v6!.origin}/`, options({ allowHosts: parseAllowHosts(undefined) })), {
      errorClass: FetchRefusedError,
      code: 'FETCH_REFUSED',
      message: /^the image host \[::1\] is a loopback address; /,
    });
    assert.equal(v6!.requests.length, 0);
  });

  test('http://[::1]:PORT is refused when only 127.0.0.1 is allowed', { skip }, async () => {
    await assertRejects(fetchImage(`${v6!.origin}/`, options()), {
      errorClass: FetchRefusedError,
      code: 'FETCH_REFUSED',
      message: /loopback/,
    });
  });

  test('http://[::1]:PORT is fetched with ALLOW_HOSTS=::1', { skip }, async () => {
    const fetched = await fetchImage(`${v6!.origin}/`, options({ allowHosts: parseAllowHosts('::1') }));
    assert.deepEqual(Buffer.from(fetched.bytes), BODY);
  });
});

describe('redirects', () => {
  test('three redirects are followed; the final URL is reported; cookies are not replayed', async () => {
    const before = server.requests.length;
    const fetched = await fetchImage(`${server.origin}/hops/2`, options());
    assert.deepEqual(Buffer.from(fetched.bytes), BODY);
    assert.equal(fetched.finalUrl, `${server.origin}/image`);
    const hops = server.requests.slice(before);
    assert.equal(hops.length, 4);
    for (const hop of hops) assert.equal(hop.headers.cookie, undefined);
  });

  test('a fourth redirect is refused, naming the limit', async () => {
    await assertRejects(fetchImage(`${server.origin}/hops/3`, options()), {
      errorClass: FetchRefusedError,
      code: 'FETCH_REFUSED',
      reason: 'redirects',
      message: /^the image URL redirected more than 3 times; the limit is 3 redirects$/,
    });
  });

  test('maxRedirects: 0 refuses the first redirect', async () => {
    await assertRejects(fetchImage(`${server.origin}/hops/0`, options({ maxRedirects: 0 })), {
      errorClass: FetchRefusedError,
      code: 'FETCH_REFUSED',
      message: /more than 0 times; the limit is 0 redirects/,
    });
  });

  for (const status of [301, 302, 303, 307, 308]) {
    test(`HTTP ${status} is followed`, async () => {
      const fetched = await fetchImage(`${server.origin}/redirect?status=${status}&to=/image`, options());
      assert.deepEqual(Buffer.from(fetched.bytes), BODY);
    });
  }

  const REFUSED_TARGETS: readonly (readonly [string, string, RegExp])[] = [
    ['http://[::1]:{port}/image', 'address', /^the image URL redirected to \[::1\], which is a loopback address; /],
    ['http://169.254.169.254/latest/meta-data/', 'address', /redirected to 169\.254\.169\.254, which is a cloud metadata address/],
    [
      'http://internal.example.test/image',
      'address',
      new RegExp(
        /^the image URL redirected to internal\.example\.test, which was refused: /.source +
          /the image host internal\.example\.test resolves to a private-network address; /.source,
      ),
    ],
    [
      'file:///etc/passwd',
      'scheme',
      /^the image URL redirected to a URL, which uses the file: scheme; only http: and https: images are fetched$/,
    ],
    ['ftp://127.0.0.1/image.png', 'scheme', /uses the ftp: scheme/],
    ['data:image/png;base64,AAAA', 'scheme', /uses the data: scheme/],
    ['http://user:secret@127.0.0.1:{port}/image', 'credentials', /contains a user name or password/],
  ];
  for (const [target, reason, message] of REFUSED_TARGETS) {
    test(`a redirect from an allowed host to ${target} is refused (${reason})`, async () => {
      // The redirect's name is resolved (and checked) like the first URL's would be.
      const resolveHost: HostResolver = async () => [{ address: '10.0.0.5', family: 4 }];
      const url = `${server.origin}/redirect?to=${encodeURIComponent(target)}`;
      const error = await assertRejects(fetchImage(url, options({ resolveHost })), {
        errorClass: FetchRefusedError,
        code: 'FETCH_REFUSED',
        reason,
        message,
      });
      assert.doesNotMatch(error.message, /secret/);
    });
  }

  test('a redirect without Location fails, naming the status', async () => {
    await assertRejects(fetchImage(`${server.origin}/redirect?status=302`, options()), {
      errorClass: FetchFailedError,
      code: 'FETCH_FAILED',
      reason: 'status',
      message: /^127\.0\.0\.1:\d+ answered HTTP 302 \(a redirect\) without a Location header$/,
    });
  });
});

describe('status and connection failures', () => {
  test('404 fails naming the status and without echoing the body', async () => {
    const error = await assertRejects(fetchImage(`${server.origin}/missing`, options()), {
      errorClass: FetchFailedError,
      code: 'FETCH_FAILED',
      reason: 'status',
      message: /^127\.0\.0\.1:\d+ answered HTTP 404 \(Not Found\); expected 200 with an image$/,
    });
    assert.equal((error as FetchFailedError).status, 404);
    assert.doesNotMatch(error.message, /secret/);
  });

  test("the server's own reason phrase is not echoed", async () => {
    const error = await assertRejects(fetchImage(`${server.origin}/teapot`, options()), {
      errorClass: FetchFailedError,
      code: 'FETCH_FAILED',
      message: /answered HTTP 418 \(I'm a Teapot\)/,
    });
    assert.doesNotMatch(error.message, /Custom Reason/);
  });

  test('a closed port fails with connection refused', async () => {
    const port = await closedPort();
    await assertRejects(fetchImage(`http://127.0.0.1:${port}/image`, options()), {
      errorClass: FetchFailedError,
      code: 'FETCH_FAILED',
      reason: 'connect',
      message: new RegExp(`^could not fetch the image from 127\\.0\\.0\\.1:${port}: the connection was refused \\(ECONNREFUSED\\)$`),
    });
  });

  test('a name that does not resolve fails as DNS', async () => {
    await assertRejects(fetchImage('http://no-such-host.invalid/image.png', options()), {
      errorClass: FetchFailedError,
      code: 'FETCH_FAILED',
      reason: 'dns',
      message: /^the image host no-such-host\.invalid could not be resolved: /,
    });
  });

  test('a body cut short fails instead of returning partial bytes', async () => {
    await assertRejects(fetchImage(`${server.origin}/cut`, options({ maxBytes: 10_000 })), {
      errorClass: FetchFailedError,
      code: 'FETCH_FAILED',
      message: /127\.0\.0\.1:\d+/,
    });
  });
});

describe('https', () => {
  test('https goes through the same lookup and verifies the certificate', async () => {
    const tlsServer = createTlsServer({ key: SELF_SIGNED_KEY, cert: SELF_SIGNED_CERT }, (_request, response) => response.end(BODY));
    await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
    const { port } = tlsServer.address() as AddressInfo;
    try {
      await assertRejects(fetchImage(`https://localhost:${port}/image`, options({ allowHosts: parseAllowHosts(undefined) })), {
        errorClass: FetchRefusedError,
        code: 'FETCH_REFUSED',
        message: /^the image host localhost resolves to a loopback address/,
      });
      await assertRejects(fetchImage(`https://localhost:${port}/image`, options({ allowHosts: parseAllowHosts('localhost') })), {
        errorClass: FetchFailedError,
        code: 'FETCH_FAILED',
        reason: 'connect',
        message: new RegExp(
          `^could not fetch the image from localhost:${port}: its TLS certificate was not accepted \\(DEPTH_ZERO_SELF_SIGNED_CERT\\)$`,
        ),
      });
    } finally {
      tlsServer.closeAllConnections();
      await new Promise((resolve) => tlsServer.close(resolve));
    }
  });
});

describe('byte limit', () => {
  test('a Content-Length over the limit is refused before any body arrives', async () => {
    const started = Date.now();
    await assertRejects(fetchImage(`${server.origin}/declared-huge`, options({ maxBytes: 1_000 })), {
      errorClass: ImageTooLargeError,
      code: 'IMAGE_TOO_LARGE',
      message: /^the image at 127\.0\.0\.1:\d+ is 5000000 bytes \(Content-Length\); the limit is 1000 bytes$/,
    });
    assert.ok(Date.now() - started < 2_000);
  });

  test('a chunked body without length is cut off once it passes the limit', async () => {
    await assertRejects(fetchImage(`${server.origin}/endless`, options({ maxBytes: 2_000 })), {
      errorClass: ImageTooLargeError,
      code: 'IMAGE_TOO_LARGE',
      message: /^the image at 127\.0\.0\.1:\d+ is over 2000 bytes \(received \d+ bytes so far\); the limit is 2000 bytes$/,
    });
    for (let waited = 0; endlessStreamsClosed === 0 && waited < 2_000; waited += 10)
      await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(endlessStreamsClosed, 1, 'the connection must be closed once the limit is passed');
  });

  test('a body exactly at the limit is accepted', async () => {
    const fetched = await fetchImage(`${server.origin}/image`, options({ maxBytes: BODY.length }));
    assert.equal(fetched.bytes.length, BODY.length);
    await assertRejects(fetchImage(`${server.origin}/image`, options({ maxBytes: BODY.length - 1 })), {
      errorClass: ImageTooLargeError,
      code: 'IMAGE_TOO_LARGE',
      message: /Content-Length/,
    });
  });
});

describe('deadline and cancellation', () => {
  test('a server that never answers fails with a timeout, quickly', async () => {
    const started = Date.now();
    await assertRejects(fetchImage(`${server.origin}/silent`, options({ timeoutMs: 200 })), {
      errorClass: FetchFailedError,
      code: 'FETCH_FAILED',
      reason: 'timeout',
      message: /^the image was not fetched within 200 ms \(connect, headers and body together\)$/,
    });
    assert.ok(Date.now() - started < 1_500, `took ${Date.now() - started} ms`);
  });

  test('the deadline covers the body, not only the headers', async () => {
    await assertRejects(fetchImage(`${server.origin}/trickle`, options({ timeoutMs: 300, maxBytes: 10_000 })), {
      errorClass: FetchFailedError,
      code: 'FETCH_FAILED',
      reason: 'timeout',
      message: /within 300 ms/,
    });
  });

  test('an abort signal stops the fetch', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('request deadline')), 100);
    const started = Date.now();
    const error = await assertRejects(fetchImage(`${server.origin}/silent`, options({ signal: controller.signal })), {
      errorClass: FetchFailedError,
      code: 'FETCH_FAILED',
      reason: 'cancelled',
      message: /^the image fetch was cancelled$/,
    });
    assert.ok(Date.now() - started < 1_500);
    assert.equal((error.cause as Error).message, 'request deadline');
  });

  test('an already-aborted signal fails without a request', async () => {
    const before = server.requests.length;
    await assertRejects(fetchImage(`${server.origin}/image`, options({ signal: AbortSignal.abort() })), {
      errorClass: FetchFailedError,
      code: 'FETCH_FAILED',
      reason: 'cancelled',
      message: /cancelled/,
    });
    assert.equal(server.requests.length, before);
  });
});

describe('request shape', () => {
  test('fixed User-Agent, Accept: image/*, no cookies, Host as in the URL', async () => {
    const before = server.requests.length;
    await fetchImage(`${server.origin}/image?x=1#fragment`, options());
    const request = server.requests[before]!;
    assert.equal(request.url, '/image?x=1');
    assert.equal(request.headers['user-agent'], 'florence-gateway');
    assert.equal(request.headers.accept, 'image/*');
    assert.equal(request.headers.cookie, undefined);
    assert.equal(request.headers.host, `127.0.0.1:${server.port}`);
  });
});

describe('lookup pinning', () => {
  test('a resolved name connects to the address that was checked', async () => {
    const resolveHost: HostResolver = async () => [{ address: '127.0.0.1', family: 4 }];
    const before = server.requests.length;
    const fetched = await fetchImage(`http://images.example.test:${server.port}/image`, options({ resolveHost }));
    assert.deepEqual(Buffer.from(fetched.bytes), BODY);
    assert.equal(server.requests[before]!.headers.host, `images.example.test:${server.port}`);
  });

  test('a name with one private address among public ones is refused', async () => {
    const resolveHost: HostResolver = async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '10.0.0.7', family: 4 },
    ];
    const error = await assertRejects(fetchImage('http://mixed.example.test/image.png', options({ resolveHost })), {
      errorClass: FetchRefusedError,
      code: 'FETCH_REFUSED',
      message: /^the image host mixed\.example\.test resolves to a private-network address; /,
    });
    assert.doesNotMatch(error.message, /10\.0\.0\.7/, 'resolved addresses stay internal');
  });

  test('a name resolving to an IPv4-mapped metadata address is refused', async () => {
    const resolveHost: HostResolver = async () => [{ address: '::ffff:169.254.169.254', family: 6 }];
    await assertRejects(fetchImage('http://sneaky.example.test/', options({ resolveHost })), {
      errorClass: FetchRefusedError,
      code: 'FETCH_REFUSED',
      message: /resolves to a cloud metadata address/,
    });
  });
});
