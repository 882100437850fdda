/**
 * The model side of the engine: iteration-level scheduling (Orca; vLLM and TGI's continuous
 * batching) on the one thread that runs the model's graphs.
 *
 * A computation goes through four phases:
 *   1. features: from the feature cache, or preprocessing (off this thread) and the vision encoder,
 *      a stage at a time (featureSupply.ts), images round-robin across requesters;
 *   2. prompt encoding: the text encoder over `[features ; prompt]`, at most `encoderRowsPerCall`
 *      rows a call (~0.3 s a row at base size on 2 cores), calls round-robin across requesters;
 *   3. decode: when every computation of its group (one submission's computations on one image,
 *      up to `maxBatchJobs`: a query's 8 region segments) is encoded, the group joins the decode
 *      loop at the next step boundary as a new DecodeBatch; rows leave as they finish;
 *   4. finish: decoded and parsed, the outcome goes back.
 *
 * The decode loop runs one decoder call per DecodeBatch per step: rows that started at different
 * steps sit at different positions, and the merged decoder has no position ids or decoder mask
 * (src/vision/generation/decodeBatch.ts), so merging them would change their answers. Among running
 * batches the ones that have taken the fewest steps go first (least attained service), so a short
 * task that starts beside a long caption runs at full speed.
 *
 * Every unit of work is bounded — a decode step (~10–30 ms), an encoder call (~0.3–0.6 s), a vision
 * stage (~0.4–0.8 s at base size on 2 cores) — and when several kinds wait they share the thread by
 * time (timeShares.ts, weights `shares`): a short task never waits behind a whole image, a long
 * generation keeps moving while a 200-region query is encoded, and new images keep getting features
 * under load (README, "Engine and performance", for the weights and why).
 *
 * Policy `batch` is the engine before this one, kept so `npm run bench` can show the difference:
 * jobs arriving within `batchWindowMs` of the first queued one form a batch (vision, encoder, one
 * decode batch), and work arriving meanwhile waits for the whole batch to finish.
 */
import { featureKey } from '../cache/cacheKey.js';
import type { Florence2, RunResult } from '../vision/florence2.js';
import type { DecodeRows } from '../vision/florence2Graphs.js';
import { DecodeBatch } from '../vision/generation/decodeBatch.js';
import { ENCODER_ROWS_PER_CALL, encodePrompts } from '../vision/generation/encodePrompts.js';
import type { SearchSettings } from '../vision/generation/search.js';
import { searchSettings } from '../vision/generation/settings.js';
import { stackPaddedRows } from '../vision/tensorRows.js';
import {
  DEFAULT_BATCH_WINDOW_MS,
  DEFAULT_MAX_BATCH_JOBS,
  DEFAULT_MAX_VISION_BATCH,
  DEFAULT_PREFETCH_IMAGES,
  DEFAULT_PROGRESS_INTERVAL_MS,
  DEFAULT_SCHEDULING_POLICY,
  DEFAULT_SHARES,
} from './defaults.js';
import { FeatureCache } from './featureCache.js';
import { FeatureSupply } from './featureSupply.js';
import { asError, type ImagePreparer } from './imagePreparer.js';
import { RoundRobin } from './roundRobin.js';
import { TimeShares } from './timeShares.js';
import {
  visibleText,
  type GraphUsage,
  type ImageBytes,
  type SchedulerEvents,
  type SchedulerPort,
  type SchedulerSnapshot,
  type WorkItem,
} from './work.js';

export type SchedulingPolicy = 'continuous' | 'batch';

