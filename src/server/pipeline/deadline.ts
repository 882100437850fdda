/**
 * The request deadline (REQUEST_TIMEOUT_MS): each query's, and each subscription's, AbortSignal
 * fires with DeadlineExceededError when it passes, so the engine drops the request's queued work and
 * the unfinished fields answer DEADLINE_EXCEEDED. The server owns the code: only it sets deadlines.
 */
import type { Request, Response } from 'express';
import { CodedError } from '../../shared/errors.js';

/** Stable machine-readable codes of the server's own failures. */
export type ServerErrorCode = 'DEADLINE_EXCEEDED';

/** The request's deadline passed before its work was done; queued work for it was dropped. */
export class DeadlineExceededError extends CodedError<ServerErrorCode> {
  constructor(timeoutMs: number) {
    super('DEADLINE_EXCEEDED', `the request's ${timeoutMs} ms deadline passed before this field was computed`);
  }
}

/** Aborts when the request's deadline passes or its client goes away before the answer. */
export function requestSignal(req: Request, res: Response, timeoutMs: number): AbortSignal {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DeadlineExceededError(timeoutMs)), timeoutMs);
  timer.unref();
  res.on('close', () => {
    clearTimeout(timer);
    if (!res.writableFinished) controller.abort(new Error('the client closed the connection'));
  });
  req.on('aborted', () => controller.abort(new Error('the client aborted the request')));
  return controller.signal;
}
