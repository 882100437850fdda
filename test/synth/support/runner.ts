/**
 * A minimal Florence-2 pipeline straight on onnxruntime-node, for the generator's own tests: run
 * each graph, build the empty step-0 cache from inputMetadata the way transformers.js does, and
 * decode greedily with forced <s> and no-repeat-3-gram (INTERFACE.md §6.3).
 */
import * as ort from 'onnxruntime-node';
import { join } from 'node:path';

export const IMAGE_SIDE = 768;
const BOS = 0;
const PAD = 1;
const EOS = 2;
const DECODER_START = 2;
const NO_REPEAT_NGRAM = 3;

export type Feeds = Record<string, ort.Tensor>;

export interface StepResult {
  readonly logits: ort.Tensor;
  /** present.* renamed to past_key_values.* */
  readonly past: Feeds;
}

export class Runner {
  private constructor(
    readonly vision: ort.InferenceSession,
    readonly embed: ort.InferenceSession,
    readonly encoder: ort.InferenceSession,
    readonly decoder: ort.InferenceSession,
  ) {}

  static async load(dir: string, suffix = ''): Promise<Runner> {
    const open = (name: string): Promise<ort.InferenceSession> => ort.InferenceSession.create(join(dir, 'onnx', `${name}${suffix}.onnx`));
    return new Runner(
      await open('vision_encoder'),
      await open('embed_tokens'),
      await open('encoder_model'),
      await open('decoder_model_merged'),
    );
  }

  async release(): Promise<void> {
    await Promise.all([this.vision.release(), this.embed.release(), this.encoder.release(), this.decoder.release()]);
  }

  async imageFeatures(pixels: Float32Array, batch = 1): Promise<ort.Tensor> {
    const out = await this.vision.run({ pixel_values: new ort.Tensor('float32', pixels, [batch, 3, IMAGE_SIDE, IMAGE_SIDE]) });
    return must(out.image_features);
  }

  async embedIds(ids: readonly (readonly number[])[]): Promise<ort.Tensor> {
    const width = ids[0]?.length ?? 0;
    const flat = BigInt64Array.from(ids.flat(), (v) => BigInt(v));
    const out = await this.embed.run({ input_ids: new ort.Tensor('int64', flat, [ids.length, width]) });
    return must(out.inputs_embeds);
  }

  /**
   * Encoder over [image ; prompt] for a batch of prompts right-padded with <pad>; `features` holds
   * one image row per prompt.
   */
  async encode(features: ort.Tensor, prompts: readonly (readonly number[])[]): Promise<{ hidden: ort.Tensor; mask: ort.Tensor }> {
    const width = Math.max(...prompts.map((p) => p.length));
    const padded = prompts.map((p) => [...p, ...Array<number>(width - p.length).fill(PAD)]);
    const text = await this.embedIds(padded);
    const [batch, imageTokens, d] = features.dims as [number, number, number];
    const total = imageTokens + width;
    const embeds = new Float32Array(batch * total * d);
    const img = features.data as Float32Array;
    const txt = text.data as Float32Array;
    const maskData = new BigInt64Array(batch * total);
    for (let b = 0; b < batch; b++) {
      embeds.set(img.subarray(b * imageTokens * d, (b + 1) * imageTokens * d), b * total * d);
      embeds.set(txt.subarray(b * width * d, (b + 1) * width * d), (b * total + imageTokens) * d);
      const length = prompts[b]?.length ?? 0;
      for (let t = 0; t < total; t++) maskData[b * total + t] = t < imageTokens + length ? 1n : 0n;
    }
    const mask = new ort.Tensor('int64', maskData, [batch, total]);
    const out = await this.encoder.run({ inputs_embeds: new ort.Tensor('float32', embeds, [batch, total, d]), attention_mask: mask });
    return { hidden: must(out.last_hidden_state), mask };
  }

  /** Zero-length caches shaped from inputMetadata: batch_size -> B, other symbols -> 0. */
  emptyPast(batch: number): Feeds {
    const feeds: Feeds = {};
    for (const meta of this.decoder.inputMetadata) {
      if (!meta.name.startsWith('past_key_values.') || !meta.isTensor) continue;
      const shape = meta.shape.map((d) => (typeof d === 'number' ? d : d === 'batch_size' ? batch : 0));
      feeds[meta.name] = new ort.Tensor('float32', new Float32Array(0), shape);
    }
    return feeds;
  }

  async decoderStep(ids: readonly (readonly number[])[], hidden: ort.Tensor, mask: ort.Tensor, past?: Feeds): Promise<StepResult> {
    const embeds = await this.embedIds(ids);
    const useCache = past !== undefined;
    const out = await this.decoder.run({
      inputs_embeds: embeds,
      encoder_hidden_states: hidden,
      encoder_attention_mask: mask,
      use_cache_branch: new ort.Tensor('bool', Uint8Array.of(useCache ? 1 : 0), [1]),
      ...(past ?? this.emptyPast(ids.length)),
    });
    const next: Feeds = {};
    for (const [name, tensor] of Object.entries(out)) {
      if (!name.startsWith('present.')) continue;
      const pastName = name.replace('present.', 'past_key_values.');
      // Keep the step-0 cross-attention cache, as transformers.js does.
      next[pastName] = useCache && name.includes('.encoder.') && past?.[pastName] ? past[pastName] : tensor;
    }
    return { logits: must(out.logits), past: next };
  }

  /** Greedy decoding of one image + prompt; returns the whole sequence starting with 2. */
  async generate(pixels: Float32Array, prompt: readonly number[], maxNewTokens: number): Promise<number[]> {
    const features = await this.imageFeatures(pixels);
    const { hidden, mask } = await this.encode(features, [prompt]);
    const seq = [DECODER_START];
    let past: Feeds | undefined;
    let last = DECODER_START;
    while (seq.length < maxNewTokens + 1) {
      const step = await this.decoderStep([[last]], hidden, mask, past);
      past = step.past;
      const logits = lastRow(step.logits, 0);
      if (seq.length === 1) last = BOS;
      else {
        for (const banned of bannedByNgram(seq)) logits[banned] = -Infinity;
        last = argmax(logits);
      }
      seq.push(last);
      if (last === EOS) break;
    }
    return seq;
  }
}

function must(t: ort.OnnxValue | undefined): ort.Tensor {
  if (!(t instanceof ort.Tensor)) throw new Error('missing output');
  return t;
}

/** logits[b, -1, :] as a copy. */
export function lastRow(logits: ort.Tensor, b: number): Float32Array {
  const [, s, v] = logits.dims as [number, number, number];
  const data = logits.data as Float32Array;
  return data.slice((b * s + s - 1) * v, (b * s + s) * v);
}

/** logits[b, i, :] as a view. */
export function row(logits: ort.Tensor, b: number, i: number): Float32Array {
  const [, s, v] = logits.dims as [number, number, number];
  return (logits.data as Float32Array).subarray((b * s + i) * v, (b * s + i + 1) * v);
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if ((values[i] ?? -Infinity) > (values[best] ?? -Infinity)) best = i;
  return best;
}

export function bannedByNgram(seq: readonly number[]): number[] {
  if (seq.length + 1 < NO_REPEAT_NGRAM) return [];
  const prefix = seq.slice(-(NO_REPEAT_NGRAM - 1)).join(',');
  const banned: number[] = [];
  for (let i = 0; i + NO_REPEAT_NGRAM <= seq.length; i++) {
    if (seq.slice(i, i + NO_REPEAT_NGRAM - 1).join(',') === prefix) banned.push(seq[i + NO_REPEAT_NGRAM - 1] as number);
  }
  return banned;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return max;
}
