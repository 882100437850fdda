/**
 * The Florence-2 tokenizer against the real tokenizer.json: every fact of tokens.json, the prompt-id
 * table of INTERFACE.md §7.3, the added-token ids of §7.2, the decode rules of §7.5, batching, and
 * the refusal of files that are not Florence-2 tokenizers. Skipped when `../shared` is absent.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { hasShared, realTokenizerPath, sharedDir } from '../helpers/paths.js';
import { hasVectors, loadTokenFacts, withoutPadding } from '../helpers/vectors.js';
import { ModelFilesError } from '../../src/vision/errors.js';
import { constructPrompt, promptFromText } from '../../src/vision/prompt.js';
import { Florence2Tokenizer } from '../../src/vision/tokenizer.js';

const SKIP = hasShared ? false : 'needs the real tokenizer in ../shared/florence2/model-config (not committed here)';
const microsoftTokenizerPath = join(sharedDir, 'florence2', 'model-config', 'microsoft-original', 'tokenizer.json');
const REGION = '<loc_52><loc_332><loc_932><loc_774>';

/** INTERFACE.md §7.3: task, input, prompt string, ids of `<s>` + prompt + `</s>`. */
const PROMPT_ID_TABLE: readonly (readonly [string, string | undefined, string, string])[] = [
  ['<CAPTION>', undefined, 'What does the image describe?', '0 2264 473 5 2274 6190 116 2'],
  ['<DETAILED_CAPTION>', undefined, 'Describe in detail what is shown in the image.', '0 47066 21700 11 4617 99 16 2343 11 5 2274 4 2'],
  [
    '<MORE_DETAILED_CAPTION>',
    undefined,
    'Describe with a paragraph what is shown in the image.',
    '0 47066 21700 19 10 17818 99 16 2343 11 5 2274 4 2',
  ],
  ['<OD>', undefined, 'Locate the objects with category name in the image.', '0 574 22486 5 8720 19 4120 766 11 5 2274 4 2'],
  [
    '<DENSE_REGION_CAPTION>',
    undefined,
    'Locate the objects in the image, with their descriptions.',
    '0 574 22486 5 8720 11 5 2274 6 19 49 24173 4 2',
  ],
  ['<REGION_PROPOSAL>', undefined, 'Locate the region proposals in the image.', '0 574 22486 5 976 5327 11 5 2274 4 2'],
  ['<OCR>', undefined, 'What is the text in the image?', '0 2264 16 5 2788 11 5 2274 116 2'],
  ['<OCR_WITH_REGION>', undefined, 'What is the text in the image, with regions?', '0 2264 16 5 2788 11 5 2274 6 19 3806 116 2'],
  [
    '<CAPTION_TO_PHRASE_GROUNDING>',
    'A green car parked in front of a yellow building.',
    'Locate the phrases in the caption: A green car parked in front of a yellow building.',
    '0 574 22486 5 22810 11 5 3747 35 83 2272 512 9181 11 760 9 10 5718 745 4 2',
  ],
  [
    '<REFERRING_EXPRESSION_SEGMENTATION>',
    'a green car',
    'Locate a green car in the image with mask',
    '0 574 22486 10 2272 512 11 5 2274 19 11445 2',
  ],
  ['<REFERRING_EXPRESSION_SEGMENTATION>', 'a car', 'Locate a car in the image with mask', '0 574 22486 10 512 11 5 2274 19 11445 2'],
  ['<OPEN_VOCABULARY_DETECTION>', 'a green car', 'Locate a green car in the image.', '0 574 22486 10 2272 512 11 5 2274 4 2'],
  ['<OPEN_VOCABULARY_DETECTION>', 'wheels', 'Locate wheels in the image.', '0 574 22486 10562 11 5 2274 4 2'],
  [
    '<REGION_TO_SEGMENTATION>',
    REGION,
    `What is the polygon mask of region ${REGION}`,
    '0 2264 16 5 11424 14601 11445 9 976 1437 50321 50601 51201 51043 2',
  ],
  ['<REGION_TO_CATEGORY>', REGION, `What is the region ${REGION}?`, '0 2264 16 5 976 1437 50321 50601 51201 51043 116 2'],
  [
    '<REGION_TO_DESCRIPTION>',
    REGION,
    `What does the region ${REGION} describe?`,
    '0 2264 473 5 976 1437 50321 50601 51201 51043 6190 116 2',
  ],
  ['<REGION_TO_OCR>', REGION, `What text is in the region ${REGION}?`, '0 2264 2788 16 11 5 976 1437 50321 50601 51201 51043 116 2'],
  ['What is this?', undefined, 'What is this?', '0 2264 16 42 116 2'],
];

