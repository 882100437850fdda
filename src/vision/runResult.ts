/**
 * A finished search to the RunResult callers get: the decoded text, the parsed answer, and the
 * per-token and per-region confidences. One function, so the library's `generate` and the engine
 * build results the same way.
 */
import type { RunResult, TaskPlan } from './florence2.js';
import type { SearchOutput } from './generation/search.js';
import { parseGenerationWithRegions, type ImageSize } from './postprocess/index.js';
import { scoreRegions } from './regionScores.js';
import type { Florence2Tokenizer } from './tokenizer.js';

/** Throws what decoding or parsing throws (an id outside the vocabulary, a bad size). */
export function toRunResult(
  plan: Pick<TaskPlan, 'task' | 'prompt'>,
  size: ImageSize,
  output: SearchOutput,
  tokenizer: Florence2Tokenizer,
): RunResult {
  const text = tokenizer.decode(output.sequence);
  const { answer, regions } = parseGenerationWithRegions(plan.task, text, size);
  // Only answers with regions pay for the token spans.
  const spans = regions.length > 0 ? tokenizer.tokenSpans(output.sequence, text) : [];
  const { regionScores, locationScore } = scoreRegions(regions, text, spans, output.tokenLogprobs);
  return {
    task: plan.task,
    prompt: plan.prompt,
    text,
    tokens: output.sequence.slice(1),
    tokenLogprobs: [...output.tokenLogprobs],
    score: output.score,
    result: answer,
    regionScores,
    locationScore,
  };
}
