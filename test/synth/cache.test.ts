/** ensureSyntheticModel: generate once, reuse, and survive concurrent callers. */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cacheFolderName, ensureSyntheticModel, generatorCodeHash } from '../../src/synth/cache.js';

describe('synthetic model cache', () => {
  let root = '';
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'synth-cache-'));
  });
  after(async () => rm(root, { recursive: true, force: true }));

  it('concurrent callers get one complete folder and no leftovers; old generator folders are pruned', async () => {
    const staleGeneration = join(root, 'old-generator');
    mkdirSync(join(staleGeneration, 'tiny-s1-plain-0123'), { recursive: true });
    const hourAgo = new Date(Date.now() - 60 * 60 * 1000);
    utimesSync(staleGeneration, hourAgo, hourAgo);
    const options = { size: 'tiny', seed: 5, bias: 'text' } as const;
    const dirs = await Promise.all([
      ensureSyntheticModel(options, root),
      ensureSyntheticModel(options, root),
      ensureSyntheticModel(options, root),
    ]);
    assert.equal(new Set(dirs).size, 1);
    const dir = dirs[0] as string;
    assert.ok(existsSync(join(dir, 'onnx', 'decoder_model_merged.onnx')));
    assert.ok(existsSync(join(dir, 'config.json')));
    assert.equal(basename(dirname(dir)), (await generatorCodeHash()).slice(0, 12));
    assert.deepEqual(readdirSync(dirname(dir)), [await cacheFolderName(options)], 'temp folders were renamed or removed');
    assert.deepEqual(readdirSync(root), [basename(dirname(dir))], 'the idle folder of an older generator was pruned');

    const before = statSync(join(dir, 'config.json')).mtimeMs;
    assert.equal(await ensureSyntheticModel(options, root), dir);
    assert.equal(statSync(join(dir, 'config.json')).mtimeMs, before, 'a cached folder is not regenerated');
  });

  it('names folders by size, seed, bias and a hash of the options', async () => {
    const a = await cacheFolderName({ size: 'tiny', seed: 1, bias: 'structured' });
    assert.match(a, /^tiny-s1-structured-[0-9a-f]{16}$/);
    assert.notEqual(a, await cacheFolderName({ size: 'tiny', seed: 1, bias: 'structured', q8: true }));
    assert.notEqual(a, await cacheFolderName({ size: 'tiny', seed: 1, bias: { pattern: 'structured', centre: 12 } }));
    assert.match(await cacheFolderName({ size: 'tiny', seed: 2 }), /^tiny-s2-plain-/);
  });
});
