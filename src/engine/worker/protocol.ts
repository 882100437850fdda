/**
 * Messages between the request thread and the workers (src/engine/worker/): the model worker runs
 * the scheduler and every graph, the preprocessing worker turns image bytes into pixels.
 * Payloads are plain data (structured clone); errors cross as SerializedError so a coded error (any
 * layer's CodedError: the model's, or a request's deadline passed in as a cancel reason) keeps its
 * code, and so its GraphQL error code, on the other side.
 */
import { CodedError } from '../../shared/errors.js';
import type { DtypeOption } from '../../vision/modelFiles.js';
import type { ExecutionDevice } from '../../vision/onnxSession.js';
import type { ImageLimits, PreparedImage } from '../../vision/image.js';
import type { RunResult } from '../../vision/florence2.js';
import type { SchedulerOptions } from '../scheduler.js';
import type { EngineStage, ImageBytes, Progress, SchedulerSnapshot, WorkItem } from '../work.js';

/** What the model worker loads: the model folder and how to run it. */
export interface ModelLoadSettings {
  readonly modelDir: string;
  readonly dtype?: DtypeOption;
  readonly threads?: number;
  readonly device?: ExecutionDevice;
  readonly imageLimits?: ImageLimits;
  /** Stages the vision encoder is cut into (visionEncoder.ts). */
  readonly visionStages?: number;
}

export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
}

/** Request thread → model worker. */
export type ModelWorkerCommand =
  | { readonly type: 'connect'; readonly options: SchedulerOptions }
  | { readonly type: 'submit'; readonly images: readonly ImageBytes[]; readonly items: readonly WorkItem[] }
  | { readonly type: 'cancel'; readonly id: number; readonly reason: SerializedError }
  | { readonly type: 'stream'; readonly id: number }
  | { readonly type: 'close'; readonly reason: SerializedError };

/** Scheduler events as messages, in the order they happened. */
export type SchedulerEventMessage =
  | { readonly type: 'started'; readonly id: number }
  | { readonly type: 'progress'; readonly id: number; readonly progress: Progress }
  /** `snapshot`: the model side's state when the outcome was ready, so stats read after a result include its work. */
  | {
      readonly type: 'settled';
      readonly id: number;
      readonly result?: RunResult;
      readonly error?: SerializedError;
      readonly snapshot: SchedulerSnapshot;
    }
  | { readonly type: 'batch'; readonly jobs: number; readonly images: number }
  | { readonly type: 'imagesEncoded'; readonly count: number }
  | { readonly type: 'stage'; readonly stage: EngineStage; readonly ms: number };

/** A worker → the request thread. */
export type WorkerReport =
  | { readonly type: 'ready'; readonly device: ExecutionDevice; readonly deviceFallback?: string }
  | { readonly type: 'failed'; readonly error: SerializedError }
  | { readonly type: 'closed' }
  | SchedulerEventMessage;

/** Model worker → preprocessing worker (over their own channel). */
export interface PrepareRequest {
  readonly type: 'prepare';
  readonly request: number;
  readonly bytes: Uint8Array;
}

/** Preprocessing worker → model worker: the prepared image, or why it could not be. */
export interface PrepareReply {
  readonly type: 'prepared';
  readonly request: number;
  readonly image?: PreparedImage;
  readonly error?: SerializedError;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof CodedError) return { name: error.name, message: error.message, code: error.code };
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

/**
 * The error again: a CodedError with its code where it had one (its class stays on the other side;
 * `name` keeps what it was called), else a plain Error.
 */
export function deserializeError(serialized: SerializedError): Error {
  const error = serialized.code ? new CodedError(serialized.code, serialized.message) : new Error(serialized.message);
  error.name = serialized.name;
  return error;
}

export function isSerializedError(value: unknown): value is SerializedError {
  return (
    typeof value === 'object' && value !== null && !ArrayBuffer.isView(value) && typeof (value as SerializedError).message === 'string'
  );
}

/** The buffers of `bytes`, detached and handed over rather than copied (a view of part of a buffer is copied first). */
export function transferable(bytes: Uint8Array): { readonly bytes: Uint8Array; readonly buffer: ArrayBuffer } {
  const own =
    bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer ? bytes : bytes.slice();
  return { bytes: own, buffer: own.buffer as ArrayBuffer };
}
