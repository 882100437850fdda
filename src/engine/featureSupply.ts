/**
 * Where jobs get their image features: the feature cache, or preprocessing and the vision encoder.
 *
 * Preprocessing (decoding with sharp, Pillow's resize) runs off the model's thread in a server
 * (src/engine/worker/preprocessWorker.ts), a couple of images ahead. The vision encoder runs on the
 * model's thread a stage at a time (src/vision/visionEncoder.ts): each `runUnit` call is one stage,
 * so the scheduler can put decode steps and other requests' prompts between the stages of an image
 * instead of behind the whole of it. Images are taken round-robin across requesters.
 */
import type { PreparedImage } from '../vision/image.js';
import type { VisionEncoder, VisionPass } from '../vision/visionEncoder.js';
import type { FeatureCache } from './featureCache.js';
import { RoundRobin } from './roundRobin.js';
import { asError, type ImagePreparer } from './imagePreparer.js';
import type { EngineStage } from './work.js';

/** What waits for features: a job of some requester, for one image. */
export interface FeatureWaiter {
  readonly requester: string;
  readonly imageId: string;
}

export interface FeatureSupplyOptions {
  /** Images per vision-encoder pass. */
  readonly maxVisionBatch: number;
  /** Images preprocessed ahead of the vision encoder (bounds the ~7 MB of pixels each holds). */
  readonly prefetch: number;
}

export interface FeatureSupplyEvents<J> {
  /** Features for a waiting job (from the encoder; cached ones are answered by `request`). */
  ready(job: J, features: Float32Array): void;
  failed(job: J, error: Error): void;
  imagesEncoded(count: number): void;
  stage(stage: EngineStage, ms: number): void;
  /** Something became runnable (an image finished preprocessing). */
  wake(): void;
}

type ImageState = 'queued' | 'preparing' | 'prepared' | 'encoding';

interface PendingImage<J> {
  readonly id: string;
  readonly requester: string;
  bytes: Uint8Array | undefined;
  readonly jobs: Set<J>;
  state: ImageState;
  prepared: PreparedImage | undefined;
  /** A pass with other images failed: this one goes again alone, so a bad image fails only its jobs. */
  alone: boolean;
}

export class FeatureSupply<J extends FeatureWaiter> {
  private readonly images = new Map<string, PendingImage<J>>();
  /** Images not yet preprocessing, in fair order. */
  private readonly queue = new RoundRobin<PendingImage<J>>();
  /** Prepared images in the order they became ready. */
  private readonly prepared: PendingImage<J>[] = [];
  private preparing = 0;
  private pass: { readonly pass: VisionPass; readonly images: readonly PendingImage<J>[] } | undefined;

  constructor(
    private readonly encoder: VisionEncoder,
    private readonly preparer: ImagePreparer,
    private readonly cache: FeatureCache,
    private readonly cacheKey: (imageId: string) => string,
    private readonly options: FeatureSupplyOptions,
    private readonly events: FeatureSupplyEvents<J>,
  ) {}

  /**
   * Features for `job`: cached ones at once, else undefined and `ready` (or `failed`) later. `bytes`
   * are the image's, needed when no job is already waiting for it.
   */
  request(job: J, bytes: Uint8Array | undefined): Float32Array | undefined {
    let image = this.images.get(job.imageId);
    // An image already on its way is not looked up (nor counted as a miss) again.
    if (!image) {
      const cached = this.cache.get(this.cacheKey(job.imageId));
      if (cached) return cached;
      if (!bytes) throw new Error(`no bytes were sent for image ${job.imageId}`);
      image = { id: job.imageId, requester: job.requester, bytes, jobs: new Set(), state: 'queued', prepared: undefined, alone: false };
      this.images.set(image.id, image);
      this.queue.push(image.requester, image);
    }
    image.jobs.add(job);
    this.prepareAhead();
    return undefined;
  }

  /** The job no longer wants features; an image nobody wants leaves the queue (a pass in progress finishes). */
  cancel(job: J): void {
    const image = this.images.get(job.imageId);
    if (!image?.jobs.delete(job) || image.jobs.size > 0) return;
    if (image.state === 'queued') this.queue.remove((candidate) => candidate === image);
    if (image.state === 'prepared') this.prepared.splice(this.prepared.indexOf(image), 1);
    if (image.state !== 'encoding') this.images.delete(image.id);
  }

