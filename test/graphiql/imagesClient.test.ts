/**
 * The page's requests to /images, run from Node against a real gateway: upload and download with
 * the headers editor's API key, the gateway's refusals as messages, and the example picture
 * uploaded once before the first run that names it (again after a failure, never twice after a
 * success).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createExampleUploader } from '../../src/graphiql/exampleUpload.js';
import { EXAMPLE_IMAGE_ID } from '../../src/graphiql/examples.js';
import { downloadImage, ImagesRequestError, imagesUrl, uploadImage } from '../../src/graphiql/explorer/imagesClient.js';
import { patternPng } from '../helpers/images.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { repoRoot } from '../helpers/paths.js';
import { startServer, type LocalServer } from '../images/support/localServer.js';

const KEY = 'k1-images-client-test-0123';
const NEEDS_KEY = 'this server needs an API key: send "Authorization: Bearer <key>" or "x-api-key: <key>"';

let gateway: TestGateway;
let pictureHost: LocalServer;
let pictureRequests = 0;

before(async () => {
  const picture = await readFile(join(repoRoot, 'src', 'graphiql', 'example.jpg'));
  pictureHost = await startServer((_request, response) => {
    pictureRequests++;
    response.writeHead(200, { 'content-type': 'image/jpeg' }).end(picture);
  });
  gateway = await startTestGateway({ API_KEYS: KEY });
});
after(async () => {
  await Promise.all([gateway.stop(), pictureHost.close()]);
});

const base = () => `${gateway.url}/`;
const withKey = { 'x-api-key': KEY };

describe('imagesClient', () => {
  test('imagesUrl resolves against the page, encoding the id', () => {
    assert.equal(imagesUrl('https://example.com/florence/'), 'https://example.com/florence/images');
    assert.equal(imagesUrl('https://example.com/florence/', 'sha256:ab'), 'https://example.com/florence/images/sha256%3Aab');
  });

  test('an upload comes back byte for byte, with the key from the headers editor', async () => {
    const png = await patternPng(30, 20, 3);
    const uploaded = await uploadImage(base(), new Blob([png]), withKey);
    assert.deepEqual({ ...uploaded, id: uploaded.id.slice(0, 7) }, { id: 'sha256:', width: 30, height: 20, format: 'png' });
    const blob = await downloadImage(base(), uploaded.id, withKey);
    assert.equal(blob.type, 'image/png');
    assert.deepEqual(Buffer.from(await blob.arrayBuffer()), png);
  });

  test('refusals carry the gateway’s message and status', async () => {
    const png = await patternPng(8, 8);
    await assert.rejects(
      uploadImage(base(), new Blob([png])),
      new ImagesRequestError(401, `the upload was refused (HTTP 401): ${NEEDS_KEY}`),
    );
    // The sniffing message is the image module's; here only that it arrives whole.
    await assert.rejects(uploadImage(base(), new Blob(['not an image']), withKey), (error: unknown) => {
      assert.ok(error instanceof ImagesRequestError);
      assert.equal(error.status, 400);
      assert.match(
        error.message,
        /^the upload was refused \(HTTP 400\): the data is not a readable image .*; expected JPEG, PNG, WebP, GIF, TIFF or AVIF$/,
      );
      return true;
    });
    const unknown = `sha256:${'0'.repeat(64)}`;
    await assert.rejects(
      downloadImage(base(), unknown, withKey),
      new ImagesRequestError(
        404,
        `could not load image ${unknown} (HTTP 404): no stored image has id ${unknown}; upload the bytes with POST /images (stored ` +
          `images expire after 24 h)`,
      ),
    );
  });
});

describe('the example picture', () => {
  test('is uploaded before the first run that names it, again after a failure, then never', async () => {
    const uploader = createExampleUploader(base(), EXAMPLE_IMAGE_ID, `${pictureHost.origin}/example.jpg`);
    const before = pictureRequests;
    await uploader.ensure({ id: `sha256:${'1'.repeat(64)}` }, withKey);
    await uploader.ensure({ base64: 'x' }, withKey);
    await uploader.ensure(undefined, withKey);
    assert.equal(pictureRequests, before, 'other variables: nothing to upload');

    await uploader.ensure({ id: EXAMPLE_IMAGE_ID }, {}); // no key: refused, and not an error of the run
    assert.equal(pictureRequests, before + 1);
    assert.equal((await fetch(`${gateway.url}/images/${EXAMPLE_IMAGE_ID}`, { headers: withKey })).status, 404);

    await uploader.ensure({ id: EXAMPLE_IMAGE_ID }, withKey);
    await uploader.ensure({ id: EXAMPLE_IMAGE_ID, query: 'car' }, withKey);
    assert.equal(pictureRequests, before + 2, 'uploaded once more, after the failure, then remembered');
    assert.equal((await fetch(`${gateway.url}/images/${EXAMPLE_IMAGE_ID}`, { headers: withKey })).status, 200);
  });
});
