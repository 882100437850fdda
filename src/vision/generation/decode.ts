/**
 * The decode loop of one batch of jobs: a DecodeBatch stepped until every search has finished or
 * its caller has given up, so one batch serves sequences of different lengths, beam widths and
 * token limits and each gets exactly what it would get alone.
 */
import { reasonOf } from '../../shared/abort.js';
import type { DecodeRows, Florence2Graphs } from '../florence2Graphs.js';
import { DecodeBatch } from './decodeBatch.js';
import type { SearchOutput, SearchSettings } from './search.js';

export interface DecodeJob {
  readonly settings: SearchSettings;
  /** Aborting drops the job's rows at the next step boundary; its result is then the abort reason. */
  readonly signal?: AbortSignal;
}

/** Each job's output, or the error that stopped it (an aborted job gets its signal's reason). */
export type DecodeResult = SearchOutput | Error;

/**
 * Decodes one job per row of `rows` (row i is job i's encoder output). Beam jobs are expanded to
 * their beam count by the batch.
 */
export async function decodeJobs(graphs: Florence2Graphs, rows: DecodeRows, jobs: readonly DecodeJob[]): Promise<DecodeResult[]> {
  const batch = new DecodeBatch(
    graphs,
    rows,
    jobs.map((job) => job.settings),
  );
  const results: (DecodeResult | undefined)[] = jobs.map(() => undefined);
  while (!batch.done) {
    // A caller that gave up frees its rows now rather than when its sequence would end.
    for (const member of batch.members) {
      const signal = jobs[member]!.signal;
      if (signal?.aborted) batch.drop(member, reasonOf(signal));
    }
    for (const exit of await batch.step()) results[exit.member] = exit.outcome;
  }
  return results.map((result) => result ?? new Error('decode ended without a result'));
}