export interface SchedulerOptions {
  /** Prefix of feature-cache keys, so another model never reuses these features. */
  readonly modelFingerprint: string;
  /** Default `continuous`; `batch` is the batch-at-a-time engine, for comparison. */
  readonly policy?: SchedulingPolicy;
  /** Most computations one decode batch starts with. Default 32: decode steps stay memory-bound (nearly free per row) up to about there. */
  readonly maxBatchJobs?: number;
  /**
   * Most images per vision-encoder call. Default 1: on a 2-core CPU a batch of 4 base images costs
   * 26% more per image than one at a time (and ~1.1 GB more memory); raise it on GPUs.
   */
  readonly maxVisionBatch?: number;
  /** Policy `batch` only: how long the first queued job waits for company. Default 3 ms: well under a decode step. */
  readonly batchWindowMs?: number;
  /** Bytes of image features kept (LRU). Default: a tenth of memory, at most 2 GiB. */
  readonly featureCacheBytes?: number;
  /** Weights of decode steps, prompt encoding and vision-encoder stages when several wait (DEFAULT_SHARES). */
  readonly shares?: WorkShares;
  /** Images preprocessed ahead of the vision encoder. Default 2: the next image is ready when one finishes. */
  readonly prefetchImages?: number;
  /** Least time between two progress events of one computation. Default 50 ms. */
  readonly progressIntervalMs?: number;
  /** Rows per text-encoder call. Default ENCODER_ROWS_PER_CALL (2). */
  readonly encoderRowsPerCall?: number;
}

/** The kinds of work that share the model's thread. */
export type WorkKind = 'decode' | 'encode' | 'vision';
export type WorkShares = Readonly<Record<WorkKind, number>>;

type Phase = 'queued' | 'vision' | 'ready' | 'encoding' | 'staged' | 'decoding';

/** The computations of one submission on one image, which start decoding together. */
interface Group {
  readonly requester: string;
  /** Members not decoding yet. */
  readonly jobs: Set<Job>;
  /** Encoder units run since every member was encoded (see `startCompleteGroups`). */
  unitsHeld: number;
}

interface Job {
  readonly item: WorkItem;
  /** For the feature supply: whose job, which image. */
  readonly requester: string;
  readonly imageId: string;
  readonly settings: SearchSettings;
  group: Group | undefined;
  phase: Phase;
  features: Float32Array | undefined;
  /** The job's encoder output: a row of a prefill unit's result. */
  encoded: { readonly rows: DecodeRows; readonly row: number } | undefined;
  streaming: boolean;
  lastProgressAt: number;
  lastProgressTokens: number;
}

interface RunningBatch {
  readonly batch: DecodeBatch;
  /** Jobs by member index. */
  readonly jobs: readonly Job[];
  /** Decode iterations since this batch last stepped (younger batches went first). */
  skipped: number;
  /** The most tokens any of its rows may take: between batches of equal age, the smaller goes first. */
  readonly budget: number;
}

/**
 * How many iterations in a row an older decode batch may wait while younger ones catch up: 3, so it
 * keeps a quarter of its pace (a 300-token caption slows by at most a short task's length while
 * one runs, and is never starved by a stream of new work).
 */
const MAX_SKIPPED_STEPS = 3;

const BATCH_REQUESTER = 'batch';

export class Scheduler implements SchedulerPort {
  private readonly settings: Required<Omit<SchedulerOptions, 'featureCacheBytes'>>;
  private readonly features: FeatureCache;
  private readonly supply: FeatureSupply<Job>;
  private readonly shares: TimeShares<WorkKind>;
  private readonly jobs = new Map<number, Job>();
  /** Policy `batch`: jobs not admitted yet, in arrival order. */
  private readonly backlog: Job[] = [];
  private admissionTimer: NodeJS.Timeout | undefined;
  private readonly prefill = new RoundRobin<Group>();
  private readyJobs = 0;
  private readonly running: RunningBatch[] = [];
  private wakeUp: (() => void) | undefined;
  private closed = false;
  private readonly loop: Promise<void>;

  constructor(
    private readonly florence: Florence2,
    preparer: ImagePreparer,
    options: SchedulerOptions,
    private readonly events: SchedulerEvents,
  ) {
    this.settings = resolveSchedulerOptions(options);
    this.features = new FeatureCache(options.featureCacheBytes);
    this.shares = new TimeShares(this.settings.shares);
    this.supply = new FeatureSupply<Job>(
      florence.graphs.vision,
      preparer,
      this.features,
      (imageId) => featureKey(this.settings.modelFingerprint, imageId),
      { maxVisionBatch: this.settings.maxVisionBatch, prefetch: this.settings.prefetchImages },
      {
        ready: (job, features) => {
          if (this.jobs.get(job.item.id) === job) this.markReady(job, features);
        },
        failed: (job, error) => {
          if (this.jobs.get(job.item.id) !== job) return;
          this.leaveGroup(job);
          this.settle(job, error);
        },
        imagesEncoded: (count) => this.events.imagesEncoded(count),
        stage: (stage, ms) => this.events.stage(stage, ms),
        wake: () => this.wake(),
      },
    );
    this.loop = this.run();
  }

