/**
 * Typed errors of the Florence-2 runtime. Each failure kind has one class and one stable `code`,
 * so callers (the CLI, the GraphQL layer) map them without parsing messages. Messages say what was
 * expected and what arrived. Other layers declare their own codes on the same base
 * (`CodedError`, src/shared/errors.ts): images' fetch errors, the engine's BUSY, the GraphQL
 * layer's cost limits, the server's deadline.
 */
import { CodedError } from '../shared/errors.js';

/** Stable machine-readable codes of runtime failures. */
export type FlorenceErrorCode = 'UNKNOWN_TASK' | 'BAD_INPUT' | 'BAD_IMAGE' | 'IMAGE_TOO_LARGE' | 'MODEL_FILES' | 'MODEL_ERROR' | 'DISPOSED';

export class FlorenceError extends CodedError<FlorenceErrorCode> {}

/** A task string that is not one of the 15 Florence-2 task tokens. */
export class UnknownTaskError extends FlorenceError {
  constructor(message: string) {
    super('UNKNOWN_TASK', message);
  }
}

/** Text input missing where a task requires it, given where a task takes none, or malformed. */
export class TaskInputError extends FlorenceError {
  constructor(message: string) {
    super('BAD_INPUT', message);
  }
}

/** Image bytes that cannot be decoded, or an unsupported format. */
export class ImageDecodeError extends FlorenceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BAD_IMAGE', message, options);
  }
}

/** An image over the configured pixel limit. */
export class ImageTooLargeError extends FlorenceError {
  constructor(message: string) {
    super('IMAGE_TOO_LARGE', message);
  }
}

/** A model folder with a missing, unreadable or mismatched file. The message names the file. */
export class ModelFilesError extends FlorenceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MODEL_FILES', message, options);
  }
}

/** onnxruntime failed while running a graph. */
export class ModelRunError extends FlorenceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MODEL_ERROR', message, options);
  }
}

/** The model was disposed while work was still asked of it. */
export class DisposedError extends FlorenceError {
  constructor() {
    super('DISPOSED', 'the Florence-2 model was disposed; load it again before running tasks');
  }
}