/** INTERFACE.md §7.2 and §7.3 ("Other ids"). */
const TOKEN_IDS: readonly (readonly [string, number])[] = [
  ['<s>', 0],
  ['<pad>', 1],
  ['</s>', 2],
  ['<unk>', 3],
  ['<mask>', 50264],
  ['<od>', 50265],
  ['</od>', 50266],
  ['<ocr>', 50267],
  ['</ocr>', 50268],
  ['<cap>', 51269],
  ['</cap>', 51270],
  ['<ncap>', 51271],
  ['</ncap>', 51272],
  ['<dcap>', 51273],
  ['</dcap>', 51274],
  ['<grounding>', 51275],
  ['</grounding>', 51276],
  ['<seg>', 51277],
  ['</seg>', 51278],
  ['<sep>', 51279],
  ['<region_cap>', 51280],
  ['</region_cap>', 51281],
  ['<region_to_desciption>', 51282],
  ['</region_to_desciption>', 51283],
  ['<proposal>', 51284],
  ['</proposal>', 51285],
  ['<poly>', 51286],
  ['</poly>', 51287],
  ['<and>', 51288],
  ['car', 5901],
  ['Ġcar', 512],
  ['.', 4],
  ['ĠWhat', 653],
  ['What', 2264],
  ['Ġ', 1437],
];
const FIRST_LOCATION_ID = 50269;
const LOCATION_TOKENS = 1000;

const ids = (spaced: string): number[] => spaced.split(' ').map(Number);
const tokenizer = hasShared ? await Florence2Tokenizer.fromFile(realTokenizerPath) : undefined;

/** The tokenizer, which exists whenever the test is not skipped. */
function real(): Florence2Tokenizer {
  assert.ok(tokenizer, 'the real tokenizer is loaded');
  return tokenizer;
}

describe('tokens.json facts', { skip: hasVectors ? SKIP : 'needs ../shared/vectors' }, () => {
  const facts = hasVectors ? loadTokenFacts() : [];
  facts.forEach((fact, index) => {
    test(`${index + 1}: ${fact.prompt} (${fact.source.split('@')[0]})`, () => {
      assert.equal(promptFromText(fact.prompt), fact.promptText);
      assert.deepEqual(real().encodePrompt(fact.promptText), withoutPadding(fact.promptInputIds));
      if (fact.generatedIds !== null && fact.decoded !== null) assert.equal(real().decode(fact.generatedIds), fact.decoded);
      if (fact.generatedIds !== null && fact.decodedSkipSpecialTokens !== null) {
        assert.equal(real().decode(fact.generatedIds, { skipSpecialTokens: true }), fact.decodedSkipSpecialTokens);
      }
    });
  });
});

describe('INTERFACE.md §7.3 prompt ids', { skip: SKIP }, () => {
  for (const [task, input, prompt, expectedIds] of PROMPT_ID_TABLE) {
    test(`${task}${input === undefined ? '' : ` + ${input}`}`, () => {
      assert.equal(constructPrompt(task, input), prompt);
      assert.deepEqual(real().encodePrompt(prompt), ids(expectedIds));
    });
  }
});

describe('vocabulary (INTERFACE.md §7.2)', { skip: SKIP }, () => {
  test('named tokens have their ids, both ways', () => {
    for (const [token, id] of TOKEN_IDS) {
      assert.equal(real().tokenToId(token), id, token);
      assert.equal(real().idToToken(id), token, String(id));
    }
  });

  test('<loc_k> is 50269 + k for k = 0 … 999', () => {
    for (let bin = 0; bin < LOCATION_TOKENS; bin++) assert.equal(real().tokenToId(`<loc_${bin}>`), FIRST_LOCATION_ID + bin);
  });

  test('unknown tokens and ids give undefined', () => {
    assert.equal(real().tokenToId('<loc_1000>'), undefined);
    assert.equal(real().tokenToId('<OD>'), undefined);
    assert.equal(real().idToToken(51289), undefined);
    assert.equal(real().idToToken(-1), undefined);
    assert.equal(real().idToToken(1.5), undefined);
  });

  test('a space before an added token is its own token Ġ', () => {
    assert.deepEqual(real().encodePrompt('What is the region <loc_52>'), [0, 2264, 16, 5, 976, 1437, 50321, 2]);
  });
});

describe('decode (INTERFACE.md §7.5)', { skip: SKIP }, () => {
  test('special tokens are kept verbatim, with no spaces around them', () => {
    assert.equal(
      real().decode([2, 0, 50265, 2335, 50321, 50601, 51201, 51043, 2]),
      '</s><s><od> dog<loc_52><loc_332><loc_932><loc_774></s>',
    );
    assert.equal(real().decode([2, 0, 5, 2, 1, 1]), '</s><s> the</s><pad><pad>');
  });

  test('the HF OD generation decodes to its text', () => {
    const decoded = real().decode([2, 0, 5901, 50322, 50602, 51202, 51043, 11219, 3679]);
    assert.equal(decoded, '</s><s>car<loc_53><loc_333><loc_933><loc_774>door handle');
  });

  test('clean_up_tokenization_spaces applies the ten replacements of §7.5', () => {
    const text = "a , b . c ? d ! e ' f n't g 'm h 's i 've j 're k";
    const encoded = real().encodePrompt(text).slice(1, -1);
    assert.equal(real().decode(encoded), "a, b. c? d! e'fn't g'm h's i've j're k");
  });

  test('clean-up also joins a space token and a full stop after special tokens', () => {
    assert.equal(real().decode([2, 0, 1437, 4, 2]), '</s><s>.</s>');
  });

  test('invalid UTF-8 becomes U+FFFD', () => {
    const [firstByteToken] = real().encodePrompt('龘').slice(1, -1);
    assert.ok(firstByteToken !== undefined);
    assert.equal(real().decode([firstByteToken]), '\uFFFD');
    assert.equal(real().decode(real().encodePrompt('龘').slice(1, -1)), '龘');
  });

  test('skipSpecialTokens drops <loc_N> too', () => {
    assert.equal(real().decode([2, 0, 5901, 50321, 50603, 51201, 51043, 2], { skipSpecialTokens: true }), 'car');
  });

  test('an empty id list decodes to an empty string', () => {
    assert.equal(real().decode([]), '');
  });

  test('ids outside the vocabulary are refused, naming the file', () => {
    for (const bad of [51289, -1, 1.5, Number.NaN, 2 ** 60]) {
      assert.throws(() => real().decode([0, bad]), {
        name: 'ModelFilesError',
        message: `token id ${String(bad)} is not in the vocabulary of ${realTokenizerPath}`,
      });
    }
  });
});

