/**
 * Synthetic Florence-2 model folders for everyone's tests (generated once into .cache/models and
 * reused; see src/synth/cache.ts). The default is the tiny model, seed 1, with the structured bias,
 * and the real tokenizer from ../shared when it is present (the synthetic one otherwise).
 */
import { ensureSyntheticModel } from '../../src/synth/cache.js';
import type { CachedModelOptions } from '../../src/synth/cache.js';
import { hasShared, realTokenizerPath } from './paths.js';

export type TinyModelOptions = Partial<CachedModelOptions> & {
  /** Force the synthetic tokenizer even when the real one is available. */
  readonly syntheticTokenizer?: boolean;
};

export const TINY_DEFAULTS = { size: 'tiny', seed: 1, bias: 'structured' } as const satisfies CachedModelOptions;

/** Folder of a synthetic model (tiny, seed 1, structured bias unless overridden). */
export async function tinyModelDir(opts: TinyModelOptions = {}): Promise<string> {
  const { syntheticTokenizer, ...overrides } = opts;
  const tokenizerFile = overrides.tokenizerFile ?? (hasShared && !syntheticTokenizer ? realTokenizerPath : undefined);
  const options: CachedModelOptions = {
    ...TINY_DEFAULTS,
    ...overrides,
    ...(tokenizerFile ? { tokenizerFile } : {}),
  };
  return ensureSyntheticModel(options);
}
