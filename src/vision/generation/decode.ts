/**
 * The decode loop: one merged-decoder step at a time over every live row of every search, rows
 * leaving the batch as their search finishes (or their caller gives up), so one batch serves
 * sequences of different lengths, beam widths and token limits and each gets exactly what it would
 * get alone.
 */
import type { DecodeRows, Florence2Graphs } from '../florence2Graphs.js';
import { createSearch, type SearchOutput, type SearchSettings, type SequenceSearch } from './search.js';

export interface DecodeJob {
  readonly settings: SearchSettings;
  /** Aborting drops the job's rows at the next step boundary; its result is then the abort reason. */
  readonly signal?: AbortSignal;
}

/** Each job's output, or the error that stopped it (an aborted job gets its signal's reason). */
export type DecodeResult = SearchOutput | Error;

/**
 * Decodes one job per row of `rows` (row i is job i's encoder output). Beam jobs are expanded to
 * their beam count here.
 */
export async function decodeJobs(graphs: Florence2Graphs, rows: DecodeRows, jobs: readonly DecodeJob[]): Promise<DecodeResult[]> {
  if (rows.batch !== jobs.length) throw new RangeError(`decode got ${jobs.length} jobs for ${rows.batch} encoder rows`);
  const vocab = graphs.geometry.vocabSize;
  const searches = jobs.map((job) => createSearch(job.settings));
  const results: (DecodeResult | undefined)[] = jobs.map(() => undefined);

  let active: number[] = jobs.map((_, index) => index);
  let state = graphs.selectRows(rows, active.flatMap((index) => repeat(index, searches[index]!.rowCount)));
  let rowOwners = active.flatMap((index) => repeat(index, searches[index]!.rowCount));

  while (active.length > 0) {
    const ids = active.flatMap((index) => searches[index]!.nextTokens().map((token) => [token]));
    const step = await graphs.decoderStep(state, ids);

    const keep: number[] = [];
    let offset = 0;
    for (const index of active) {
      const search: SequenceSearch = searches[index]!;
      const rowCount = search.rowCount;
      const parents = search.advance(step.logits, offset, vocab);
      keep.push(...parents.map((parent) => offset + parent));
      offset += rowCount;
      if (search.done) results[index] = search.output();
    }
    // A caller that gave up frees its rows now rather than when its sequence would end.
    for (const index of active) {
      const reason = abortReason(jobs[index]!.signal);
      if (reason && results[index] === undefined) results[index] = reason;
    }
    const stillActive = new Set(active.filter((index) => results[index] === undefined));
    const survivors = keep.filter((row) => stillActive.has(rowOwners[row]!));
    rowOwners = survivors.map((row) => rowOwners[row]!);
    active = active.filter((index) => stillActive.has(index));
    if (active.length > 0) state = graphs.selectRows(step.rows, survivors);
  }
  return results.map((result) => result ?? new Error('decode ended without a result'));
}

function repeat(value: number, count: number): number[] {
  return Array.from({ length: count }, () => value);
}

function abortReason(signal: AbortSignal | undefined): Error | undefined {
  if (!signal?.aborted) return undefined;
  return signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason ?? 'aborted'));
}
