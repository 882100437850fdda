/**
 * An async iterator fed by callbacks, for a subscription's source stream. Intermediate values may
 * be replaced by newer ones when the consumer (the WebSocket) is slower than the producer: every
 * progress event carries the whole text so far, so only the newest matters. The final value is
 * never dropped. Ending the iteration early (unsubscribe, closed socket) calls `onReturn`.
 */
export class LatestValueChannel<T> implements AsyncIterableIterator<T> {
  private latest: { value: T } | undefined;
  private final: { value: T } | undefined;
  private ended = false;
  private waiting: ((result: IteratorResult<T>) => void) | undefined;

  constructor(private readonly onReturn: () => void) {}

  /** Offers a value that a newer one may replace before it is read. */
  push(value: T): void {
    if (this.ended || this.final) return;
    this.latest = { value };
    this.flush();
  }

  /** The last value: read after any pending one, then the iteration ends. */
  finish(value: T): void {
    if (this.ended || this.final) return;
    this.final = { value };
    this.flush();
  }

  next(): Promise<IteratorResult<T>> {
    const ready = this.take();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<T>> {
    if (!this.ended) {
      this.ended = true;
      this.onReturn();
      this.waiting?.({ done: true, value: undefined });
      this.waiting = undefined;
    }
    return Promise.resolve({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private flush(): void {
    if (!this.waiting) return;
    const ready = this.take();
    if (!ready) return;
    const resolve = this.waiting;
    this.waiting = undefined;
    resolve(ready);
  }

  private take(): IteratorResult<T> | undefined {
    if (this.ended) return { done: true, value: undefined };
    if (this.latest) {
      const { value } = this.latest;
      this.latest = undefined;
      return { done: false, value };
    }
    if (this.final) {
      const { value } = this.final;
      this.final = undefined;
      this.ended = true;
      return { done: false, value };
    }
    return undefined;
  }
}
