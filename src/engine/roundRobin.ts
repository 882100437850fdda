/**
 * Work queued per owner, served round-robin across owners and in order within one: the engine's
 * fairness. One query asking for 200 region segments is one owner; a caption from another client
 * is another, and gets the next turn instead of waiting behind the 200.
 */
export class RoundRobin<T> {
  /** Owners in turn order (Map keeps insertion order; an owner served goes to the back). */
  private readonly queues = new Map<string, T[]>();

  get size(): number {
    let total = 0;
    for (const queue of this.queues.values()) total += queue.length;
    return total;
  }

  push(owner: string, item: T): void {
    const queue = this.queues.get(owner);
    if (queue) queue.push(item);
    else this.queues.set(owner, [item]);
  }

  /**
   * The first item, in turn order, that `accept` takes (the oldest acceptable one of the first owner
   * that has one); that owner moves to the back of the turn. The item stays queued: `remove` it when done.
   */
  next(accept: (item: T) => boolean = () => true): T | undefined {
    for (const [owner, queue] of this.queues) {
      const item = queue.find(accept);
      if (item === undefined) continue;
      this.queues.delete(owner);
      this.queues.set(owner, queue);
      return item;
    }
    return undefined;
  }

  /** Removes every item `match` selects; owners left without items leave the turn. */
  remove(match: (item: T) => boolean): void {
    for (const [owner, queue] of this.queues) {
      const kept = queue.filter((item) => !match(item));
      if (kept.length === 0) this.queues.delete(owner);
      else if (kept.length !== queue.length) this.queues.set(owner, kept);
    }
  }

  *items(): IterableIterator<T> {
    for (const queue of this.queues.values()) yield* queue;
  }
}
