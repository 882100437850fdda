/**
 * Generation options as callers give them, checked and completed into what a search needs. The
 * defaults follow the model's generation_config.json except the beam count: greedy (1 beam) is
 * the default, as in transformers.js, because it is 3× cheaper; pass numBeams: 3 for the
 * reference Python behaviour.
 */
import { TaskInputError } from '../errors.js';
import type { Florence2Config, GenerationDefaults } from '../modelFiles.js';
import type { SearchSettings } from './search.js';

export interface GenerationOptions {
  /** Beams of beam search; 1 is greedy. Default 1. */
  readonly numBeams?: number;
  /** Tokens generated after the decoder start token, `<s>` and `</s>` included. Default 1024. */
  readonly maxNewTokens?: number;
  /** `</s>` is banned until this many tokens exist. Default 0. */
  readonly minNewTokens?: number;
  /** Beam hypotheses are scored sumLogprobs / length ** lengthPenalty. Default from generation_config (1.0). */
  readonly lengthPenalty?: number;
  /** Stop a beam search once numBeams hypotheses are finished. Default from generation_config (true). */
  readonly earlyStopping?: boolean;
  /** No n-gram of this size repeats. Default from generation_config (3). */
  readonly noRepeatNgramSize?: number;
}

/** Long enough for the longest OCR and segmentation answers (Microsoft's examples use 1024). */
export const DEFAULT_MAX_NEW_TOKENS = 1024;
/** Beyond this, beam search costs more than it can help on a CPU. */
export const MAX_BEAMS = 16;

/** The options every generation runs with, all fields filled in (part of the cache key). */
export type ResolvedGenerationOptions = Required<GenerationOptions>;

export function resolveGenerationOptions(
  options: GenerationOptions,
  defaults: GenerationDefaults,
  maxPositions: number,
): ResolvedGenerationOptions {
  const numBeams = options.numBeams ?? 1;
  const maxNewTokens = options.maxNewTokens ?? Math.min(DEFAULT_MAX_NEW_TOKENS, maxPositions);
  const minNewTokens = options.minNewTokens ?? 0;
  requireInteger('numBeams', numBeams, 1, MAX_BEAMS);
  // The decoder is fed every token but the last, each at its own learned position.
  requireInteger('maxNewTokens', maxNewTokens, 2, maxPositions);
  requireMinNewTokens(minNewTokens, maxNewTokens);
  const lengthPenalty = options.lengthPenalty ?? defaults.lengthPenalty;
  if (!Number.isFinite(lengthPenalty)) throw new TaskInputError(`lengthPenalty must be a finite number, got ${lengthPenalty}`);
  const noRepeatNgramSize = options.noRepeatNgramSize ?? defaults.noRepeatNgramSize;
  requireInteger('noRepeatNgramSize', noRepeatNgramSize, 0, 16);
  return {
    numBeams,
    maxNewTokens,
    minNewTokens,
    lengthPenalty,
    earlyStopping: options.earlyStopping ?? defaults.earlyStopping,
    noRepeatNgramSize,
  };
}

export function searchSettings(options: ResolvedGenerationOptions, config: Florence2Config, defaults: GenerationDefaults): SearchSettings {
  return {
    ...options,
    maxLength: 1 + options.maxNewTokens,
    decoderStartTokenId: config.decoderStartTokenId,
    bosTokenId: defaults.forcedBosTokenId,
    eosTokenId: defaults.forcedEosTokenId,
  };
}

/** Bounded by maxNewTokens, so the message names it: a bare number would not say where it came from. */
function requireMinNewTokens(value: number, maxNewTokens: number): void {
  if (!Number.isInteger(value) || value < 0)
    throw new TaskInputError(`minNewTokens must be an integer from 0 to maxNewTokens (${maxNewTokens}), got ${value}`);
  if (value > maxNewTokens) throw new TaskInputError(`minNewTokens must be ≤ maxNewTokens (${maxNewTokens}), got ${value}`);
}

function requireInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new TaskInputError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
}
