/** Misuse of prompt construction: exact error classes and messages, odd inputs, and speed on adversarial text. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TaskInputError, UnknownTaskError } from '../../src/vision/errors.js';
import { constructPrompt, promptFromText } from '../../src/vision/prompt.js';
import { TASKS } from '../../src/vision/tasks.js';

const VALID_TOKENS =
  '<OCR>, <OCR_WITH_REGION>, <CAPTION>, <DETAILED_CAPTION>, <MORE_DETAILED_CAPTION>, <OD>, <DENSE_REGION_CAPTION>, ' +
  '<REGION_PROPOSAL>, <CAPTION_TO_PHRASE_GROUNDING>, <REFERRING_EXPRESSION_SEGMENTATION>, <REGION_TO_SEGMENTATION>, ' +
  '<OPEN_VOCABULARY_DETECTION>, <REGION_TO_CATEGORY>, <REGION_TO_DESCRIPTION>, <REGION_TO_OCR>';
const REGION_INPUT = 'a region input (`<loc_x1><loc_y1><loc_x2><loc_y2>`, see regionToLocTokens)';
const ADVERSARIAL_CHARS = 100_000;
/** Generous for CI machines; the work is linear and takes about a millisecond. */
const MAX_MILLISECONDS = 1000;

describe('constructPrompt: unknown tasks', () => {
  for (const task of ['<FOO>', '<od>', '< OD >', ' <CAPTIONS> ']) {
    test(`${JSON.stringify(task)} is an UnknownTaskError listing the valid tokens`, () => {
      assert.throws(() => constructPrompt(task), {
        name: 'UnknownTaskError',
        code: 'UNKNOWN_TASK',
        message: `unknown task ${JSON.stringify(task)}: expected one of ${VALID_TOKENS}, or free text`,
      });
      assert.throws(() => constructPrompt(task, 'a car'), UnknownTaskError);
    });
  }
});

describe('constructPrompt: input rules', () => {
  test('input given to a task that takes none', () => {
    assert.throws(() => constructPrompt('<OD>', 'cars'), {
      name: 'TaskInputError',
      code: 'BAD_INPUT',
      message: 'task <OD> takes no input; got "cars"',
    });
    assert.throws(() => constructPrompt('<CAPTION>', ' '), { message: 'task <CAPTION> takes no input; got " "' });
  });

  test('an empty string counts as no input for a task that takes none', () => {
    assert.equal(constructPrompt('<OD>', ''), 'Locate the objects with category name in the image.');
  });

  test('missing input', () => {
    assert.throws(() => constructPrompt('<CAPTION_TO_PHRASE_GROUNDING>'), {
      name: 'TaskInputError',
      message: 'task <CAPTION_TO_PHRASE_GROUNDING> needs a text input; got no input',
    });
    assert.throws(() => constructPrompt('<REGION_TO_CATEGORY>'), {
      message: `task <REGION_TO_CATEGORY> needs ${REGION_INPUT}; got no input`,
    });
  });

  test('blank input (Python whitespace, including U+0085 and U+001C)', () => {
    assert.throws(() => constructPrompt('<OPEN_VOCABULARY_DETECTION>', ' \t\n\u0085\u001c'), {
      name: 'TaskInputError',
      message: 'task <OPEN_VOCABULARY_DETECTION> needs a text input; got " \\t\\n\u0085\\u001c"',
    });
  });

  test('an input holding a task token', () => {
    assert.throws(() => constructPrompt('<CAPTION_TO_PHRASE_GROUNDING>', 'a car <OD>'), {
      name: 'TaskInputError',
      message: 'the input of <CAPTION_TO_PHRASE_GROUNDING> must not contain a task token; got "a car <OD>", which contains <OD>',
    });
  });

  test('input given with free text', () => {
    assert.throws(() => constructPrompt('What is this?', 'a car'), {
      name: 'TaskInputError',
      message: 'input is only taken by a task token; got task "What is this?", which is free text, with input "a car"',
    });
  });

  test('blank free text', () => {
    assert.throws(() => constructPrompt('  '), {
      name: 'TaskInputError',
      message: 'expected a task token (<OCR>, …) or a non-blank free-text prompt; got "  "',
    });
  });

  test('free text goes through promptFromText, combined forms included', () => {
    assert.equal(constructPrompt('What is this?'), 'What is this?');
    assert.equal(constructPrompt('<CAPTION_TO_PHRASE_GROUNDING> a red car'), 'Locate the phrases in the caption: a red car');
    assert.throws(() => constructPrompt('<OCR> extra text'), TaskInputError);
  });

  test('non-strings are refused (JavaScript callers)', () => {
    const call = constructPrompt as (task: unknown, input?: unknown) => string;
    assert.throws(() => call(42), { name: 'TaskInputError', message: 'task must be a string; got number' });
    assert.throws(() => call('<OD>', null), { name: 'TaskInputError', message: 'input must be a string or omitted; got null' });
    assert.throws(() => (promptFromText as (text: unknown) => string)(undefined), {
      name: 'TaskInputError',
      message: 'prompt text must be a string; got undefined',
    });
  });

  test('every task agrees with promptFromText(task + input)', () => {
    for (const task of TASKS) {
      if (task.input === 'none') {
        assert.equal(constructPrompt(task.token), promptFromText(task.token));
      } else {
        for (const input of ['a car', '  a car  ', '<loc_1><loc_2><loc_3><loc_4>', '$& $1 $$']) {
          assert.equal(constructPrompt(task.token, input), promptFromText(task.token + input), `${task.token} ${input}`);
        }
      }
    }
  });
});

