/**
 * The Florence-2 runtime as a library: load a model folder, run any task on an image, or many
 * tasks on many images in one batch. It is also the set of stages the engine schedules
 * (prepare → encodeImages → generate), so a server can cache image features and batch the rest.
 */
import { availableParallelism } from 'node:os';
import { DisposedError } from './errors.js';
import { Florence2Graphs, type ModelGeometry } from './florence2Graphs.js';
import { decodeJobs } from './generation/decode.js';
import { encodePrompts } from './generation/encodePrompts.js';
import type { SearchOutput } from './generation/search.js';
import { searchSettings, type GenerationOptions } from './generation/settings.js';
import { prepareImage, type ImageLimits, type ImageSource, type PreparedImage } from './image.js';
import { openModelFolder, type DtypeOption, type ModelFolder } from './modelFiles.js';
import type { ExecutionDevice } from './onnxSession.js';
import type { TaskResult } from './results.js';
import { toRunResult } from './runResult.js';
import { TaskPlanner, type TaskPlan } from './taskPlanner.js';
import { Florence2Tokenizer } from './tokenizer.js';

export type { TaskPlan } from './taskPlanner.js';

export interface LoadOptions {
  /** One dtype for all graphs or one per graph (`{ decoder_model_merged: 'q8' }`). Default fp32. */
  readonly dtype?: DtypeOption;
  /** onnxruntime intra-op threads. Default: the cores this process may use. */
  readonly threads?: number;
  readonly device?: ExecutionDevice;
  /** Limits applied when decoding images. */
  readonly imageLimits?: ImageLimits;
  /**
   * Load the vision encoder cut into this many stages, so a scheduler can run other work between
   * them (src/engine/scheduler.ts). Default 1 (whole): one call per image is all a library caller needs.
   */
  readonly visionStages?: number;
}

/** One task to run: the image, the task token (or a free-text prompt) and its input. */
export interface RunRequest {
  readonly image: ImageSource | PreparedImage;
  readonly task: string;
  readonly input?: string;
  readonly options?: GenerationOptions;
}

export interface RunResult<R = TaskResult> {
  readonly task: string;
  /** The English prompt the model saw. */
  readonly prompt: string;
  /** The decoded generation with its special tokens, e.g. `</s><s>car<loc_53>…</s>`. */
  readonly text: string;
  /** Generated ids from the forced `<s>` (0) through `</s>` (2). */
  readonly tokens: readonly number[];
  /**
   * The transition log-probability of each of `tokens`, aligned with it: log-softmax of the
   * decoder's logits after the logits processors (forced tokens 0), along the winning beam, as HF's
   * `compute_transition_scores(sequences, scores, beam_indices)`. Greedy reports the same quantity.
   */
  readonly tokenLogprobs: readonly number[];
  /** HF's sequence score: the sum of `tokenLogprobs` / tokens.length ** lengthPenalty (higher is more confident). */
  readonly score: number;
  /** The parsed answer, coordinates in pixels of the original image. */
  readonly result: R;
  /**
   * Confidence of each region of `result` in its list order (boxes, OCR quads, polygon instances;
   * for open-vocabulary answers the list that is not empty): exp of the mean transition
   * log-probability of the region's location tokens (regionScores.ts). Empty for text answers.
   */
  readonly regionScores: readonly (number | null)[];
  /** The same over the location tokens of every region together; null for text answers. */
  readonly locationScore: number | null;
}

/** The stages of `generate`, for timing. */
export type GenerationStage = 'encoder' | 'decode' | 'parse';

/** Told how long each stage of a `generate` call took, in milliseconds. */
export type StageObserver = (stage: GenerationStage, ms: number) => void;

/** One generation to run from cached image features. */
export interface GenerationItem {
  readonly features: Float32Array;
  readonly size: { readonly width: number; readonly height: number };
  readonly plan: TaskPlan;
  readonly signal?: AbortSignal;
}

export class Florence2 {
  private disposed = false;
  private readonly planner: TaskPlanner;

  private constructor(
    readonly folder: ModelFolder,
    readonly graphs: Florence2Graphs,
    readonly tokenizer: Florence2Tokenizer,
    private readonly imageLimits: ImageLimits,
    /** Where the graphs run. */
    readonly device: ExecutionDevice = 'cpu',
    /** Why `device` is not the one asked for, when a fallback happened. */
    readonly deviceFallback?: string,
  ) {
    this.planner = new TaskPlanner(folder, tokenizer);
  }

