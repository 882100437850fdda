/**
 * Task plans: a task, its input and generation options checked and turned into prompt ids. Only the
 * tokenizer and the model's configuration are needed, so a server's request thread plans (and
 * refuses bad input at once) while the graphs live on a model thread.
 */
import { LRUCache } from 'lru-cache';
import { TaskInputError } from './errors.js';
import { resolveGenerationOptions, type GenerationOptions, type ResolvedGenerationOptions } from './generation/settings.js';
import { openModelFolder, type ModelFolder } from './modelFiles.js';
import { constructPrompt } from './prompt.js';
import { Florence2Tokenizer } from './tokenizer.js';

/** A validated task: everything generation needs except the image. */
export interface TaskPlan {
  readonly task: string;
  readonly input: string | undefined;
  readonly prompt: string;
  readonly promptIds: readonly number[];
  readonly options: ResolvedGenerationOptions;
}

/** Distinct (task, input, options) plans kept: a plan is a few hundred bytes. */
const PLAN_CACHE_ENTRIES = 10_000;

export class TaskPlanner {
  private readonly plans = new LRUCache<string, TaskPlan>({ max: PLAN_CACHE_ENTRIES });

  constructor(
    readonly folder: Pick<ModelFolder, 'config' | 'generation'>,
    readonly tokenizer: Florence2Tokenizer,
  ) {}

  /** The planner of a model folder, without loading any graph. */
  static async load(modelDir: string): Promise<TaskPlanner> {
    const folder = openModelFolder(modelDir);
    return new TaskPlanner(folder, await Florence2Tokenizer.fromFile(folder.tokenizerPath));
  }

  /**
   * Checks a task, its input and options, and builds its prompt ids. Throws typed errors.
   * Plans are memoised: a server asks for the same few plans over and over (every cached field
   * of every repeated query), and tokenising is most of a plan's cost.
   */
  plan(task: string, input?: string, options: GenerationOptions = {}): TaskPlan {
    const key = JSON.stringify([
      task,
      input ?? null,
      options.numBeams,
      options.maxNewTokens,
      options.minNewTokens,
      options.lengthPenalty,
      options.earlyStopping,
      options.noRepeatNgramSize,
    ]);
    const known = this.plans.get(key);
    if (known) return known;
    const plan = Object.freeze(this.buildPlan(task, input, options));
    this.plans.set(key, plan);
    return plan;
  }

  private buildPlan(task: string, input: string | undefined, options: GenerationOptions): TaskPlan {
    const { maxPositionEmbeddings: maxPositions, numImageTokens } = this.folder.config;
    const prompt = constructPrompt(task, input);
    const promptIds = this.tokenizer.encodePrompt(prompt);
    const maxPrompt = maxPositions - numImageTokens;
    if (promptIds.length > maxPrompt) {
      throw new TaskInputError(
        `the prompt is ${promptIds.length} tokens long; with the image's ${numImageTokens} tokens the limit is ${maxPrompt}`,
      );
    }
    const resolved = resolveGenerationOptions(options, this.folder.generation, maxPositions);
    return { task, input, prompt, promptIds, options: resolved };
  }
}