describe('encodeBatch', { skip: SKIP }, () => {
  const ocrIds = ids('0 2264 16 5 2788 11 5 2274 116 2');
  const odIds = ids('0 574 22486 5 8720 19 4120 766 11 5 2274 4 2');

  test('rows are right-padded with <pad> (1) to the longest, as in the HF batched test', () => {
    const batch = real().encodeBatch(['What is the text in the image?', 'Locate the objects with category name in the image.']);
    assert.deepEqual(batch.inputIds, [[...ocrIds, 1, 1, 1], odIds]);
    assert.deepEqual(batch.attentionMask, [[...ocrIds.map(() => 1), 0, 0, 0], odIds.map(() => 1)]);
  });

  test('a batch of one is unpadded; an empty batch is empty', () => {
    assert.deepEqual(real().encodeBatch(['What is the text in the image?']), { inputIds: [ocrIds], attentionMask: [ocrIds.map(() => 1)] });
    assert.deepEqual(real().encodeBatch([]), { inputIds: [], attentionMask: [] });
  });
});

describe('refusing files that are not Florence-2 tokenizers', { skip: SKIP }, () => {
  test("Microsoft's original tokenizer.json lacks the 1024 added tokens", async () => {
    await assert.rejects(Florence2Tokenizer.fromFile(microsoftTokenizerPath), {
      name: 'ModelFilesError',
      message:
        `${microsoftTokenizerPath} lacks the 1024 Florence-2 added tokens (<od> … <loc_0> … <loc_999> … <and>, ids 50265–51288): ` +
        "<loc_999> is not in its vocabulary. Microsoft's original tokenizer.json is completed by its Python processor at run time; " +
        "use a converted one (e.g. onnx-community's).",
    });
  });

  test('renumbered tokens are refused with the expected and actual id', async () => {
    const json: unknown = JSON.parse(await readFile(realTokenizerPath, 'utf8'));
    const swapped = structuredClone(json) as { added_tokens: { content: string; id: number }[] };
    const sep = swapped.added_tokens.find((token) => token.content === '<sep>');
    const and = swapped.added_tokens.find((token) => token.content === '<and>');
    assert.ok(sep && and);
    [sep.id, and.id] = [and.id, sep.id];
    assert.throws(() => Florence2Tokenizer.fromJSON(swapped, 'swapped/tokenizer.json'), {
      name: 'ModelFilesError',
      message: 'swapped/tokenizer.json is not a Florence-2 tokenizer: expected <sep> to have id 51279; got 51288',
    });
  });

  test('a missing file, invalid JSON and a JSON that is no tokenizer name the file', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'florence-tokenizer-'));
    try {
      const missing = join(folder, 'missing.json');
      await assert.rejects(Florence2Tokenizer.fromFile(missing), (error: unknown) => {
        assert.ok(error instanceof ModelFilesError);
        assert.match(error.message, new RegExp(`^cannot read the tokenizer file ${escape(missing)}: ENOENT`));
        return true;
      });
      const broken = join(folder, 'broken.json');
      await writeFile(broken, '{"model": ');
      await assert.rejects(Florence2Tokenizer.fromFile(broken), (error: unknown) => {
        assert.ok(error instanceof ModelFilesError);
        assert.match(error.message, new RegExp(`^the tokenizer file ${escape(broken)} is not valid JSON: `));
        return true;
      });
    } finally {
      await rm(folder, { recursive: true });
    }
    assert.throws(() => Florence2Tokenizer.fromJSON({ vocab: {} }, 'config.json'), {
      name: 'ModelFilesError',
      message: 'config.json is not a tokenizer.json: expected an object with "model" and "added_tokens"; got an object with keys vocab',
    });
    assert.throws(() => Florence2Tokenizer.fromJSON([1, 2]), {
      name: 'ModelFilesError',
      message: 'tokenizer.json is not a tokenizer.json: expected an object with "model" and "added_tokens"; got an array',
    });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
