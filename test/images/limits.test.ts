/** Image limits: defaults, and their settings read from the environment by the configuration table. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DEFAULT_FETCH_TIMEOUT_MS,
  DEFAULT_IMAGE_LIMITS,
  DEFAULT_MAX_BASE64_IMAGE_BYTES,
  DEFAULT_MAX_IMAGE_BYTES,
  type ImageLimits,
} from '../../src/images/limits.js';
import { loadConfig, type Environment } from '../../src/server/config.js';
import { DEFAULT_MAX_PIXELS } from '../../src/vision/image.js';

/** The image limits loadConfig builds from `env`. */
function limitsFor(env: Environment): ImageLimits {
  return loadConfig(env).imageLimits;
}

test('defaults: 20 MB, 3 MB base64, 50 MP (as vision/image.ts), 10 s, 3 redirects, nothing allowed', () => {
  assert.equal(DEFAULT_MAX_IMAGE_BYTES, 20_000_000);
  assert.equal(DEFAULT_MAX_BASE64_IMAGE_BYTES, 3_000_000);
  assert.equal(DEFAULT_FETCH_TIMEOUT_MS, 10_000);
  assert.equal(DEFAULT_IMAGE_LIMITS.maxPixels, DEFAULT_MAX_PIXELS);
  assert.equal(DEFAULT_IMAGE_LIMITS.maxPixels, 50_000_000);
  assert.equal(DEFAULT_IMAGE_LIMITS.maxRedirects, 3);
  assert.deepEqual(DEFAULT_IMAGE_LIMITS.allowHosts.entries, []);
  assert.ok(Object.isFrozen(DEFAULT_IMAGE_LIMITS));
});

test('an empty environment gives the defaults', () => {
  const limits = limitsFor({});
  assert.deepEqual({ ...limits, allowHosts: limits.allowHosts.entries }, { ...DEFAULT_IMAGE_LIMITS, allowHosts: [] });
});

test('blank values keep the defaults', () => {
  const limits = limitsFor({ MAX_IMAGE_BYTES: '', MAX_IMAGE_PIXELS: '  ', FETCH_TIMEOUT_MS: '', ALLOW_HOSTS: '' });
  assert.equal(limits.maxBytes, DEFAULT_MAX_IMAGE_BYTES);
  assert.equal(limits.maxPixels, DEFAULT_MAX_PIXELS);
  assert.equal(limits.fetchTimeoutMs, DEFAULT_FETCH_TIMEOUT_MS);
});

test('every variable is read', () => {
  const limits = limitsFor({
    MAX_IMAGE_BYTES: '5000000',
    MAX_IMAGE_PIXELS: ' 1000000 ',
    FETCH_TIMEOUT_MS: '2500',
    ALLOW_HOSTS: 'images.internal.example,10.0.0.0/8',
  });
  assert.equal(limits.maxBytes, 5_000_000);
  assert.equal(limits.maxPixels, 1_000_000);
  assert.equal(limits.fetchTimeoutMs, 2_500);
  assert.deepEqual(limits.allowHosts.entries, ['images.internal.example', '10.0.0.0/8']);
  assert.equal(limits.allowHosts.allowsAddress('10.9.8.7'), true);
});

test('maxBase64Bytes follows MAX_IMAGE_BYTES down, never above 3 MB', () => {
  assert.equal(limitsFor({ MAX_IMAGE_BYTES: '2000000' }).maxBase64Bytes, 2_000_000);
  assert.equal(limitsFor({ MAX_IMAGE_BYTES: '50000000' }).maxBase64Bytes, 3_000_000);
});
