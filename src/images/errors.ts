/**
 * Typed errors of the image-source layer. Fetch failures split in two because callers treat them
 * differently: a refusal is our policy saying no (retrying never helps), a failure is the remote side
 * or the network (a retry might). Over-size bodies are `ImageTooLargeError` (IMAGE_TOO_LARGE) and
 * malformed user input is `TaskInputError` (BAD_INPUT), both from `../vision/errors.js`, so one
 * failure kind keeps one code wherever the image came from.
 */
import { CodedError } from '../shared/errors.js';
import { SettingError } from '../shared/settings.js';

/** Stable machine-readable codes of the image sources' own failures. */
export type ImageSourceErrorCode = 'FETCH_REFUSED' | 'FETCH_FAILED' | 'IMAGE_NOT_FOUND';

/** Why a fetch was refused before (or instead of) talking to the remote host. */
export type FetchRefusalReason =
  /** Not http: or https:, including a redirect to file:, data:, ftp:… */
  | 'scheme'
  /** `user:password@` in the URL: we never send credentials to user-chosen hosts. */
  | 'credentials'
  /** The host is, or resolves to, a loopback/private/metadata/… address not allowed by ALLOW_HOSTS. */
  | 'address'
  /** More redirects than the configured limit. */
  | 'redirects';

/** Our policy refused the fetch: scheme, credentials, address class or redirect limit. */
export class FetchRefusedError extends CodedError<ImageSourceErrorCode> {
  readonly reason: FetchRefusalReason;
  constructor(reason: FetchRefusalReason, message: string) {
    super('FETCH_REFUSED', message);
    this.reason = reason;
  }
}

/** What went wrong on the remote side or the network. */
export type FetchFailureReason =
  /** The host name does not resolve. */
  | 'dns'
  /** The TCP/TLS connection failed or was reset. */
  | 'connect'
  /** The overall deadline (connect + headers + body, across redirects) passed. */
  | 'timeout'
  /** The caller's AbortSignal fired. */
  | 'cancelled'
  /** HTTP status ≥ 400, or a status we cannot use (a 3xx without Location, 300, 304…). */
  | 'status';

/** The remote host or the network failed us: DNS, connection, deadline, cancellation, HTTP status. */
export class FetchFailedError extends CodedError<ImageSourceErrorCode> {
  readonly reason: FetchFailureReason;
  /** The HTTP status when `reason` is 'status'. */
  readonly status: number | undefined;
  constructor(reason: FetchFailureReason, message: string, options?: { cause?: unknown; status?: number }) {
    super('FETCH_FAILED', message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.reason = reason;
    this.status = options?.status;
  }
}

/**
 * A bad image-layer setting (ALLOW_HOSTS) found at startup. Not a CodedError: it is the
 * operator's mistake, raised before any request exists, so it has no client-facing code.
 */
export class ImageConfigError extends SettingError {}

/** `image(id:)` names no stored upload (never uploaded, or expired). */
export class ImageNotFoundError extends CodedError<ImageSourceErrorCode> {
  constructor(message: string) {
    super('IMAGE_NOT_FOUND', message);
  }
}
