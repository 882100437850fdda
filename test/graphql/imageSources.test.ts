/**
 * Image sources through GraphQL: the URL guard (refused by default, allowed by ALLOW_HOSTS, redirects
 * re-checked), uploads by id, and bad images as clean field errors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { patternPng } from '../helpers/images.js';
import { startTestGateway, type GraphQLErrorBody, type TestGateway } from '../helpers/gateway.js';
import { startServer, type LocalServer } from '../images/support/localServer.js';

let strict: TestGateway;
let trusting: TestGateway;
let imageHost: LocalServer;
let png: Buffer;

before(async () => {
  png = await patternPng(120, 90, 5);
  imageHost = await startServer((request, response) => {
    if (request.url === '/photo.png') {
      response.writeHead(200, { 'content-type': 'image/png' }).end(png);
    } else if (request.url === '/to-private') {
      response.writeHead(302, { location: 'http://10.0.0.7/photo.png' }).end();
    } else if (request.url === '/to-metadata') {
      response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    } else {
      response.writeHead(404).end();
    }
  });
  strict = await startTestGateway({ MAX_IMAGE_PIXELS: '200000', MAX_IMAGE_BYTES: '2000000' });
  trusting = await startTestGateway({ ALLOW_HOSTS: '127.0.0.1' });
});
after(async () => {
  await Promise.all([strict.stop(), trusting.stop(), imageHost.close()]);
});

/** What every refusal of `/images` answers: the GraphQL error shape. */
interface UploadRefusal {
  readonly errors: readonly { readonly message: string; readonly extensions: { readonly code: string } }[];
}

function onlyError(errors: GraphQLErrorBody[] | undefined): GraphQLErrorBody {
  assert.equal(errors?.length, 1, JSON.stringify(errors));
  return errors[0]!;
}

describe('URL images', () => {
  test('a server on 127.0.0.1 is refused by default, naming why', async () => {
    const { body } = await strict.graphql(`query($url: String!) { image(url: $url) { id } }`, { url: `${imageHost.origin}/photo.png` });
    const error = onlyError(body.errors);
    assert.equal(error.extensions!.code, 'FETCH_REFUSED');
    assert.match(error.message, /loopback/);
    assert.deepEqual(body.data, { image: null });
  });

  test('with ALLOW_HOSTS it is fetched, hashed and sniffed', async () => {
    const { body } = await trusting.graphql<{ image: { id: string; width: number; height: number; format: string } }>(
      `query($url: String!) { image(url: $url) { id width height format } }`,
      { url: `${imageHost.origin}/photo.png` },
    );
    assert.equal(body.errors, undefined);
    assert.deepEqual({ ...body.data!.image, id: undefined }, { id: undefined, width: 120, height: 90, format: 'png' });
  });

  test('a redirect to a private or metadata address is refused even from an allowed host', async () => {
    for (const path of ['/to-private', '/to-metadata']) {
      const { body } = await trusting.graphql(`query($url: String!) { image(url: $url) { id } }`, { url: `${imageHost.origin}${path}` });
      const error = onlyError(body.errors);
      assert.equal(error.extensions!.code, 'FETCH_REFUSED', path);
    }
  });

  test('images(urls:) keeps the good ones and reports each failure at its index', async () => {
    const { body } = await trusting.graphql<{ images: ({ width: number } | null)[] }>(
      `query($urls: [String!]!) { images(urls: $urls) { width } }`,
      {
        urls: [`${imageHost.origin}/photo.png`, `${imageHost.origin}/missing.png`, 'ftp://example.com/a.png'],
      },
    );
    assert.deepEqual(body.data!.images, [{ width: 120 }, null, null]);
    const codes = Object.fromEntries(body.errors!.map((error) => [error.path!.join('.'), error.extensions!.code]));
    assert.deepEqual(codes, { 'images.1': 'FETCH_FAILED', 'images.2': 'FETCH_REFUSED' });
  });

  test('images(urls:) refuses more URLs than the limit', async () => {
    const { body } = await strict.graphql(`query($urls: [String!]!) { images(urls: $urls) { id } }`, {
      urls: Array.from({ length: 9 }, (_, i) => `https://example.com/${i}.png`),
    });
    assert.match(onlyError(body.errors).message, /at most 8 URLs; got 9/);
  });
});

