/** Public surface of the synthetic Florence-2 model generator. */
export { synthesizeModel, DEFAULT_SEED, GRAPH_NAMES } from './synthesize.js';
export type { SynthOptions, SynthReport, SynthFile, BiasOption, GraphName } from './synthesize.js';
export { ensureSyntheticModel, cacheFolderName, defaultCacheRoot } from './cache.js';
export type { CachedModelOptions } from './cache.js';
export { BIAS_PATTERNS, BIAS_CLASSES, DEFAULT_BIAS, UNITS, contentClassAt, cutsUpTo, resolveBias } from './bias.js';
export type { BiasPattern, BiasSettings, BiasClass, BiasSchedule } from './bias.js';
export { MODEL_SIZES, REAL_BASE, modelDims } from './sizes.js';
export type { ModelSize, ModelDims } from './sizes.js';
export { synthesizeTokenizer } from './tokenizer.js';
export type { TokenizerJson } from './tokenizer.js';