  submit(images: readonly ImageBytes[], items: readonly WorkItem[]): void {
    if (this.closed) {
      for (const item of items) this.events.settled(item.id, new Error('the engine is closed'));
      return;
    }
    const bytes = new Map(images.map((image) => [image.id, image.bytes]));
    const groups = new Map<string, Group>();
    for (const item of items) {
      const { config, generation } = this.florence.folder;
      const job: Job = {
        item,
        requester: item.requester,
        imageId: item.imageId,
        settings: searchSettings(item.plan.options, config, generation),
        group: undefined,
        phase: 'queued',
        features: undefined,
        encoded: undefined,
        streaming: item.stream,
        lastProgressAt: 0,
        lastProgressTokens: 0,
      };
      this.jobs.set(item.id, job);
      if (this.settings.policy === 'batch') {
        this.backlog.push(job);
        this.keepBytes(job, bytes);
        continue;
      }
      const groupKey = `${item.requester}\n${item.imageId}`;
      let group = groups.get(groupKey);
      // At most one decode batch's worth per group: 200 regions start decoding 32 at a time
      // instead of all waiting (and holding their encoder outputs) until the 200th is encoded.
      if (!group || group.jobs.size >= this.settings.maxBatchJobs) {
        group = { requester: item.requester, jobs: new Set(), unitsHeld: 0 };
        groups.set(groupKey, group);
        this.prefill.push(group.requester, group);
      }
      try {
        this.admit(job, group, bytes.get(item.imageId));
      } catch (error) {
        // A job this side cannot take (say, a malformed id) fails alone; the others go on.
        this.leaveGroup(job);
        this.settle(job, asError(error));
      }
    }
    if (this.settings.policy === 'batch') this.scheduleAdmission(this.settings.batchWindowMs);
    this.wake();
  }

  cancel(id: number, reason: Error): void {
    const job = this.jobs.get(id);
    if (!job) return;
    switch (job.phase) {
      case 'queued': {
        const index = this.backlog.indexOf(job);
        if (index >= 0) this.backlog.splice(index, 1);
        this.batchBytes.delete(id);
        break;
      }
      case 'vision':
        this.supply.cancel(job);
        break;
      case 'ready':
        this.readyJobs--;
        break;
      case 'decoding':
        for (const running of this.running) {
          const member = running.jobs.indexOf(job);
          if (member >= 0) running.batch.drop(member, reason);
        }
        break;
      case 'encoding':
      case 'staged':
        break;
    }
    this.leaveGroup(job);
    this.settle(job, reason);
    this.wake();
  }

  stream(id: number): void {
    const job = this.jobs.get(id);
    if (job) job.streaming = true;
  }

  async close(reason: Error): Promise<void> {
    this.closed = true;
    clearTimeout(this.admissionTimer);
    for (const job of [...this.jobs.values()]) this.settle(job, reason);
    this.backlog.length = 0;
    this.wake();
    await this.loop;
  }

  snapshot(): SchedulerSnapshot {
    let decoding = 0;
    for (const running of this.running) decoding += running.batch.members.length;
    const usage: GraphUsage = this.florence.graphs.usage();
    return {
      features: this.features.stats(),
      waiting: this.jobs.size - decoding,
      decoding,
      decodeBatches: this.running.length,
      usage,
    };
  }

  /** Puts a job in its group and on the way to features. */
  private admit(job: Job, group: Group, bytes: Uint8Array | undefined): void {
    job.group = group;
    group.jobs.add(job);
    const cached = this.supply.request(job, bytes);
    if (cached) this.markReady(job, cached);
    else job.phase = 'vision';
  }

  private markReady(job: Job, features: Float32Array): void {
    job.features = features;
    job.phase = 'ready';
    this.readyJobs++;
    this.wake();
  }

