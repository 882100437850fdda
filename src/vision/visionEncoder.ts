/**
 * The vision encoder graph: preprocessed images in, image features out. It is the one inference
 * that takes seconds per image on a CPU (~2 s at base size on 2 cores), so it can be loaded cut into
 * consecutive stages (graphSplit.ts) and run a stage at a time: a scheduler then puts decode steps
 * and other requests' work between the stages instead of making them wait for the whole image.
 * Stage by stage or whole, the features are the same.
 */
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { ModelFilesError, ModelRunError } from './errors.js';
import { splitGraph, type GraphStage } from './graphSplit.js';
import type { PreparedImage } from './image.js';
import { OnnxSession, floatData, type ExpectedInterface, type SessionSettings } from './onnxSession.js';

export const VISION_INTERFACE: ExpectedInterface = { inputs: ['pixel_values'], outputs: ['image_features'] };

/** The side of the square image the vision encoder takes (768 for every Florence-2). */
export const IMAGE_SIZE = 768;

/** One stage's session and what it reads and hands on. */
interface Stage {
  readonly session: OnnxSession;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

export class VisionEncoder {
  /** For each tensor passed between stages, the last stage that reads it (so it is freed after). */
  private readonly lastReader = new Map<string, number>();

  private constructor(
    private readonly stages: readonly Stage[],
    /** Why the graph runs whole though stages were asked for (external weights, control flow…). */
    readonly splitRefusal: string | undefined,
  ) {
    stages.forEach((stage, index) => stage.inputs.forEach((name) => this.lastReader.set(name, index)));
  }

