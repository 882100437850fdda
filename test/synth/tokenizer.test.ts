/**
 * The synthetic tokenizer has the real structure and special/added token ids, loads in
 * @huggingface/tokenizers and transformers.js, and round-trips text.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Tokenizer } from '@huggingface/tokenizers';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { tokenizerConfigJson } from '../../src/synth/configs.js';
import { synthesizeTokenizer } from '../../src/synth/tokenizer.js';
import type { TokenizerJson } from '../../src/synth/tokenizer.js';
import { TASKS } from '../../src/vision/tasks.js';
import { hasShared, realTokenizerPath } from '../helpers/paths.js';

const SAMPLES = [
  'What is the polygon mask of region <loc_52><loc_332><loc_932><loc_774>',
  'A green car parked in front of a yellow building.',
  "Don't panic: naïve café, 12.5 km — 東京 😀\ttabs  and  spaces",
];

describe('synthetic tokenizer.json', () => {
  let json: TokenizerJson;
  let tokenizer: Tokenizer;
  let dir = '';

  before(async () => {
    json = synthesizeTokenizer();
    tokenizer = new Tokenizer(json, tokenizerConfigJson());
    dir = await mkdtemp(join(tmpdir(), 'synth-tokenizer-'));
    await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(json));
    await writeFile(join(dir, 'tokenizer_config.json'), JSON.stringify(tokenizerConfigJson()));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('has the real structure: byte-level BPE with 50265 entries and the 1029 added tokens', () => {
    assert.equal(json.model.type, 'BPE');
    assert.equal(Object.keys(json.model.vocab).length, 50265);
    assert.equal(new Set(Object.values(json.model.vocab)).size, 50265);
    assert.equal(Math.max(...Object.values(json.model.vocab)), 50264);
    assert.equal(json.model.merges.length, 50265 - 5 - 256);
    assert.deepEqual(json.pre_tokenizer, { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true });
    assert.equal(json.post_processor.type, 'RobertaProcessing');
    assert.equal(json.decoder.type, 'ByteLevel');
    const added = new Map(json.added_tokens.map((t) => [t.id, t]));
    assert.equal(added.size, 1029);
    assert.equal(added.get(0)?.content, '<s>');
    assert.equal(added.get(1)?.content, '<pad>');
    assert.equal(added.get(2)?.content, '</s>');
    assert.equal(added.get(3)?.content, '<unk>');
    assert.equal(added.get(50264)?.content, '<mask>');
    assert.equal(added.get(50265)?.content, '<od>');
    assert.equal(added.get(50269)?.content, '<loc_0>');
    assert.equal(added.get(51268)?.content, '<loc_999>');
    assert.equal(added.get(51279)?.content, '<sep>');
    assert.equal(added.get(51286)?.content, '<poly>');
    assert.equal(added.get(51287)?.content, '</poly>');
    assert.equal(added.get(51288)?.content, '<and>');
    for (let id = 50265; id <= 51288; id++) assert.equal(added.get(id)?.normalized, false);
    // Every merge joins two known pieces into a known piece.
    for (const merge of json.model.merges.slice(0, 3000)) {
      const [a, b] = merge.split(' ') as [string, string];
      assert.ok(a in json.model.vocab && b in json.model.vocab && a + b in json.model.vocab, merge);
    }
  });

  it('matches the real added tokens and config ids when ../shared is present', { skip: !hasShared }, () => {
    const real = JSON.parse(readFileSync(realTokenizerPath, 'utf8')) as TokenizerJson;
    assert.deepEqual(json.added_tokens, real.added_tokens);
    assert.deepEqual(json.post_processor, real.post_processor);
    assert.deepEqual(json.decoder, real.decoder);
    assert.deepEqual({ ...json.model, vocab: null, merges: null }, { ...real.model, vocab: null, merges: null });
    const realConfig = JSON.parse(readFileSync(join(dirname(realTokenizerPath), 'tokenizer_config.json'), 'utf8')) as unknown;
    assert.deepEqual(tokenizerConfigJson(), realConfig);
  });

  it('encodes every task prompt as <s> … </s> and round-trips text', () => {
    for (const task of TASKS) {
      const prompt = task.prompt.replace('{input}', 'a green car');
      const { ids } = tokenizer.encode(prompt);
      assert.equal(ids[0], 0);
      assert.equal(ids.at(-1), 2);
      assert.ok(
        ids.slice(1, -1).every((id: number) => id >= 4 && id <= 50263),
        prompt,
      );
      assert.equal(tokenizer.decode(ids, { skip_special_tokens: true }), prompt);
    }
    for (const text of SAMPLES)
      assert.equal(tokenizer.decode(tokenizer.encode(text, { add_special_tokens: false }).ids, { skip_special_tokens: false }), text);
    const region = tokenizer.encode('region <loc_52><loc_332>', { add_special_tokens: false }).ids;
    assert.deepEqual(region.slice(-3), [36, 50321, 50601], 'a space before an added token is its own Ġ piece');
  });

  it('decodes location and structure tokens verbatim', () => {
    const text = tokenizer.decode([2, 0, 50265, 50321, 50601, 51201, 51043, 51286, 50269, 51279, 51268, 51287, 2], {
      skip_special_tokens: false,
    });
    assert.equal(text, '</s><s><od><loc_52><loc_332><loc_932><loc_774><poly><loc_0><sep><loc_999></poly></s>');
  });

  it('loads in transformers.js (AutoTokenizer, local files only)', async () => {
    env.allowRemoteModels = false;
    env.localModelPath = `${dirname(dir)}/`;
    const auto = await AutoTokenizer.from_pretrained(basename(dir), { local_files_only: true });
    const ids = auto.encode('What does the image describe?');
    assert.deepEqual(ids, tokenizer.encode('What does the image describe?').ids);
    assert.equal(auto.decode([2, 0, 50321, 2], { skip_special_tokens: false }), '</s><s><loc_52></s>');
  });
});
