/**
 * Outputs depend on the image and the prompt, generation is deterministic per seed, and --bias
 * steers greedy decoding into the promised structure with a bounded, input-dependent length.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { contentClassAt, cutsUpTo } from '../../src/synth/bias.js';
import type { BiasClass } from '../../src/synth/bias.js';
import { synthesizeModel } from '../../src/synth/synthesize.js';
import { tinyModelDir } from '../helpers/models.js';
import { patternImage, solidImage } from './support/images.js';
import { Runner } from './support/runner.js';

const PROMPTS = [
  [0, 2264, 473, 5, 2274, 6190, 116, 2],
  [0, 574, 22486, 5, 8720, 19, 4120, 766, 11, 5, 2274, 4, 2],
];
const OTHER_PROMPT = [0, 2264, 16, 5, 2788, 11, 5, 2274, 6, 19, 3806, 116, 2];
const IMAGES = [patternImage(0), patternImage(1), solidImage(0.7)];
const MAX_NEW = 80;

function classOf(id: number, words: ReadonlySet<number>): BiasClass | 'other' {
  if (id === 0) return 'bos';
  if (id === 2) return 'eos';
  if (id >= 50269 && id <= 51268) return 'loc';
  if (id === 51279) return 'sep';
  if (id === 51286) return 'poly';
  if (id === 51287) return 'polyEnd';
  return words.has(id) ? 'word' : 'other';
}

function wordIds(dir: string): Set<number> {
  const vocab = (JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')) as { model: { vocab: Record<string, number> } }).model.vocab;
  return new Set(
    Object.entries(vocab)
      .filter(([t, id]) => id >= 4 && id <= 50263 && /^Ġ?[A-Za-z]{2,}$/.test(t))
      .map(([, id]) => id),
  );
}

describe('inputs matter (tiny, plain)', () => {
  let runner: Runner;
  before(async () => {
    runner = await Runner.load(await tinyModelDir({ bias: undefined }));
  });
  after(async () => runner.release());

  it('different images or prompts give different greedy tokens; the same inputs the same tokens', async () => {
    const base = await runner.generate(IMAGES[0]!, PROMPTS[0]!, 20);
    assert.deepEqual(await runner.generate(IMAGES[0]!, PROMPTS[0]!, 20), base);
    assert.notDeepEqual(await runner.generate(IMAGES[1]!, PROMPTS[0]!, 20), base, 'image changes the output');
    assert.notDeepEqual(await runner.generate(IMAGES[2]!, PROMPTS[0]!, 20), base, 'a flat image changes the output');
    assert.notDeepEqual(await runner.generate(IMAGES[0]!, PROMPTS[1]!, 20), base, 'prompt changes the output');
    assert.notDeepEqual(await runner.generate(IMAGES[0]!, OTHER_PROMPT, 20), base, 'prompt changes the output');
  });
});

describe('--bias structured (tiny, the shared default model)', () => {
  let runner: Runner;
  let dir = '';
  before(async () => {
    dir = await tinyModelDir();
    runner = await Runner.load(dir);
  });
  after(async () => runner.release());

  it('follows the unit cycle, stops with </s> at a cut, within the hard bound, at input-dependent lengths', async () => {
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as {
      synthetic: { bias: { hard_stop_content_tokens: number; eos_cuts: number[]; min_length: number } };
    };
    const { hard_stop_content_tokens: hardStop, eos_cuts: cuts, min_length: minLength } = config.synthetic.bias;
    assert.deepEqual(
      cuts,
      cutsUpTo('structured', hardStop).filter((c) => c >= minLength),
    );
    const words = wordIds(dir);
    const lengths = new Set<number>();
    const outputs = new Set<string>();
    for (const image of IMAGES) {
      for (const prompt of PROMPTS) {
        const seq = await runner.generate(image, prompt, MAX_NEW);
        outputs.add(seq.join(','));
        assert.equal(seq[0], 2);
        assert.equal(seq[1], 0);
        assert.equal(seq.at(-1), 2, 'ends with </s>');
        const content = seq.slice(2, -1);
        assert.ok(content.length <= hardStop, `length ${content.length} beyond the hard stop ${hardStop}`);
        assert.ok(cuts.includes(content.length), `stopped at ${content.length}, not at a cut`);
        content.forEach((id, k) => assert.equal(classOf(id, words), contentClassAt('structured', k), `token ${k} (${id})`));
        lengths.add(content.length);
      }
    }
    assert.ok(lengths.size >= 2, `lengths vary with the inputs: ${[...lengths].join(', ')}`);
    assert.equal(outputs.size, IMAGES.length * PROMPTS.length, 'every input pair gives its own output');
  });
});

describe('--bias text', () => {
  it('emits only ordinary words, then </s>', async () => {
    const dir = await tinyModelDir({ bias: 'text' });
    const runner = await Runner.load(dir);
    try {
      const words = wordIds(dir);
      const lengths = new Set<number>();
      for (const image of IMAGES.slice(0, 2)) {
        for (const prompt of PROMPTS) {
          const seq = await runner.generate(image, prompt, MAX_NEW);
          assert.equal(seq.at(-1), 2);
          const content = seq.slice(2, -1);
          assert.ok(
            content.every((id) => words.has(id)),
            `only words: ${content.join(' ')}`,
          );
          lengths.add(content.length);
        }
      }
      assert.ok(lengths.size >= 2, `lengths vary: ${[...lengths].join(', ')}`);
    } finally {
      await runner.release();
    }
  });
});

describe('determinism', () => {
  const made: string[] = [];
  after(async () => {
    for (const d of made) await rm(d, { recursive: true, force: true });
  });

  it('the same seed writes byte-identical files; another seed changes the weights', async () => {
    const run = async (seed: number): Promise<string> => {
      const out = await mkdtemp(join(tmpdir(), 'synth-determinism-'));
      made.push(out);
      await synthesizeModel({ size: 'tiny', outDir: out, seed, bias: 'structured' });
      return out;
    };
    const [a, b, c] = [await run(7), await run(7), await run(8)];
    const files = (d: string): string[] =>
      [...readdirSync(d).filter((f) => f.endsWith('.json')), ...readdirSync(join(d, 'onnx')).map((f) => join('onnx', f))].sort();
    assert.deepEqual(files(a), files(b));
    for (const f of files(a)) assert.ok(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), `${f} identical`);
    assert.ok(
      !readFileSync(join(a, 'onnx', 'decoder_model_merged.onnx')).equals(readFileSync(join(c, 'onnx', 'decoder_model_merged.onnx'))),
      'seed 8 differs',
    );
  });
});
