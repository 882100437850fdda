/**
 * Every case of `../shared/vectors/cases.json` as its own test, named by id, under the README's
 * gateway semantics. Skipped with a message when `../shared` is absent.
 */
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { hasShared, realTokenizerPath } from '../helpers/paths.js';
import {
  assertMatchesExpected,
  hasVectors,
  loadCases,
  withoutPadding,
  type ConstructPromptCase,
  type PostProcessCase,
} from '../helpers/vectors.js';
import { TaskInputError } from '../../src/vision/errors.js';
import { isParserType, parseByType, parseGeneration } from '../../src/vision/postprocess/index.js';
import { promptFromText } from '../../src/vision/prompt.js';
import { Florence2Tokenizer } from '../../src/vision/tokenizer.js';

const NO_SHARED = 'needs ../shared/vectors beside the checkout (not committed here)';
const NO_TOKENIZER = 'needs the real tokenizer in ../shared/florence2/model-config';

const tokenizer = hasShared ? await Florence2Tokenizer.fromFile(realTokenizerPath) : undefined;

if (!hasVectors) {
  test('conformance vectors', { skip: NO_SHARED }, () => {});
} else {
  for (const vector of loadCases()) {
    if (vector.kind === 'construct_prompt') {
      test(vector.id, (context) => runConstructPrompt(vector, context));
    } else if (vector.text === null) {
      const reason =
        vector.expectedContains !== null
          ? `real-model case: the caption must contain ${JSON.stringify(vector.expectedContains)}; no raw generation to post-process ` +
            `offline`
          : 'no raw_text or reconstructed_raw_text: checkable only with the real model';
      test(vector.id, { skip: reason }, () => {});
    } else {
      test(vector.id, () => runPostProcess(vector));
    }
  }
}

function runConstructPrompt(vector: ConstructPromptCase, context: TestContext): void {
  if (typeof vector.expected !== 'string') {
    assert.throws(() => promptFromText(vector.input), TaskInputError);
    return;
  }
  assert.equal(promptFromText(vector.input), vector.expected);
  if (vector.expectedInputIds === null) return;
  if (tokenizer === undefined) {
    context.skip(`prompt checked; its ids ${NO_TOKENIZER}`);
    return;
  }
  assert.deepEqual(tokenizer.encodePrompt(vector.expected), vector.expectedInputIds);
}

function runPostProcess(vector: PostProcessCase): void {
  assert.ok(vector.text !== null && vector.imageSize !== null, `${vector.id}: needs text and image_size`);
  const actual =
    vector.task !== null
      ? parseGeneration(vector.task, vector.text, vector.imageSize)
      : parseByType(parserTypeOf(vector), vector.text, vector.imageSize);
  assertMatchesExpected(actual, vector.expected);
  if (tokenizer !== undefined) assertIntegrationFacts(vector, tokenizer);
}

/** The real-model facts an integration case carries: its prompt's ids and its generation's decode. */
function assertIntegrationFacts(vector: PostProcessCase, real: Florence2Tokenizer): void {
  if (vector.prompt !== null && vector.derivedPrompt !== null) {
    assert.equal(promptFromText(vector.prompt), vector.derivedPrompt);
    if (vector.expectedPromptInputIds !== null) {
      assert.deepEqual(real.encodePrompt(vector.derivedPrompt), withoutPadding(vector.expectedPromptInputIds));
    }
  }
  if (vector.generatedIds !== null) {
    assert.equal(real.decode(vector.generatedIds, { skipSpecialTokens: vector.decodedWithSkipSpecialTokens }), vector.text);
  }
}

function parserTypeOf(vector: PostProcessCase) {
  const type = vector.parseType;
  assert.ok(isParserType(type), `${vector.id}: parse_type ${JSON.stringify(type)} is not a parser type`);
  return type;
}

describe('the comparison rules themselves', () => {
  const expected = { bboxes: [[34.24, 160.08]], labels: ['car'] };

  test('accept numbers within 1e-3 and any key order', () => {
    assertMatchesExpected({ labels: ['car'], bboxes: [[34.2409, 160.0791]] }, expected);
  });

  test('reject a number off by more than 1e-3, a trimmed string, an extra key, a missing element', () => {
    assert.throws(() => assertMatchesExpected({ bboxes: [[34.2415, 160.08]], labels: ['car'] }, expected), /\$\.bboxes\[0\]\[0\]/);
    assert.throws(() => assertMatchesExpected({ bboxes: [[34.24, 160.08]], labels: ['car '] }, expected), /\$\.labels\[0\]/);
    assert.throws(() => assertMatchesExpected({ ...expected, scores: [1] }, expected), /key sets differ/);
    assert.throws(() => assertMatchesExpected({ bboxes: [], labels: ['car'] }, expected), /expected 1 elements, got 0/);
    assert.throws(() => assertMatchesExpected('34', 34), /expected a number/);
  });
});
