/**
 * The vision encoder graph alone: preprocessed images in, image features out. It is the one stage
 * that takes seconds per image on a CPU, so a server runs it on a thread of its own
 * (src/engine/worker/visionWorker.ts) while the text graphs keep decoding elsewhere.
 */
import type { PreparedImage } from './image.js';
import { OnnxSession, floatData, type ExpectedInterface, type SessionSettings } from './onnxSession.js';

export const VISION_INTERFACE: ExpectedInterface = { inputs: ['pixel_values'], outputs: ['image_features'] };

/** The side of the square image the vision encoder takes (768 for every Florence-2). */
export const IMAGE_SIZE = 768;

export class VisionEncoder {
  private constructor(readonly session: OnnxSession) {}

  static async load(file: string, settings: SessionSettings = {}): Promise<VisionEncoder> {
    return new VisionEncoder(await OnnxSession.load(file, VISION_INTERFACE, settings));
  }

  /** Images → features per image ([577 × D] each), in one call. */
  async encodeImages(images: readonly PreparedImage[]): Promise<Float32Array[]> {
    if (images.length === 0) return [];
    const plane = images[0]!.pixelValues.length;
    let pixels = images[0]!.pixelValues;
    if (images.length > 1) {
      pixels = new Float32Array(plane * images.length);
      images.forEach((image, i) => pixels.set(image.pixelValues, i * plane));
    }
    const input = this.session.floatInput('pixel_values', pixels, [images.length, 3, IMAGE_SIZE, IMAGE_SIZE]);
    const out = await this.session.run({ pixel_values: input });
    const all = floatData(out['image_features']!);
    if (images.length === 1) return [all];
    const per = all.length / images.length;
    return images.map((_, i) => all.slice(i * per, (i + 1) * per));
  }

  get usage(): { readonly runs: number; readonly busyMs: number } {
    return this.session.usage;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