  /** The model's thread: decode steps, encoder calls and vision stages, one at a time, until closed. */
  private async run(): Promise<void> {
    while (!this.closed) {
      try {
        this.startCompleteGroups();
        const pending: WorkKind[] = [];
        if (this.running.length > 0) pending.push('decode');
        if (this.readyJobs > 0) pending.push('encode');
        if (this.supply.hasUnit) pending.push('vision');
        const kind = this.shares.pick(pending);
        if (kind === undefined) {
          if (this.settings.policy === 'batch' && this.backlog.length > 0 && this.jobs.size === this.backlog.length)
            this.scheduleAdmission(0);
          await this.idle();
          continue;
        }
        const started = performance.now();
        if (kind === 'decode') await this.decodeStep();
        else if (kind === 'encode') await this.prefillUnit();
        else await this.supply.runUnit();
        this.shares.charge(kind, performance.now() - started);
      } catch (error) {
        // Every unit settles its own jobs' failures; this only guards the loop itself.
        for (const job of [...this.jobs.values()])
          if (job.phase === 'encoding' || job.phase === 'decoding') this.settle(job, asError(error));
        this.running.length = 0;
      }
      this.events.snapshot(this.snapshot());
    }
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => (this.wakeUp = resolve));
  }

  private wake(): void {
    const wakeUp = this.wakeUp;
    this.wakeUp = undefined;
    wakeUp?.();
  }

  /** Encodes up to `encoderRowsPerCall` ready jobs of the next requester in turn. */
  private async prefillUnit(): Promise<void> {
    const group = this.prefill.next((candidate) => [...candidate.jobs].some((job) => job.phase === 'ready'));
    if (!group) {
      this.readyJobs = 0; // unreachable while the count is kept right; never spin on it
      return;
    }
    const unit = [...group.jobs].filter((job) => job.phase === 'ready').slice(0, this.settings.encoderRowsPerCall);
    for (const job of unit) job.phase = 'encoding';
    this.readyJobs -= unit.length;
    for (const held of this.prefill.items()) if (held !== group && isComplete(held)) held.unitsHeld++;
    const started = performance.now();
    let rows: DecodeRows;
    try {
      rows = await encodePrompts(
        this.florence.graphs,
        unit.map((job) => ({ features: job.features!, promptIds: job.item.plan.promptIds })),
        this.florence.folder.config.padTokenId,
        this.settings.encoderRowsPerCall,
      );
    } catch (error) {
      for (const job of unit) {
        if (!this.jobs.has(job.item.id)) continue;
        this.leaveGroup(job);
        this.settle(job, asError(error));
      }
      return;
    }
    this.events.stage('encoder', performance.now() - started);
    unit.forEach((job, row) => {
      if (!this.jobs.has(job.item.id)) return; // cancelled while encoding
      job.phase = 'staged';
      job.features = undefined;
      job.encoded = { rows, row };
    });
  }

  /**
   * Groups whose every job is encoded start decoding, together, at this step boundary. Rows that
   * start at one step share every decoder call after it, while rows that start apart never can (the
   * merged decoder takes one position for all its rows): so when other requests' prompts are waiting
   * to be encoded, complete groups wait for one more encoder unit, and any group it completes starts
   * beside them. Under a backlog that saves a decoder call per step per group; without one, nothing
   * waits (a short task beside a long caption starts at once).
   */
  private startCompleteGroups(): void {
    const complete = [...this.prefill.items()].filter(isComplete);
    if (complete.length === 0) return;
    const rows = complete.reduce((total, group) => total + group.jobs.size, 0);
    const waitForCompany = this.readyJobs > 0 && rows < this.settings.maxBatchJobs && complete.every((group) => group.unitsHeld < 1);
    if (waitForCompany) return; // (never under policy `batch`: its one group in flight leaves no other prompt waiting)
    this.prefill.remove((group) => complete.includes(group));
    const staged = complete.flatMap((group) => [...group.jobs]);
    for (let start = 0; start < staged.length; start += this.settings.maxBatchJobs) {
      this.startBatch(staged.slice(start, start + this.settings.maxBatchJobs));
    }
  }

  private startBatch(jobs: Job[]): void {
    const parts = jobs.map((job) => job.encoded!);
    const rows: DecodeRows = {
      batch: jobs.length,
      encoderHiddenStates: stackPaddedRows(parts.map((part) => ({ tensor: part.rows.encoderHiddenStates, row: part.row }))),
      encoderAttentionMask: stackPaddedRows(parts.map((part) => ({ tensor: part.rows.encoderAttentionMask, row: part.row }))),
      cache: undefined,
    };
    const batch = new DecodeBatch(
      this.florence.graphs,
      rows,
      jobs.map((job) => job.settings),
    );
    for (const job of jobs) {
      job.phase = 'decoding';
      job.encoded = undefined;
      job.group = undefined;
      this.events.started(job.item.id);
    }
    this.running.push({ batch, jobs, skipped: 0, budget: Math.max(...jobs.map((job) => job.settings.maxLength)) });
    this.events.batch(jobs.length, new Set(jobs.map((job) => job.item.imageId)).size);
  }

  /** One decoder step of each running batch that is due; finished rows leave and settle. */
  private async decodeStep(): Promise<void> {
    const started = performance.now();
    let parseMs = 0;
    // Least attained service first: the batches that have taken the fewest steps go now, so a
    // 20-token task that joins beside a 400-token caption runs at full speed instead of sharing
    // every step; an older batch still steps at least once every MAX_SKIPPED_STEPS + 1 iterations.
    // Between batches of equal age (a task sent as a long caption starts), the one allowed fewer
    // tokens goes first: it is the likelier to finish soon.
    const first = this.running.reduce((best, running) => (younger(running, best) ? running : best));
    const due = this.running.filter((running) => !younger(first, running) || running.skipped >= MAX_SKIPPED_STEPS);
    for (const running of this.running) if (!due.includes(running)) running.skipped++;
    for (const running of due) {
      running.skipped = 0;
      let exits;
      try {
        exits = await running.batch.step();
      } catch (error) {
        this.running.splice(this.running.indexOf(running), 1);
        for (const job of running.jobs) if (this.jobs.get(job.item.id) === job) this.settle(job, asError(error));
        continue;
      }
      const parseStarted = performance.now();
      for (const exit of exits) {
        const job = running.jobs[exit.member]!;
        if (this.jobs.get(job.item.id) !== job) continue; // cancelled: settled already
        const outcome = exit.outcome instanceof Error ? exit.outcome : this.florence.finish(job.item.plan, job.item.size, exit.outcome);
        this.settle(job, outcome);
      }
      parseMs += performance.now() - parseStarted;
      this.reportProgress(running);
      if (running.batch.done) this.running.splice(this.running.indexOf(running), 1);
    }
    this.events.stage('decode', performance.now() - started - parseMs);
    if (parseMs > 0) this.events.stage('parse', parseMs);
  }

  private reportProgress(running: RunningBatch): void {
    const now = performance.now();
    for (const member of running.batch.members) {
      const job = running.jobs[member]!;
      if (!job.streaming) continue;
      const sequence = running.batch.partial(member);
      const tokens = sequence.length - 1;
      const due = job.lastProgressAt === 0 || now - job.lastProgressAt >= this.settings.progressIntervalMs;
      if (!due || tokens <= job.lastProgressTokens) continue;
      job.lastProgressAt = now;
      job.lastProgressTokens = tokens;
      this.events.progress(job.item.id, { text: visibleText(this.florence.tokenizer.decode(sequence)), tokens });
    }
  }

  private leaveGroup(job: Job): void {
    const group = job.group;
    if (!group) return;
    job.group = undefined;
    group.jobs.delete(job);
    if (group.jobs.size === 0) this.prefill.remove((candidate) => candidate === group);
  }

  private settle(job: Job, outcome: RunResult | Error): void {
    if (this.jobs.get(job.item.id) !== job) return;
    this.jobs.delete(job.item.id);
    this.batchBytes.delete(job.item.id);
    this.events.settled(job.item.id, outcome);
  }

  // ---- policy `batch` ----

  /** Policy `batch`: the bytes of backlogged jobs' images, until they are admitted. */
  private readonly batchBytes = new Map<number, Uint8Array | undefined>();

  private keepBytes(job: Job, bytes: ReadonlyMap<string, Uint8Array>): void {
    this.batchBytes.set(job.item.id, bytes.get(job.item.imageId));
  }

  private scheduleAdmission(delayMs: number): void {
    if (this.admissionTimer || this.closed) return;
    this.admissionTimer = setTimeout(() => {
      this.admissionTimer = undefined;
      this.admitBatch();
    }, delayMs);
  }

  /** Policy `batch`: when nothing else is in flight, the backlog's first jobs become one group. */
  private admitBatch(): void {
    if (this.jobs.size > this.backlog.length || this.backlog.length === 0) return;
    const group: Group = { requester: BATCH_REQUESTER, jobs: new Set(), unitsHeld: 0 };
    this.prefill.push(BATCH_REQUESTER, group);
    for (const job of this.backlog.splice(0, this.settings.maxBatchJobs)) {
      const bytes = this.batchBytes.get(job.item.id);
      this.batchBytes.delete(job.item.id);
      this.admit(job, group, bytes);
    }
    if (group.jobs.size === 0) this.prefill.remove((candidate) => candidate === group);
    this.wake();
  }
}