  /**
   * Loads a model folder. A device that cannot start (no GPU, no CUDA libraries, no Vulkan for
   * WebGPU) falls back to the CPU: `device` says what runs, `deviceFallback` why it is not the one asked.
   */
  static async load(modelDir: string, options: LoadOptions = {}): Promise<Florence2> {
    const folder = openModelFolder(modelDir, options.dtype);
    const tokenizer = await Florence2Tokenizer.fromFile(folder.tokenizerPath);
    const threads = options.threads ?? availableParallelism();
    const wanted = options.device ?? 'cpu';
    let graphs: Florence2Graphs;
    let fallback: string | undefined;
    try {
      graphs = await Florence2Graphs.load(folder, { threads, device: wanted }, options.visionStages);
    } catch (error) {
      if (wanted === 'cpu') throw error;
      fallback = `${wanted} could not start (${firstLine(error)}); running on cpu`;
      graphs = await Florence2Graphs.load(folder, { threads, device: 'cpu' }, options.visionStages);
    }
    return new Florence2(folder, graphs, tokenizer, options.imageLimits ?? {}, fallback ? 'cpu' : wanted, fallback);
  }

  get geometry(): ModelGeometry {
    return this.graphs.geometry;
  }

  /** Runs one task on one image. */
  async run(image: ImageSource | PreparedImage, task: string, input?: string, options: GenerationOptions = {}): Promise<RunResult> {
    const [result] = await this.runBatch([{ image, task, ...(input === undefined ? {} : { input }), options }]);
    return result!;
  }

  /**
   * Runs many tasks at once: each distinct image is encoded once, all prompts share one encoder
   * call and one decode loop. Each result equals what its request gives alone.
   */
  async runBatch(requests: readonly RunRequest[]): Promise<RunResult[]> {
    this.assertUsable();
    if (requests.length === 0) return [];
    // Validate every request before any heavy work, so a bad one fails fast.
    const plans = requests.map((request) => this.plan(request.task, request.input, request.options));
    const distinctSources = [...new Set(requests.map((request) => request.image))];
    const prepared = await Promise.all(distinctSources.map((source) => this.prepare(source)));
    const features = await this.encodeImages(prepared);
    const bySource = new Map(distinctSources.map((source, i) => [source, { image: prepared[i]!, features: features[i]! }]));
    const results = await this.generate(
      requests.map((request, i) => {
        const { image, features: imageFeatures } = bySource.get(request.image)!;
        return { features: imageFeatures, size: image, plan: plans[i]! };
      }),
    );
    return results.map((result) => {
      if (result instanceof Error) throw result;
      return result;
    });
  }

  /** Checks a task, its input and options, and builds its prompt ids (memoised). Throws typed errors. */
  plan(task: string, input?: string, options: GenerationOptions = {}): TaskPlan {
    return this.planner.plan(task, input, options);
  }

  /** Decodes and preprocesses an image (a PreparedImage passes through). */
  async prepare(image: ImageSource | PreparedImage): Promise<PreparedImage> {
    if (isPrepared(image)) return image;
    return prepareImage(image, this.imageLimits);
  }

  /** One vision-encoder call over all images → features per image ([577 × D] each). */
  async encodeImages(images: readonly PreparedImage[]): Promise<Float32Array[]> {
    this.assertUsable();
    return this.graphs.vision.encodeImages(images);
  }

  /**
   * Encoder and decode loop for many (features, task) items in one batch, then post-processing.
   * Each item gets its result or its own error (an aborted item gets its signal's reason).
   */
  async generate(items: readonly GenerationItem[], onStage?: StageObserver): Promise<(RunResult | Error)[]> {
    this.assertUsable();
    if (items.length === 0) return [];
    const { config, generation } = this.folder;
    let mark = performance.now();
    const lap = (stage: GenerationStage) => {
      const now = performance.now();
      onStage?.(stage, now - mark);
      mark = now;
    };
    const rows = await encodePrompts(
      this.graphs,
      items.map((item) => ({ features: item.features, promptIds: item.plan.promptIds })),
      config.padTokenId,
    );
    lap('encoder');
    const outputs = await decodeJobs(
      this.graphs,
      rows,
      items.map((item) => ({
        settings: searchSettings(item.plan.options, config, generation),
        ...(item.signal ? { signal: item.signal } : {}),
      })),
    );
    lap('decode');
    const results = outputs.map((output, i) => (output instanceof Error ? output : this.finish(items[i]!.plan, items[i]!.size, output)));
    lap('parse');
    return results;
  }

  /** A finished search as the caller's answer: decoded, parsed for its task (or the parse error). */
  finish(plan: TaskPlan, size: GenerationItem['size'], output: SearchOutput): RunResult | Error {
    try {
      return toRunResult(plan, size, output, this.tokenizer);
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.graphs.release();
  }

  private assertUsable(): void {
    if (this.disposed) throw new DisposedError();
  }
}

function isPrepared(image: ImageSource | PreparedImage): image is PreparedImage {
  return typeof image === 'object' && 'pixelValues' in image;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.slice(0, 300);
}
