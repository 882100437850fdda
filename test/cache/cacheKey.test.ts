/**
 * The one key builder: equal work gives one key, any difference another, option order does not
 * matter, user text never appears in a key, and parts that would make an unsound key are refused.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { canonicalJson, featureKey, resultCacheKey, uploadKey, variablesDigest, type ResultKeyParts } from '../../src/cache/cacheKey.js';
import { CacheKeyError } from '../../src/cache/errors.js';

const IMAGE = `sha256:${'ab'.repeat(32)}`;
const OTHER_IMAGE = `sha256:${'cd'.repeat(32)}`;
const BASE: ResultKeyParts = {
  modelFingerprint: '0123456789abcdef',
  task: '<CAPTION_TO_PHRASE_GROUNDING>',
  input: 'a cat on a mat',
  options: { numBeams: 3, maxNewTokens: 1024 },
  imageId: IMAGE,
};

describe('resultCacheKey', () => {
  test('has the DESIGN.md §4 shape with a readable task', () => {
    const key = resultCacheKey(BASE);
    assert.match(key, /^0123456789abcdef:CAPTION_TO_PHRASE_GROUNDING:[0-9a-f]{32}:[0-9a-f]{32}:sha256:(ab){32}$/);
  });

  test('same inputs give the same key', () => {
    assert.equal(resultCacheKey(BASE), resultCacheKey({ ...BASE, options: { ...BASE.options } }));
  });

  test('option key order does not matter, at any depth; undefined properties are absent ones', () => {
    const a = resultCacheKey({ ...BASE, options: { a: 1, b: { x: [1, 2], y: true } } });
    const b = resultCacheKey({ ...BASE, options: { b: { y: true, x: [1, 2] }, a: 1, c: undefined } });
    assert.equal(a, b);
  });

  const changes: ReadonlyArray<readonly [string, Partial<ResultKeyParts>]> = [
    ['model fingerprint', { modelFingerprint: 'fedcba9876543210' }],
    ['task', { task: '<OD>' }],
    ['input text', { input: 'a cat on a hat' }],
    ['input whitespace', { input: 'a cat on a mat ' }],
    ['no input instead of text', { input: undefined }],
    ['an option value', { options: { numBeams: 1, maxNewTokens: 1024 } }],
    ['an extra option', { options: { numBeams: 3, maxNewTokens: 1024, lengthPenalty: 1 } }],
    ['no options', { options: undefined }],
    ['array order in options', { options: { numBeams: 3, maxNewTokens: 1024, stop: [2, 1] } }],
    ['image', { imageId: OTHER_IMAGE }],
  ];
  for (const [name, change] of changes) {
    test(`a different ${name} gives a different key`, () => {
      const keys = new Set([resultCacheKey(BASE), resultCacheKey({ ...BASE, ...change })]);
      if (name === 'array order in options')
        keys.add(resultCacheKey({ ...BASE, options: { numBeams: 3, maxNewTokens: 1024, stop: [1, 2] } }));
      assert.equal(keys.size, name === 'array order in options' ? 3 : 2);
    });
  }

  test('no input and empty input are different work', () => {
    assert.notEqual(resultCacheKey({ ...BASE, input: undefined }), resultCacheKey({ ...BASE, input: '' }));
  });

  test('<OD> and OD name the same task', () => {
    assert.equal(resultCacheKey({ ...BASE, task: '<OD>' }), resultCacheKey({ ...BASE, task: 'OD' }));
  });

  test('the input text is hashed, never stored: the key does not contain it and has a fixed length', () => {
    const secret = 'my password is hunter2 and my address is 1 Main St';
    const key = resultCacheKey({ ...BASE, input: secret });
    for (const word of ['hunter2', 'password', 'Main']) assert.ok(!key.includes(word), key);
    assert.equal(resultCacheKey({ ...BASE, input: 'x'.repeat(100_000) }).length, key.length);
  });

  const refused: ReadonlyArray<readonly [string, Partial<ResultKeyParts>, RegExp]> = [
    [
      'an empty fingerprint',
      { modelFingerprint: '' },
      /^model fingerprint must be 8–64 lowercase hex digits \(from modelFingerprint\(\)\); got ""$/,
    ],
    ['a fingerprint with a colon', { modelFingerprint: 'abcdef12:3' }, /model fingerprint must be/],
    [
      'an unknown-shaped task',
      { task: 'caption please' },
      /^task must be a task token such as <OD> or CAPTION \(capitals, digits, _\); got "caption please"$/,
    ],
    ['an empty task', { task: '<>' }, /task must be a task token/],
    ['a raw image hash', { imageId: 'ab'.repeat(32) }, /^image id must look like sha256:<lowercase hex>; got "abab/],
    ['an image id with a path', { imageId: 'sha256:../../etc/passwd' }, /image id must look like/],
    ['NaN in options', { options: { temperature: Number.NaN } }, /^key data must hold finite numbers; got NaN$/],
    ['a Date in options', { options: { at: new Date(0) } }, /^key data must be plain JSON .*; got Date$/],
    ['a function in options', { options: { f: () => 1 } }, /got function$/],
  ];
  for (const [name, change, message] of refused) {
    test(`refuses ${name}`, () => {
      assert.throws(
        () => resultCacheKey({ ...BASE, ...change }),
        (error: unknown) => {
          assert.ok(error instanceof CacheKeyError);
          assert.equal(error.code, 'CACHE_KEY');
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }

  test('refuses cyclic options instead of looping', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    assert.throws(() => resultCacheKey({ ...BASE, options: cyclic }), /nests deeper than 16 levels \(or is cyclic\)/);
  });
});

describe('other keys', () => {
  test('uploadKey and featureKey are distinct namespaces from results and from each other', () => {
    assert.equal(uploadKey(IMAGE), `upload:${IMAGE}`);
    assert.equal(featureKey('0123456789abcdef', IMAGE), `features:0123456789abcdef:${IMAGE}`);
    assert.notEqual(featureKey('0123456789abcdef', IMAGE), featureKey('fedcba9876543210', IMAGE));
    assert.throws(() => uploadKey('not an id'), CacheKeyError);
    assert.throws(() => featureKey('XYZ', IMAGE), CacheKeyError);
  });
});

describe('canonicalJson', () => {
  test('sorts keys, keeps array order, drops undefined properties, writes undefined array items as null', () => {
    assert.equal(canonicalJson({ b: 1, a: [3, undefined, { d: 'x', c: null }], z: undefined }), '{"a":[3,null,{"c":null,"d":"x"}],"b":1}');
  });
});

describe('variablesDigest', () => {
  test('equal variables in any key order share a short digest; different ones do not', () => {
    const image = 'A'.repeat(2_000_000); // a base64 image's worth: the digest stays 43 characters
    const digest = variablesDigest({ image, g: { maxNewTokens: 5, numBeams: 1 } });
    assert.match(digest ?? '', /^[\w-]{43}$/);
    assert.equal(variablesDigest({ g: { numBeams: 1, maxNewTokens: 5 }, image }), digest);
    assert.notEqual(variablesDigest({ image, g: { maxNewTokens: 6, numBeams: 1 } }), digest);
  });

  test('no variables digest as empty ones; variables without a canonical form have no digest', () => {
    assert.equal(variablesDigest(undefined), variablesDigest({}));
    assert.equal(variablesDigest({ n: Number.NaN }), undefined);
  });

  test('a variables object is digested once: later calls answer from memory', () => {
    const variables: Record<string, unknown> = { text: 'first' };
    const digest = variablesDigest(variables);
    variables['text'] = 'changed after the first call';
    assert.equal(variablesDigest(variables), digest, "remembered for the object (Apollo does not mutate a request's variables)");
  });
});
