/**
 * Complexity estimators for the `complexity` option of type-graphql's field decorators: they turn
 * the price table (prices.ts) into graphql-query-complexity's per-field scores. type-graphql puts
 * them in each field's `extensions.complexity`, where `fieldExtensionsEstimator` finds them.
 *
 * A task field scores its task's price (with the field's `generation` overrides, else the server's
 * defaults) plus what its selection costs; a list field multiplies its selection by the assumed list
 * size; `Query.image` adds the vision encoder once when anything under it runs a task.
 */
import type { ComplexityEstimator, ComplexityEstimatorArgs } from 'graphql-query-complexity';
import type { GraphQLField } from 'graphql';
import { CAPTION_TASKS, CaptionDetail } from '../types/enums.js';
import { GENERATION_RANGES } from '../types/GenerationInput.js';
import { taskPrice, VISION_ENCODER_UNITS, type PricedOptions } from './prices.js';

/** What estimators read from getComplexity's `context`: the server's generation defaults. */
export interface CostEstimateContext {
  readonly generationDefaults?: PricedOptions;
}

/** Marks estimators of fields that run a model task (read by the task-field limit). */
const RUNS_TASK = Symbol('runsTask');

type TaskEstimator = ComplexityEstimator & { readonly [RUNS_TASK]: true };

/** A field that runs `task` (or the task its arguments name), returning one object or scalar. */
export function taskComplexity(task: string | ((args: Record<string, unknown>) => string)): ComplexityEstimator {
  return markTask((options) => priceOf(options, task) + options.childComplexity);
}

/** A field that runs a task and returns a list of `assumedSize` items, each priced by its selection. */
export function taskListComplexity(task: string, assumedSize: number): ComplexityEstimator {
  return markTask((options) => priceOf(options, task) + assumedSize * options.childComplexity);
}

/** `caption(detail:)`: the task follows the detail level. */
export const captionComplexity: ComplexityEstimator = taskComplexity(
  (args) => CAPTION_TASKS[(args['detail'] as CaptionDetail | undefined) ?? CaptionDetail.BRIEF],
);

/** `task(name:)`: the argument is the task token (the enum's internal value). */
export const anyTaskComplexity: ComplexityEstimator = taskComplexity((args) => String(args['name']));

/** `Subscription.generation(task:)`: the image's vision encoder and the task the argument names. */
export const streamedTaskComplexity: ComplexityEstimator = markTask(
  (options) => VISION_ENCODER_UNITS + priceOf(options, String(options.args['task'])),
);

/** A list field that runs nothing itself (GroundedPhrase.regions). */
export function listComplexity(assumedSize: number): ComplexityEstimator {
  return ({ childComplexity }) => assumedSize * childComplexity;
}

/** `Query.image`: the vision encoder runs once for the image when any field under it runs a task. */
export const imageComplexity: ComplexityEstimator = ({ childComplexity }) =>
  childComplexity > 0 ? VISION_ENCODER_UNITS + childComplexity : 0;

/** `Query.images(urls:)`: one image's worth per URL. */
export const imagesComplexity: ComplexityEstimator = (options) => {
  const urls = options.args['urls'];
  const count = Array.isArray(urls) ? urls.length : 1;
  return count * (imageComplexity(options) ?? 0);
};

/** True for a field whose estimator says it runs a model task. */
export function runsTask(field: GraphQLField<unknown, unknown>): boolean {
  const estimator: unknown = field.extensions['complexity'];
  return typeof estimator === 'function' && RUNS_TASK in estimator;
}

function markTask(estimator: ComplexityEstimator): TaskEstimator {
  return Object.assign(estimator, { [RUNS_TASK]: true as const });
}

function priceOf(options: ComplexityEstimatorArgs, task: string | ((args: Record<string, unknown>) => string)): number {
  const args = options.args as Record<string, unknown>;
  const defaults = (options.context as CostEstimateContext | undefined)?.generationDefaults ?? {};
  const overrides = (args['generation'] ?? {}) as Record<string, unknown>;
  const numBeams = inRange(overrides['numBeams'], GENERATION_RANGES.numBeams) ?? defaults.numBeams;
  const maxNewTokens = inRange(overrides['maxNewTokens'], GENERATION_RANGES.maxNewTokens) ?? defaults.maxNewTokens;
  return taskPrice(typeof task === 'string' ? task : task(args), {
    ...(numBeams !== undefined ? { numBeams } : {}),
    ...(maxNewTokens !== undefined ? { maxNewTokens } : {}),
  });
}

/**
 * An override inside its range, else undefined (priced as the default): the field's own argument
 * check refuses it with BAD_INPUT naming the range, where pricing `numBeams: 40` would refuse the
 * whole query as too costly for a reason the client did not mean.
 */
function inRange(value: unknown, range: { readonly min: number; readonly max: number }): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= range.min && value <= range.max ? value : undefined;
}
