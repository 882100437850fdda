/** A deadline for one promise, so a hung store cannot hold a request (or shutdown) hostage. */

/** A store call that did not settle in time. */
export class StoreTimeoutError extends Error {
  constructor(what: string, timeoutMs: number) {
    super(`${what} did not answer within ${timeoutMs} ms`);
    this.name = new.target.name;
  }
}

/**
 * `promise`, or a StoreTimeoutError after `timeoutMs`. The timer is cleared when either settles, so
 * nothing is left to keep the process alive, and a late rejection of `promise` is swallowed instead
 * of surfacing as an unhandled rejection.
 */
export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  promise.catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StoreTimeoutError(what, timeoutMs)), timeoutMs);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