describe('uploads', () => {
  test('POST /images stores the bytes; image(id:) finds them; the id is the sha256 of the bytes', async () => {
    const response = await fetch(`${strict.url}/images`, {
      method: 'POST',
      body: png,
      headers: { 'content-type': 'application/octet-stream' },
    });
    assert.equal(response.status, 201);
    const upload = (await response.json()) as { id: string; width: number; height: number; format: string };
    assert.deepEqual({ ...upload, id: undefined }, { id: undefined, width: 120, height: 90, format: 'png' });
    const { createHash } = await import('node:crypto');
    assert.equal(upload.id, `sha256:${createHash('sha256').update(png).digest('hex')}`);
    const { body } = await strict.graphql<{ image: { id: string; width: number } }>(`query($id: ID!) { image(id: $id) { id width } }`, {
      id: upload.id,
    });
    assert.deepEqual(body.data!.image, { id: upload.id, width: 120 });
    const inline = await strict.graphql<{ image: { id: string } }>(`query($b: String!) { image(base64: $b) { id } }`, {
      b: png.toString('base64'),
    });
    assert.equal(inline.body.data!.image.id, upload.id, 'the same bytes by another source have the same id');
  });

  test('an id nobody uploaded is IMAGE_NOT_FOUND; a malformed id is BAD_INPUT', async () => {
    const missing = await strict.graphql(`{ image(id: "sha256:${'0'.repeat(64)}") { id } }`);
    const error = onlyError(missing.body.errors);
    assert.equal(error.extensions!.code, 'IMAGE_NOT_FOUND');
    assert.match(error.message, /upload the bytes with POST \/images/);
    const malformed = await strict.graphql(`{ image(id: "../../etc/passwd") { id } }`);
    assert.equal(onlyError(malformed.body.errors).extensions!.code, 'BAD_INPUT');
  });

  test('uploads are checked like any image: SVG 400, garbage 400, oversize 413, in the GraphQL error shape', async () => {
    const svg = await fetch(`${strict.url}/images`, { method: 'POST', body: '<svg xmlns="http://www.w3.org/2000/svg"/>' });
    assert.equal(svg.status, 400);
    assert.equal(((await svg.json()) as UploadRefusal).errors[0]?.extensions.code, 'BAD_IMAGE');
    const empty = await fetch(`${strict.url}/images`, { method: 'POST', body: new Uint8Array() });
    assert.equal(empty.status, 400);
    const huge = await sharp({ create: { width: 600, height: 600, channels: 3, background: '#123456' } })
      .png()
      .toBuffer();
    const tooMany = await fetch(`${strict.url}/images`, { method: 'POST', body: huge });
    assert.equal(tooMany.status, 413);
    assert.equal(((await tooMany.json()) as UploadRefusal).errors[0]?.extensions.code, 'IMAGE_TOO_LARGE');
    // Over MAX_IMAGE_BYTES the body parser refuses before anything is read as an image: the same shape.
    const tooBig = await fetch(`${strict.url}/images`, { method: 'POST', body: new Uint8Array(2_000_001) });
    assert.equal(tooBig.status, 413);
    assert.deepEqual(await tooBig.json(), {
      errors: [{ message: 'the upload is larger than the 2 MB limit (MAX_IMAGE_BYTES)', extensions: { code: 'IMAGE_TOO_LARGE' } }],
    });
  });

  test('EXIF orientation is applied: an upright-rotated JPEG reports the shown size', async () => {
    const rotated = await sharp(await patternPng(64, 32))
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const response = await fetch(`${strict.url}/images`, { method: 'POST', body: rotated });
    const upload = (await response.json()) as { width: number; height: number };
    assert.deepEqual([upload.width, upload.height], [32, 64]);
  });
});

describe('bad images are clean field errors', () => {
  const cases: [name: string, make: () => Promise<string>, code: string, message: RegExp][] = [
    ['zero bytes', async () => '', 'BAD_INPUT', /base64/],
    ['not an image', async () => Buffer.from('hello, world').toString('base64'), 'BAD_IMAGE', /not a readable image/],
    [
      'SVG',
      async () => Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>').toString('base64'),
      'BAD_IMAGE',
      /SVG format are not accepted/,
    ],
    [
      'over the pixel limit',
      async () =>
        (
          await sharp({ create: { width: 500, height: 500, channels: 3, background: '#000' } })
            .png()
            .toBuffer()
        ).toString('base64'),
      'IMAGE_TOO_LARGE',
      /500×500 pixels.*the limit is 0\.20 megapixels/,
    ],
    ['not base64', async () => '%%%% not base64 %%%%', 'BAD_INPUT', /base64/],
  ];
  for (const [name, make, code, message] of cases) {
    test(name, async () => {
      const { status, body } = await strict.graphql(`query($b: String!) { image(base64: $b) { id caption { text } } ok: model { id } }`, {
        b: await make(),
      });
      assert.equal(status, 200);
      const error = onlyError(body.errors);
      assert.equal(error.extensions!.code, code, error.message);
      assert.match(error.message, message);
      assert.deepEqual(error.path, ['image']);
      assert.ok((body.data as { ok: { id: string } }).ok.id, 'the sibling field resolved');
    });
  }

  for (const format of ['jpeg', 'png'] as const) {
    test(`a ${format} cut at 60 % fails only in the field that decodes its pixels (its header still gives the size)`, async () => {
      const whole = await sharp(await patternPng(200, 150))
        .toFormat(format)
        .toBuffer();
      const { body } = await strict.graphql<{ image: { width: number; caption: null } }>(
        `query($b: String!) { image(base64: $b) { width caption { text } } }`,
        {
          b: whole.subarray(0, Math.floor(whole.length * 0.6)).toString('base64'),
        },
      );
      assert.equal(body.data!.image.width, 200);
      assert.equal(body.data!.image.caption, null);
      const error = onlyError(body.errors);
      assert.deepEqual(error.path, ['image', 'caption']);
      assert.equal(error.extensions!.code, 'BAD_IMAGE');
      assert.match(
        error.message,
        /^the image's pixels could not be decoded \(.+\); the file may be truncated or corrupt: send the complete image$/,
      );
    });
  }
});