  /**
   * Whether a vision-encoder stage can run now: a pass is under way, or enough images are prepared
   * to start one (with `maxVisionBatch` > 1, images still being preprocessed are waited for).
   */
  get hasUnit(): boolean {
    if (this.pass !== undefined) return true;
    const available = this.prepared.length;
    return available > 0 && available >= Math.min(this.options.maxVisionBatch, available + this.preparing);
  }

  /** Images waiting for features (queued, preprocessing, prepared or encoding). */
  get pending(): number {
    return this.images.size;
  }

  /** Runs one stage of the current pass, starting a pass over the next prepared images if none runs. */
  async runUnit(): Promise<void> {
    if (!this.pass) {
      const images = this.nextPassImages();
      if (images.length === 0) return;
      for (const image of images) image.state = 'encoding';
      // Each image keeps its pixels until its pass succeeds: a failed pass of several retries them alone.
      try {
        this.pass = { pass: this.encoder.begin(images.map((image) => image.prepared!)), images };
      } catch (error) {
        this.passFailed(images, asError(error));
        return;
      }
    }
    const { pass, images } = this.pass;
    const started = performance.now();
    try {
      await pass.step();
    } catch (error) {
      this.pass = undefined;
      this.passFailed(images, asError(error));
      return;
    } finally {
      this.events.stage('vision', performance.now() - started);
    }
    if (!pass.done) return;
    this.pass = undefined;
    const features = pass.features();
    images.forEach((image, i) => this.deliver(image, features[i]!));
    this.events.imagesEncoded(images.length);
    this.prepareAhead();
  }

  private nextPassImages(): PendingImage<J>[] {
    const first = this.prepared.shift();
    if (!first) return [];
    const images = [first];
    while (!first.alone && images.length < this.options.maxVisionBatch) {
      const index = this.prepared.findIndex((image) => !image.alone);
      if (index < 0) break;
      images.push(...this.prepared.splice(index, 1));
    }
    return images;
  }

  /** Starts preprocessing queued images until `prefetch` are preparing or prepared. */
  private prepareAhead(): void {
    // Never fewer than a pass's worth, or a pass of several images could never fill.
    while (this.preparing + this.prepared.length < Math.max(this.options.prefetch, this.options.maxVisionBatch)) {
      const image = this.queue.next();
      if (!image) return;
      this.queue.remove((candidate) => candidate === image);
      image.state = 'preparing';
      this.preparing++;
      const bytes = image.bytes!;
      image.bytes = undefined;
      const started = performance.now();
      this.preparer.prepare(bytes).then(
        (prepared) => {
          this.preparing--;
          this.events.stage('preprocess', performance.now() - started);
          if (this.images.get(image.id) !== image) return this.prepareAhead(); // nobody wants it any more
          image.state = 'prepared';
          image.prepared = prepared;
          this.prepared.push(image);
          this.events.wake();
        },
        (error: unknown) => {
          this.preparing--;
          this.fail(image, asError(error));
          this.prepareAhead();
          this.events.wake();
        },
      );
    }
  }

  /** A pass over several images failed: each goes again alone; a pass over one fails its jobs. */
  private passFailed(images: readonly PendingImage<J>[], error: Error): void {
    if (images.length === 1) {
      this.fail(images[0]!, error);
      return;
    }
    for (const image of images) {
      if (image.jobs.size === 0) {
        this.images.delete(image.id);
        continue;
      }
      image.alone = true;
      image.state = 'prepared';
      this.prepared.push(image);
    }
    this.events.wake();
  }

  private deliver(image: PendingImage<J>, features: Float32Array): void {
    this.images.delete(image.id);
    image.prepared = undefined;
    this.cache.set(this.cacheKey(image.id), features);
    for (const job of image.jobs) this.events.ready(job, features);
  }

  private fail(image: PendingImage<J>, error: Error): void {
    this.images.delete(image.id);
    for (const job of image.jobs) this.events.failed(job, error);
  }
}