  /** Loads the graph whole (`stages` 1) or cut into up to `stages` stages. */
  static async load(file: string, settings: SessionSettings = {}, stages = 1): Promise<VisionEncoder> {
    if (stages <= 1) {
      const session = await OnnxSession.load(file, VISION_INTERFACE, settings);
      return new VisionEncoder([{ session, inputs: VISION_INTERFACE.inputs, outputs: VISION_INTERFACE.outputs }], undefined);
    }
    let bytes: Uint8Array;
    try {
      bytes = await readFile(file);
    } catch (error) {
      throw new ModelFilesError(`${file} could not be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
        cause: error,
      });
    }
    let split;
    try {
      split = splitGraph(bytes, stages);
    } catch (error) {
      split = { refused: `it could not be parsed (${(error as Error).message})` };
    }
    if ('refused' in split) {
      const whole = await VisionEncoder.load(file, settings, 1);
      return new VisionEncoder(whole.stages, split.refused);
    }
    return new VisionEncoder(await loadStages(file, split.stages, settings), undefined);
  }

  /** Stages a pass runs (1 when the graph runs whole). */
  get stageCount(): number {
    return this.stages.length;
  }

  /** A pass over `images` in one call per stage: `step()` until `done`, then `features()`. */
  begin(images: readonly PreparedImage[]): VisionPass {
    return new VisionPass(this, images);
  }

  /** Images → features per image ([577 × D] each), all stages at once. */
  async encodeImages(images: readonly PreparedImage[]): Promise<Float32Array[]> {
    if (images.length === 0) return [];
    const pass = this.begin(images);
    while (!pass.done) await pass.step();
    return pass.features();
  }

  /**
   * Runs `passes` passes over a blank image and drops the features. onnxruntime sizes its memory
   * arenas on the first runs of a shape: measured at base size on 2 cores, a pass in 4 stages takes
   * 2.8 s, then 2.1 s, then 1.45 s from the third on (whole: 2.0 s, 1.6 s, then 1.35 s). A server pays
   * that at start-up instead of on its first users' images.
   */
  async warmUp(passes = 2): Promise<void> {
    const blank: PreparedImage = {
      width: IMAGE_SIZE,
      height: IMAGE_SIZE,
      format: 'png',
      pixelValues: new Float32Array(3 * IMAGE_SIZE * IMAGE_SIZE),
    };
    for (let pass = 0; pass < passes; pass++) await this.encodeImages([blank]);
  }

  get usage(): { readonly runs: number; readonly busyMs: number } {
    let runs = 0;
    let busyMs = 0;
    for (const stage of this.stages) {
      busyMs += stage.session.usage.busyMs;
      runs += stage.session.usage.runs;
    }
    // A pass counts as one run of the vision encoder, whatever its stage count.
    return { runs: runs / this.stages.length, busyMs };
  }

  async release(): Promise<void> {
    await Promise.all(this.stages.map((stage) => stage.session.release()));
  }

  /** Runs stage `index` on the tensors so far; adds its outputs and drops what no later stage reads. */
  async runStage(index: number, tensors: Map<string, ort.Tensor>): Promise<void> {
    const stage = this.stages[index]!;
    const feeds: Record<string, ort.Tensor> = {};
    for (const name of stage.inputs) {
      const tensor = tensors.get(name);
      if (!tensor) throw new ModelFilesError(`vision encoder stage ${index + 1} needs ${name}, which no earlier stage produced`);
      feeds[name] = tensor;
    }
    const out = await stage.session.run(feeds, stage.outputs);
    for (const name of stage.outputs) tensors.set(name, out[name]!);
    for (const name of stage.inputs) if ((this.lastReader.get(name) ?? -1) <= index) tensors.delete(name);
  }

  /** pixel_values for a batch of images (NCHW, concatenated), in the type the first stage declares. */
  pixelInput(images: readonly PreparedImage[]): ort.Tensor {
    const plane = 3 * IMAGE_SIZE * IMAGE_SIZE;
    images.forEach((image, i) => {
      if (image.pixelValues.length !== plane) {
        throw new ModelRunError(
          `image ${i + 1} of the vision-encoder batch has ${image.pixelValues.length} pixel values; expected 3 × ${IMAGE_SIZE} × ` +
            `${IMAGE_SIZE}`,
        );
      }
    });
    let pixels = images[0]!.pixelValues;
    if (images.length > 1) {
      pixels = new Float32Array(plane * images.length);
      images.forEach((image, i) => pixels.set(image.pixelValues, i * plane));
    }
    return this.stages[0]!.session.floatInput('pixel_values', pixels, [images.length, 3, IMAGE_SIZE, IMAGE_SIZE]);
  }
}

/** One pass of the vision encoder over a batch of images, a stage at a time. */
export class VisionPass {
  private readonly tensors = new Map<string, ort.Tensor>();
  private next = 0;

  constructor(
    private readonly encoder: VisionEncoder,
    private readonly images: readonly PreparedImage[],
  ) {
    if (images.length === 0) throw new RangeError('a vision pass needs at least one image');
    this.tensors.set('pixel_values', encoder.pixelInput(images));
  }

  get done(): boolean {
    return this.next >= this.encoder.stageCount;
  }

  /** Runs the next stage. */
  async step(): Promise<void> {
    if (this.done) throw new RangeError('the vision pass has run all its stages');
    await this.encoder.runStage(this.next, this.tensors);
    this.next++;
  }

  /** Features per image, once every stage has run. */
  features(): Float32Array[] {
    const output = this.tensors.get('image_features');
    if (!this.done || !output) throw new RangeError('the vision pass has not finished');
    const all = floatData(output);
    if (this.images.length === 1) return [all];
    const per = all.length / this.images.length;
    return this.images.map((_, i) => all.slice(i * per, (i + 1) * per));
  }
}

/** One session per stage, loaded one after another; the first must read pixel_values and the last give image_features. */
async function loadStages(file: string, stages: readonly GraphStage[], settings: SessionSettings): Promise<Stage[]> {
  if (!stages[0]?.inputs.includes('pixel_values') || !stages.at(-1)?.outputs.includes('image_features')) {
    throw new ModelFilesError(`${file} does not have the Florence-2 interface: expected input pixel_values and output image_features`);
  }
  const loaded: Stage[] = [];
  try {
    for (const [index, stage] of stages.entries()) {
      const source = { file: `${file} (stage ${index + 1} of ${stages.length})`, bytes: stage.build() };
      const session = await OnnxSession.load(source, { inputs: stage.inputs, outputs: stage.outputs }, settings);
      loaded.push({ session, inputs: stage.inputs, outputs: stage.outputs });
    }
  } catch (error) {
    await Promise.all(loaded.map((stage) => stage.session.release()));
    throw error;
  }
  return loaded;
}
