/**
 * A decode batch: the rows of several searches that advance together, one merged-decoder call per
 * step. Rows of one batch must share a decoder position: the merged decoder takes no position ids
 * and no decoder attention mask (INTERFACE.md §3), so it places every row's new token at the
 * batch's one past length. A search that starts later therefore cannot join a running batch
 * exactly; the engine runs one DecodeBatch per start step instead (src/engine/scheduler.ts).
 *
 * Rows leave as soon as their search finishes or is dropped (its caller gave up), and beam search
 * reorders its rows each step; every search gets exactly the tokens it would get alone.
 */
import type { DecodeRows, Florence2Graphs } from '../florence2Graphs.js';
import { createSearch, type SearchOutput, type SearchSettings, type SequenceSearch } from './search.js';

/** A search that left the batch: its output, or why it stopped. */
export interface DecodeExit {
  /** The member's index, as given to the constructor. */
  readonly member: number;
  readonly outcome: SearchOutput | Error;
}

export class DecodeBatch {
  private readonly searches: SequenceSearch[];
  /** Members still decoding, in row order. */
  private active: number[];
  /** The member owning each row of `state`. */
  private rowOwners: number[];
  private state: DecodeRows;
  private readonly dropped = new Map<number, Error>();
  private steps = 0;

  /**
   * `rows` holds one encoder row per member (row i is member i's), before step 0; beam searches are
   * expanded to their beam count here.
   */
  constructor(
    private readonly graphs: Florence2Graphs,
    rows: DecodeRows,
    settings: readonly SearchSettings[],
  ) {
    if (rows.batch !== settings.length)
      throw new RangeError(`a decode batch got ${settings.length} searches for ${rows.batch} encoder rows`);
    if (rows.cache !== undefined) throw new RangeError('a decode batch starts from encoder rows without a cache');
    this.searches = settings.map((setting) => createSearch(setting));
    this.active = settings.map((_, member) => member);
    this.rowOwners = this.active.flatMap((member) => repeat(member, this.searches[member]!.rowCount));
    this.state = graphs.selectRows(rows, this.rowOwners);
  }

  /** Members still decoding. */
  get members(): readonly number[] {
    return this.active;
  }

  /** Decoder rows the next step runs (beams count once each). */
  get rowCount(): number {
    return this.rowOwners.length;
  }

  /** Steps taken so far (the decoder position of the next step). */
  get position(): number {
    return this.steps;
  }

  get done(): boolean {
    return this.active.length === 0;
  }

  /** The member's best sequence so far (its start token first), for streaming. */
  partial(member: number): readonly number[] {
    return this.searches[member]!.current();
  }

  /** Takes the member out before the next step; its exit reports `reason`. A finished member is left as it is. */
  drop(member: number, reason: Error): void {
    if (this.active.includes(member)) this.dropped.set(member, reason);
  }

  /**
   * One decoder step over every live row; returns the members that left (finished or dropped).
   * Dropped members leave without a step when nothing else needs one.
   */
  async step(): Promise<DecodeExit[]> {
    const exits: DecodeExit[] = [];
    this.removeDropped(exits);
    if (this.active.length === 0) return exits;
    const vocab = this.graphs.geometry.vocabSize;
    const ids = this.active.flatMap((member) => this.searches[member]!.nextTokens().map((token) => [token]));
    const step = await this.graphs.decoderStep(this.state, ids);
    this.steps++;

    const keep: number[] = [];
    let offset = 0;
    for (const member of this.active) {
      const search = this.searches[member]!;
      const rowCount = search.rowCount;
      const parents = search.advance(step.logits, offset, vocab);
      keep.push(...parents.map((parent) => offset + parent));
      offset += rowCount;
      if (search.done) exits.push({ member, outcome: search.output() });
    }
    const left = new Set(exits.map((exit) => exit.member));
    this.active = this.active.filter((member) => !left.has(member));
    const survivors = keep.filter((row) => !left.has(this.rowOwners[row]!));
    this.rowOwners = survivors.map((row) => this.rowOwners[row]!);
    this.state = this.active.length > 0 ? this.graphs.selectRows(step.rows, survivors) : step.rows;
    this.removeDropped(exits);
    return exits;
  }

  /** Rows of dropped members leave now rather than when their sequences would end. */
  private removeDropped(exits: DecodeExit[]): void {
    if (this.dropped.size === 0) return;
    const leaving = new Set([...this.dropped.keys()].filter((member) => this.active.includes(member)));
    for (const member of leaving) exits.push({ member, outcome: this.dropped.get(member)! });
    this.dropped.clear();
    if (leaving.size === 0) return;
    const survivors = this.rowOwners.flatMap((owner, row) => (leaving.has(owner) ? [] : [row]));
    this.active = this.active.filter((member) => !leaving.has(member));
    this.rowOwners = survivors.map((row) => this.rowOwners[row]!);
    if (this.active.length > 0) this.state = this.graphs.selectRows(this.state, survivors);
  }
}

function repeat(value: number, count: number): number[] {
  return Array.from({ length: count }, () => value);
}
