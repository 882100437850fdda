/**
 * The floor of a workload: the time its ONNX graph calls took, summed — what the wall time would
 * be with no JavaScript, no copying between calls and no idle time around them. The engine and
 * the naive runtime count runs and busy milliseconds per graph (`Engine.modelUsage()`,
 * `Florence2Graphs.usage()`); a workload's share is the difference of two readings.
 *
 * In the gateway every graph runs on one thread (src/engine/worker/modelWorker.ts), one call at a
 * time, so the sum is a lower bound on the wall time, as it is for the one-task-at-a-time contenders.
 */
import type { GraphUsage } from '../src/engine/work.js';

export type GraphName = keyof GraphUsage;

/** Busy milliseconds per graph over some interval. */
export type GraphBusy = Record<GraphName, number>;

export const GRAPH_NAMES: readonly GraphName[] = ['vision_encoder', 'embed_tokens', 'encoder_model', 'decoder_model_merged'];

/** The floor of one workload, split by stage. */
export interface Floor {
  /** All graphs summed: the floor. */
  readonly totalMs: number;
  readonly visionMs: number;
  /** Token embedding and the text encoder: the prefill. */
  readonly textEncoderMs: number;
  readonly decoderMs: number;
}

/**
 * Busy time and calls per graph between two readings of the same counters; calls with busy time
 * give the cost of one call (a decode step…).
 */
export function usageBetween(before: GraphUsage, after: GraphUsage): { readonly busy: GraphBusy; readonly calls: GraphBusy } {
  const busy = {} as GraphBusy;
  const calls = {} as GraphBusy;
  for (const name of GRAPH_NAMES) {
    const ms = after[name].busyMs - before[name].busyMs;
    const runs = after[name].runs - before[name].runs;
    if (ms < 0 || runs < 0) {
      throw new RangeError(
        `${name}: usage went backwards between readings (runs ${before[name].runs} → ${after[name].runs}, ` +
          `busy ${before[name].busyMs} → ${after[name].busyMs} ms); were the counters reset?`,
      );
    }
    busy[name] = ms;
    calls[name] = runs;
  }
  return { busy, calls };
}

/** Busy time per graph between two readings of the same counters. */
export function busyBetween(before: GraphUsage, after: GraphUsage): GraphBusy {
  return usageBetween(before, after).busy;
}

export function floorOf(busy: GraphBusy): Floor {
  const visionMs = busy.vision_encoder;
  const textEncoderMs = busy.embed_tokens + busy.encoder_model;
  const decoderMs = busy.decoder_model_merged;
  return { totalMs: visionMs + textEncoderMs + decoderMs, visionMs, textEncoderMs, decoderMs };
}
