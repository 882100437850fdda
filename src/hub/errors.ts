/**
 * Failures of a model pull. One class with a `kind`, so callers decide what to do without
 * parsing messages: `serve` treats `network` and `offline` as "no model yet" and prints its help
 * paragraph, while `integrity` or `auth` are reported as they are. It extends vision's
 * ModelFilesError (code MODEL_FILES, a CodedError like every typed error) rather than declaring a code
 * of its own: a failed pull is a model folder that cannot be had, and `model pull` reports every
 * ModelFilesError as a failed exit with its message, not a stack trace.
 */
import { ModelFilesError } from '../vision/errors.js';

export type HubErrorKind =
  /** The hub could not be reached, the connection broke, or it kept answering 5xx/429. */
  | 'network'
  /** HF_HUB_OFFLINE is set and the cached copy lacks files. */
  | 'offline'
  /** 401/403: a private or gated repository, or a bad HF_TOKEN. */
  | 'auth'
  /** 404: no such repository, revision or file. */
  | 'not-found'
  /** Size or hash of downloaded bytes differs from what the hub announced. */
  | 'integrity'
  /** The hub sent something this client refuses: an unsafe path, malformed JSON, a bad redirect. */
  | 'protocol'
  /** The repository lacks the files of the requested dtype. */
  | 'dtype'
  /** Bad arguments: repository name, revision, dtype spec. */
  | 'usage'
  /** Another process is pulling into the same folder. */
  | 'busy';

export class HubError extends ModelFilesError {
  readonly kind: HubErrorKind;
  constructor(kind: HubErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
  }
}

/** Errors worth another attempt: the next try resumes from the bytes already on disk. */
export function isRetryable(error: unknown): boolean {
  return error instanceof HubError && error.kind === 'network';
}
