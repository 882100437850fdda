/**
 * Synthetic Florence-2 model folders for everyone's tests (generated once into .cache/models and
 * reused; see src/synth/cache.ts). The default is the tiny model, seed 1, with the structured bias,
 * and the real tokenizer from ../shared when it is present (the synthetic one otherwise).
 */
import { ensureSyntheticModel } from '../../src/synth/cache.js';
import type { CachedModelOptions } from '../../src/synth/cache.js';
import { hasShared, realTokenizerPath } from './paths.js';

export type TinyModelOptions = Partial<Omit<CachedModelOptions, 'bias'>> & {
  /** Left out: the structured bias; `undefined`: the plain model, with no bias. */
  readonly bias?: CachedModelOptions['bias'] | undefined;
  /** Force the synthetic tokenizer even when the real one is available. */
  readonly syntheticTokenizer?: boolean;
};

export const TINY_DEFAULTS = { size: 'tiny', seed: 1, bias: 'structured' } as const satisfies CachedModelOptions;

/** Folder of a synthetic model (tiny, seed 1, structured bias unless overridden). */
export async function tinyModelDir(opts: TinyModelOptions = {}): Promise<string> {
  const { syntheticTokenizer, bias: chosenBias, ...overrides } = opts;
  const { bias: defaultBias, ...defaults } = TINY_DEFAULTS;
  const bias = 'bias' in opts ? chosenBias : defaultBias;
  const tokenizerFile = overrides.tokenizerFile ?? (hasShared && !syntheticTokenizer ? realTokenizerPath : undefined);
  const options: CachedModelOptions = {
    ...defaults,
    ...overrides,
    ...(bias !== undefined ? { bias } : {}),
    ...(tokenizerFile ? { tokenizerFile } : {}),
  };
  return ensureSyntheticModel(options);
}
