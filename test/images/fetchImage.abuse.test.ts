/** fetchImage misuse: URLs it must refuse before any network activity, and bad options. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAllowHosts } from '../../src/images/addressPolicy.js';
import { FetchRefusedError } from '../../src/images/errors.js';
import { fetchImage, type FetchImageOptions } from '../../src/images/fetchImage.js';
import { TaskInputError } from '../../src/vision/errors.js';

const options: FetchImageOptions = { allowHosts: parseAllowHosts('127.0.0.1'), maxBytes: 1_000, timeoutMs: 1_000 };

const REFUSED_URLS: readonly (readonly [string, Function, string, RegExp])[] = [
  [
    'ftp://example.com/image.png',
    FetchRefusedError,
    'FETCH_REFUSED',
    /^the image URL uses the ftp: scheme; only http: and https: images are fetched$/,
  ],
  ['file:///etc/passwd', FetchRefusedError, 'FETCH_REFUSED', /^the image URL uses the file: scheme; /],
  ['javascript:alert(1)', FetchRefusedError, 'FETCH_REFUSED', /^the image URL uses the javascript: scheme; /],
  ['data:image/png;base64,AAAA', FetchRefusedError, 'FETCH_REFUSED', /uses the data: scheme/],
  ['gopher://127.0.0.1:6379/_INFO', FetchRefusedError, 'FETCH_REFUSED', /uses the gopher: scheme/],
  ['ws://example.com/', FetchRefusedError, 'FETCH_REFUSED', /uses the ws: scheme/],
  [
    'http://user:hunter2@example.com/image.png',
    FetchRefusedError,
    'FETCH_REFUSED',
    /^the image URL contains a user name or password; image URLs with credentials are refused$/,
  ],
  ['http://user@example.com/image.png', FetchRefusedError, 'FETCH_REFUSED', /user name or password/],
  [
    'not a url',
    TaskInputError,
    'BAD_INPUT',
    /^the image URL is not a valid absolute URL: expected http\(s\):\/\/host\/path, got "not a url"$/,
  ],
  ['/relative/image.png', TaskInputError, 'BAD_INPUT', /not a valid absolute URL/],
  ['http://', TaskInputError, 'BAD_INPUT', /not a valid absolute URL/],
  ['http://[::1/', TaskInputError, 'BAD_INPUT', /not a valid absolute URL/],
  ['http://exa mple.com/', TaskInputError, 'BAD_INPUT', /not a valid absolute URL/],
  ['', TaskInputError, 'BAD_INPUT', /got ""$/],
  [`http://example.com/${'a'.repeat(9000)}`, TaskInputError, 'BAD_INPUT', /^the image URL is 9019 characters; the limit is 8192$/],
];

for (const [url, errorClass, code, message] of REFUSED_URLS) {
  test(`fetchImage(${JSON.stringify(url.slice(0, 60))}) → ${code}`, async () => {
    await assert.rejects(fetchImage(url, options), (error: unknown) => {
      assert.ok(error instanceof errorClass, String(error));
      assert.equal((error as TaskInputError).code, code);
      assert.match((error as Error).message, message);
      assert.doesNotMatch((error as Error).message, /hunter2/);
      return true;
    });
  });
}

test('a long malformed URL is echoed only in part', async () => {
  await assert.rejects(fetchImage(`not a url ${'x'.repeat(500)}`, options), (error: unknown) => {
    assert.ok(error instanceof TaskInputError);
    assert.ok(error.message.length < 300, error.message);
    assert.match(error.message, /x…"$/);
    return true;
  });
});

const BAD_OPTIONS: readonly (readonly [Partial<FetchImageOptions>, RegExp])[] = [
  [{ maxBytes: 0 }, /^fetchImage: maxBytes must be a positive integer, got 0$/],
  [{ maxBytes: Number.NaN }, /maxBytes must be a positive integer, got NaN/],
  [{ timeoutMs: 0 }, /^fetchImage: timeoutMs must be an integer from 1 to 2147483647, got 0$/],
  [{ timeoutMs: 2 ** 31 }, /timeoutMs must be an integer from 1 to 2147483647/],
  [{ timeoutMs: 1.5 }, /timeoutMs must be an integer/],
  [{ maxRedirects: -1 }, /^fetchImage: maxRedirects must be a non-negative integer, got -1$/],
];

for (const [overrides, message] of BAD_OPTIONS) {
  test(`fetchImage refuses options ${JSON.stringify(overrides)} with a RangeError`, async () => {
    await assert.rejects(fetchImage('http://127.0.0.1/', { ...options, ...overrides }), { name: 'RangeError', message });
  });
}
