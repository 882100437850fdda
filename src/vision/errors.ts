/**
 * Typed errors of the Florence-2 runtime. Each failure kind has one class and one stable `code`,
 * so callers (the CLI, the GraphQL layer) map them without parsing messages. Messages say what was
 * expected and what arrived.
 */

/** Stable machine-readable codes of runtime failures. */
export type FlorenceErrorCode =
  | 'UNKNOWN_TASK'
  | 'BAD_INPUT'
  | 'BAD_IMAGE'
  | 'IMAGE_TOO_LARGE'
  | 'MODEL_FILES'
  | 'MODEL_ERROR'
  | 'FETCH_REFUSED'
  | 'FETCH_FAILED'
  | 'IMAGE_NOT_FOUND'
  | 'DEADLINE_EXCEEDED'
  | 'BUSY'
  | 'DISPOSED'
  // Cost and abuse limits of the GraphQL layer (src/graphql/cost/errors.ts).
  | 'BUDGET_EXCEEDED'
  | 'QUERY_TOO_COSTLY'
  | 'QUERY_TOO_DEEP'
  | 'TOO_MANY_ALIASES'
  | 'TOO_MANY_TASK_FIELDS'
  | 'INTROSPECTION_DISABLED';

export class FlorenceError extends Error {
  readonly code: FlorenceErrorCode;
  constructor(code: FlorenceErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

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

/** The request's deadline passed before its work was done; queued work for it was dropped. */
export class DeadlineExceededError extends FlorenceError {
  constructor(timeoutMs: number) {
    super('DEADLINE_EXCEEDED', `the request's ${timeoutMs} ms deadline passed before this field was computed`);
  }
}
