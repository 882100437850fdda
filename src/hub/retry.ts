/**
 * Bounded retries with exponential backoff for network failures. A download that breaks keeps its
 * bytes on disk, so the next attempt resumes with a Range request instead of starting over.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { isRetryable } from './errors.js';

export interface RetryOptions {
  /** Tries in all, the first included; 1 means no retry. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Injected by tests; defaults to a real timer. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Told about each retry (the progress reporter prints it). */
  readonly onRetry?: (error: Error, attempt: number, delayMs: number) => void;
}

/** Five tries over about 15 s ride out a hub restart or a CDN hiccup without hanging a CI job for long. */
export const DEFAULT_RETRY: RetryOptions = { attempts: 5, baseDelayMs: 1000, maxDelayMs: 8000 };

export async function withRetries<T>(options: RetryOptions, attempt: (n: number) => Promise<T>): Promise<T> {
  const sleep = options.sleep ?? ((ms: number) => delay(ms));
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (!isRetryable(error) || n >= options.attempts) throw error;
      // Full jitter would be kinder to a busy hub, but a fixed doubling keeps test timing predictable.
      const wait = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (n - 1));
      options.onRetry?.(error as Error, n, wait);
      await sleep(wait);
    }
  }
}
