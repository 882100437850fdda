/**
 * `GET /images/{id}`: the stored bytes of an upload or of an image fetched by URL, with the right
 * headers; malformed ids 400, unknown ones 404, both as JSON; the same guards as `POST /images`;
 * and keeping a URL's bytes never fails the query that fetched them.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { imageMediaType } from '../../src/images/mediaType.js';
import { waitFor } from '../cache/helpers.js';
import { patternPng, solidImage } from '../helpers/images.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { startServer, type LocalServer } from '../images/support/localServer.js';

const KEY = 'k1-download-test-key-0123';
const UNKNOWN_ID = `sha256:${'0'.repeat(64)}`;

let open: TestGateway;
let guarded: TestGateway;
let imageHost: LocalServer;
let png: Buffer;
let fetchedJpeg: Buffer;

before(async () => {
  png = await patternPng(40, 30, 2);
  fetchedJpeg = await solidImage(24, 18, 'jpeg');
  imageHost = await startServer((request, response) => {
    if (request.url === '/photo.jpg') response.writeHead(200, { 'content-type': 'image/jpeg' }).end(fetchedJpeg);
    else response.writeHead(404).end();
  });
  open = await startTestGateway({ ALLOW_HOSTS: '127.0.0.1', UPLOAD_TTL_SECONDS: '3600' });
  guarded = await startTestGateway({ API_KEYS: KEY, RATE_LIMIT: '4/min' });
});
after(async () => {
  await Promise.all([open.stop(), guarded.stop(), imageHost.close()]);
});

async function upload(gateway: TestGateway, bytes: Uint8Array, headers: Record<string, string> = {}): Promise<string> {
  const response = await fetch(`${gateway.url}/images`, { method: 'POST', body: bytes, headers });
  assert.equal(response.status, 201);
  return ((await response.json()) as { id: string }).id;
}

function idOf(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

describe('GET /images/{id}', () => {
  test('serves the uploaded bytes with their type, a private cache lifetime of the upload TTL, and nosniff', async () => {
    const id = await upload(open, png);
    const response = await fetch(`${open.url}/images/${id}`);
    assert.equal(response.status, 200);
    assert.deepEqual(Buffer.from(await response.arrayBuffer()), png);
    assert.equal(response.headers.get('content-type'), 'image/png');
    assert.equal(response.headers.get('content-length'), String(png.byteLength));
    assert.equal(response.headers.get('cache-control'), 'private, max-age=3600, immutable');
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(response.headers.get('content-security-policy'), "default-src 'none'; sandbox");
  });

  test('the id may arrive percent-encoded (a browser encodes the colon)', async () => {
    const id = await upload(open, png);
    const response = await fetch(`${open.url}/images/${encodeURIComponent(id)}`);
    assert.equal(response.status, 200);
    assert.deepEqual(Buffer.from(await response.arrayBuffer()), png);
  });

  test('an unknown id is 404 IMAGE_NOT_FOUND as JSON', async () => {
    const response = await fetch(`${open.url}/images/${UNKNOWN_ID}`);
    assert.equal(response.status, 404);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(await response.json(), {
      errors: [
        {
          message: `no stored image has id ${UNKNOWN_ID}; upload the bytes with POST /images (stored images expire after 1 h)`,
          extensions: { code: 'IMAGE_NOT_FOUND' },
        },
      ],
    });
  });

  test('a malformed id is 400 BAD_INPUT, echoing what arrived; nothing but stored images is reachable', async () => {
    const cases: [path: string, echoed: string][] = [
      ['sha256:abc', 'sha256:abc'],
      [`sha256:${'A'.repeat(64)}`, `sha256:${'A'.repeat(64)}`],
      [`md5:${'0'.repeat(32)}`, `md5:${'0'.repeat(32)}`],
      ['%2e%2e%2fpackage.json', '../package.json'],
      ['..%2F..%2Fetc%2Fpasswd', '../../etc/passwd'],
    ];
    for (const [path, echoed] of cases) {
      const response = await fetch(`${open.url}/images/${path}`);
      assert.equal(response.status, 400, path);
      assert.deepEqual(await response.json(), {
        errors: [
          {
            message: `expected an image id "sha256:" followed by 64 lowercase hex digits, got ${JSON.stringify(echoed)}`,
            extensions: { code: 'BAD_INPUT' },
          },
        ],
      });
    }
  });

  test('an image fetched by URL is kept, so its id from the answer can be shown', async () => {
    const { body } = await open.graphql<{ image: { id: string } }>(`query($url: String!) { image(url: $url) { id } }`, {
      url: `${imageHost.origin}/photo.jpg`,
    });
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    const id = body.data?.image.id;
    assert.equal(id, idOf(fetchedJpeg));
    // Kept in the background: the answer does not wait for the store.
    await waitFor(
      async () => (await fetch(`${open.url}/images/${id}`, { method: 'HEAD' })).status === 200,
      10_000,
      'the fetched image to be stored',
    );
    const response = await fetch(`${open.url}/images/${id}`);
    assert.equal(response.headers.get('content-type'), 'image/jpeg');
    assert.deepEqual(Buffer.from(await response.arrayBuffer()), fetchedJpeg);
  });

  test('a store that fails to keep a fetched image costs the query nothing', async () => {
    const uploads = open.services.uploads;
    const keep = uploads.keep;
    let attempts = 0;
    uploads.keep = () => {
      attempts++;
      return Promise.reject(new Error('the store is down'));
    };
    try {
      const other = await patternPng(20, 20, 9);
      const server = await startServer((_request, response) => response.writeHead(200, { 'content-type': 'image/png' }).end(other));
      try {
        const { body } = await open.graphql<{ image: { id: string; width: number } }>(
          `query($url: String!) { image(url: $url) { id width } }`,
          { url: `${server.origin}/x.png` },
        );
        assert.equal(body.errors, undefined, JSON.stringify(body.errors));
        assert.deepEqual(body.data?.image, { id: idOf(other), width: 20 });
        assert.equal(attempts, 1);
      } finally {
        await server.close();
      }
    } finally {
      uploads.keep = keep;
    }
  });

  test('needs an API key like POST /images, and counts against the rate limit', async () => {
    const id = await upload(guarded, png, { 'x-api-key': KEY }); // request 1
    const refused = await fetch(`${guarded.url}/images/${id}`);
    assert.equal(refused.status, 401, 'no key');
    assert.equal(refused.headers.get('www-authenticate'), 'Bearer realm="florence-gateway"');
    assert.equal((await fetch(`${guarded.url}/images/${id}`, { headers: { authorization: `Bearer ${KEY}` } })).status, 200); // request 2
    assert.equal((await fetch(`${guarded.url}/images/${UNKNOWN_ID}`, { headers: { 'x-api-key': KEY } })).status, 404); // request 3
    assert.equal((await fetch(`${guarded.url}/images/${id}`, { headers: { 'x-api-key': KEY } })).status, 200); // request 4
    const limited = await fetch(`${guarded.url}/images/${id}`, { headers: { 'x-api-key': KEY } });
    assert.equal(limited.status, 429);
  });
});

describe('imageMediaType', () => {
  /** An ISO-BMFF file's first box: size, "ftyp", then the major brand. */
  const ftyp = (brand: string) => new Uint8Array([0, 0, 0, 28, ...Buffer.from('ftyp'), ...Buffer.from(brand), 0, 0, 0, 0]);
  const cases: [format: string, bytes: Uint8Array, expected: string][] = [
    ['jpeg', new Uint8Array([0xff, 0xd8, 0xff]), 'image/jpeg'],
    ['png', new Uint8Array(), 'image/png'],
    ['webp', new Uint8Array(), 'image/webp'],
    ['gif', new Uint8Array(), 'image/gif'],
    ['tiff', new Uint8Array(), 'image/tiff'],
    ['heif', ftyp('avif'), 'image/avif'],
    ['heif', ftyp('avis'), 'image/avif'],
    ['heif', ftyp('heic'), 'image/heic'],
    ['heif', ftyp('mif1'), 'image/heif'],
    ['heif', new Uint8Array([1, 2]), 'image/heif'],
    ['svg', new Uint8Array(), 'application/octet-stream'],
    ['toString', new Uint8Array(), 'application/octet-stream'],
  ];
  for (const [format, bytes, expected] of cases) {
    test(`${format} ${Buffer.from(bytes.subarray(8, 12)).toString('latin1') || '(no brand)'} → ${expected}`, () => {
      assert.equal(imageMediaType(format, bytes), expected);
    });
  }
});
