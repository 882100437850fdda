/**
 * Time shares between kinds of work on one thread (stride scheduling): when several kinds have work,
 * each gets the thread in proportion to its weight, measured in milliseconds actually used; a kind
 * alone gets all of it. A kind that was idle starts level with the others that waited: no credit
 * banked while idle (a burst of new work cannot lock out what was already running) and no debt from
 * an earlier busy spell (new work is not held back for what it used while nothing else waited).
 */
export class TimeShares<K extends string> {
  /** Weighted milliseconds used so far, per kind: the kind furthest behind goes next. */
  private readonly used = new Map<K, number>();
  private lastPending = new Set<K>();

  constructor(private readonly weights: Readonly<Record<K, number>>) {
    for (const [kind, weight] of Object.entries(weights) as [K, number][]) {
      if (!(Number.isFinite(weight) && weight > 0)) throw new RangeError(`the share of ${kind} must be a positive number, got ${weight}`);
      this.used.set(kind, 0);
    }
  }

  /** The kind to run next among those with work (in the weights' order on ties), or undefined when none has. */
  pick(pending: readonly K[]): K | undefined {
    if (pending.length === 0) {
      this.lastPending = new Set();
      return undefined;
    }
    const waiting = [...this.lastPending].filter((kind) => pending.includes(kind));
    const floor =
      waiting.length > 0
        ? Math.min(...waiting.map((kind) => this.used.get(kind)!))
        : Math.min(...pending.map((kind) => this.used.get(kind)!));
    // A kind returning from idle starts level with those that waited: no credit banked while idle,
    // and no debt either (time it used in an earlier busy spell, while the others had nothing to do,
    // would otherwise make a short task's prompt wait for a long caption's decoding to "catch up").
    for (const kind of pending) if (!this.lastPending.has(kind)) this.used.set(kind, floor);
    this.lastPending = new Set(pending);
    let next: K | undefined;
    for (const kind of Object.keys(this.weights) as K[]) {
      if (!pending.includes(kind)) continue;
      if (next === undefined || this.used.get(kind)! < this.used.get(next)!) next = kind;
    }
    return next;
  }

  /** Counts `ms` of work done by `kind`. */
  charge(kind: K, ms: number): void {
    this.used.set(kind, this.used.get(kind)! + Math.max(0, ms) / this.weights[kind]);
  }
}