/** Whether `a` goes before `b` in least-attained-service order: fewer steps taken, then a smaller budget. */
function younger(a: RunningBatch, b: RunningBatch): boolean {
  return a.batch.position < b.batch.position || (a.batch.position === b.batch.position && a.budget < b.budget);
}

function isComplete(group: Group): boolean {
  if (group.jobs.size === 0) return false;
  for (const job of group.jobs) if (job.phase !== 'staged') return false;
  return true;
}

/**
 * The options with their defaults, checked: a zero batch would never start, a zero vision batch
 * would spin, a negative window or share makes no sense. Throws a RangeError naming the option,
 * its range and what arrived.
 */
export function resolveSchedulerOptions(options: SchedulerOptions): Required<Omit<SchedulerOptions, 'featureCacheBytes'>> {
  const policy = options.policy ?? DEFAULT_SCHEDULING_POLICY;
  if (policy !== 'continuous' && policy !== 'batch')
    throw new RangeError(`policy must be 'continuous' or 'batch', got ${JSON.stringify(policy)}`);
  if (typeof options.modelFingerprint !== 'string' || options.modelFingerprint === '')
    throw new RangeError('modelFingerprint must be a non-empty string');
  if (options.featureCacheBytes !== undefined)
    requireNumber('featureCacheBytes', options.featureCacheBytes, 1, Number.MAX_SAFE_INTEGER, true);
  return {
    modelFingerprint: options.modelFingerprint,
    policy,
    maxBatchJobs: requireNumber('maxBatchJobs', options.maxBatchJobs ?? DEFAULT_MAX_BATCH_JOBS, 1, 1_024, true),
    maxVisionBatch: requireNumber('maxVisionBatch', options.maxVisionBatch ?? DEFAULT_MAX_VISION_BATCH, 1, 64, true),
    batchWindowMs: requireNumber('batchWindowMs', options.batchWindowMs ?? DEFAULT_BATCH_WINDOW_MS, 0, 60_000, false),
    shares: resolveShares(options.shares ?? DEFAULT_SHARES),
    prefetchImages: requireNumber('prefetchImages', options.prefetchImages ?? DEFAULT_PREFETCH_IMAGES, 1, 64, true),
    progressIntervalMs: requireNumber('progressIntervalMs', options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS, 0, 60_000, false),
    encoderRowsPerCall: requireNumber('encoderRowsPerCall', options.encoderRowsPerCall ?? ENCODER_ROWS_PER_CALL, 1, 64, true),
  };
}

function resolveShares(shares: WorkShares): WorkShares {
  for (const kind of ['decode', 'encode', 'vision'] as const) requireNumber(`shares.${kind}`, shares[kind], 0.01, 100, false);
  return { decode: shares.decode, encode: shares.encode, vision: shares.vision };
}

function requireNumber(name: string, value: number, min: number, max: number, integer: boolean): number {
  const ok = typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max && (!integer || Number.isInteger(value));
  if (!ok) throw new RangeError(`${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${String(value)}`);
  return value;
}

/** The scheduler's own options out of a larger object (e.g. EngineOptions with its observer), as plain data. */
export function schedulerOptionsOf(options: SchedulerOptions): SchedulerOptions {
  const keys = [
    'modelFingerprint',
    'policy',
    'maxBatchJobs',
    'maxVisionBatch',
    'batchWindowMs',
    'featureCacheBytes',
    'shares',
    'prefetchImages',
    'progressIntervalMs',
    'encoderRowsPerCall',
  ] as const;
  return Object.fromEntries(
    keys.flatMap((key) => (options[key] === undefined ? [] : [[key, options[key]]])),
  ) as unknown as SchedulerOptions;
}