describe('promptFromText', () => {
  test('extra text after a no-input task is an error', () => {
    assert.throws(() => promptFromText('<OCR> extra text'), {
      name: 'TaskInputError',
      message: 'task <OCR> takes no input: expected exactly "<OCR>"; got "<OCR> extra text"',
    });
    assert.throws(() => promptFromText(' <OD>'), TaskInputError);
    assert.throws(() => promptFromText('<OD><OD>'), TaskInputError);
    assert.throws(() => promptFromText('Find <CAPTION_TO_PHRASE_GROUNDING> then <OD>'), { message: /^task <OD> takes no input/ });
  });

  test('an empty input for a task that needs one is an error', () => {
    assert.throws(() => promptFromText('<REFERRING_EXPRESSION_SEGMENTATION>   '), {
      name: 'TaskInputError',
      message: 'task <REFERRING_EXPRESSION_SEGMENTATION> needs a text input after the token; got "<REFERRING_EXPRESSION_SEGMENTATION>   "',
    });
    assert.throws(() => promptFromText('<REGION_TO_OCR><REGION_TO_OCR>'), TaskInputError);
  });

  test('every occurrence of the token is removed, then the input is trimmed like Python', () => {
    assert.equal(promptFromText('<OPEN_VOCABULARY_DETECTION>a<OPEN_VOCABULARY_DETECTION>b'), 'Locate ab in the image.');
    assert.equal(promptFromText('a car <OPEN_VOCABULARY_DETECTION>'), 'Locate a car in the image.');
    assert.equal(promptFromText('<OPEN_VOCABULARY_DETECTION>\u0085car\u001f'), 'Locate car in the image.');
    // U+FEFF is not whitespace to Python, so it stays (JavaScript's trim() would drop it).
    assert.equal(promptFromText('<OPEN_VOCABULARY_DETECTION>\ufeffcar'), 'Locate \ufeffcar in the image.');
  });

  test('the first input task in table order wins; later tokens stay in the input', () => {
    assert.equal(promptFromText('<REGION_TO_OCR><CAPTION_TO_PHRASE_GROUNDING>x'), 'Locate the phrases in the caption: <REGION_TO_OCR>x');
  });

  test('replacement patterns in the input are literal', () => {
    assert.equal(promptFromText("<OPEN_VOCABULARY_DETECTION>$& $1 $$ $' {input}"), "Locate $& $1 $$ $' {input} in the image.");
  });

  test('text with no task token is unchanged, unknown tokens included', () => {
    for (const text of ['', ' ', '<FOO>', '<od>', 'What is this?', '<OCR', 'OCR>']) assert.equal(promptFromText(text), text);
  });

  test('long text is echoed shortened in messages', () => {
    const long = `<OCR>${'x'.repeat(ADVERSARIAL_CHARS)}`;
    assert.throws(() => promptFromText(long), {
      message: `task <OCR> takes no input: expected exactly "<OCR>"; got ${JSON.stringify(long.slice(0, 80))}… (${long.length} characters)`,
    });
  });

  test(`${ADVERSARIAL_CHARS / 1000} kB adversarial texts take well under a second`, () => {
    const texts = [
      '<'.repeat(ADVERSARIAL_CHARS),
      '<OCR_WITH_REGION'.repeat(ADVERSARIAL_CHARS / 16),
      `<CAPTION_TO_PHRASE_GROUNDING>${' '.repeat(ADVERSARIAL_CHARS)}x${' '.repeat(ADVERSARIAL_CHARS)}`,
      '<REGION_TO_OCR>'.repeat(ADVERSARIAL_CHARS / 15) + 'x',
    ];
    for (const text of texts) {
      const started = performance.now();
      try {
        promptFromText(text);
      } catch (error) {
        assert.ok(error instanceof TaskInputError);
      }
      const elapsed = performance.now() - started;
      assert.ok(elapsed < MAX_MILLISECONDS, `${elapsed.toFixed(1)} ms for ${JSON.stringify(text.slice(0, 20))}…`);
    }
  });
});
