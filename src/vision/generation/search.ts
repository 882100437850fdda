/**
 * Decoding strategies as row owners in a shared decode batch. The decode loop runs one decoder
 * step over the rows of every active search, hands each search its slice of the logits, and keeps
 * the parent rows each search returns: a finished greedy row returns none (it leaves the batch),
 * beam search returns the parent beam of each surviving beam (the KV cache is reordered to match).
 */
import { applyLogitsProcessors, argmax, isForcedStep, logSoftmax, logSumExp, type ProcessorSettings } from './logitsProcessors.js';

export interface SearchSettings extends ProcessorSettings {
  readonly decoderStartTokenId: number;
  readonly numBeams: number;
  readonly lengthPenalty: number;
  readonly earlyStopping: boolean;
}

export interface SearchOutput {
  /** The whole decoder sequence: the start token, then the forced `<s>` … `</s>`. */
  readonly sequence: readonly number[];
  /** Sum of the chosen tokens' log-probabilities divided by (tokens before `</s>`) ** lengthPenalty: HF's hypothesis score. */
  readonly score: number;
}

export interface SequenceSearch {
  /** Rows this search occupies in the decode batch right now. */
  readonly rowCount: number;
  readonly done: boolean;
  /** The token each of its rows feeds into the next decoder step. */
  nextTokens(): number[];
  /** The best sequence so far (the start token first): what a stream shows before the end. */
  current(): readonly number[];
  /**
   * Consumes the logits of its rows (`rowCount` rows of `vocab` scores, starting at `offset`) and
   * returns, for each row it keeps, the index (within its previous rows) of that row's parent.
   */
  advance(logits: Float32Array, offset: number, vocab: number): number[];
  output(): SearchOutput;
}

/** Greedy for one beam (same result as a one-beam beam search, without its bookkeeping), else beam search. */
export function createSearch(settings: SearchSettings): SequenceSearch {
  return settings.numBeams > 1 ? new BeamSearch(settings) : new GreedySearch(settings);
}

export class GreedySearch implements SequenceSearch {
  private readonly sequence: number[];
  private sumLogprobs = 0;
  private finished = false;

  constructor(private readonly settings: SearchSettings) {
    this.sequence = [settings.decoderStartTokenId];
  }

  get rowCount(): number {
    return this.finished ? 0 : 1;
  }

  get done(): boolean {
    return this.finished;
  }

  nextTokens(): number[] {
    return [this.sequence.at(-1)!];
  }

  current(): readonly number[] {
    return this.sequence;
  }

  /**
   * Works in place on its own row of `logits` (three passes over the vocabulary, no copy: this runs
   * once per row per step). The log-probability is taken before the processors, as beam search
   * takes it (HF applies them to log-softmaxed scores), so both report the same score.
   */
  advance(logits: Float32Array, offset: number, vocab: number): number[] {
    const scores = logits.subarray(offset * vocab, (offset + 1) * vocab);
    const forced = isForcedStep(this.sequence.length, this.settings);
    const normaliser = forced ? 0 : logSumExp(scores);
    applyLogitsProcessors(scores, this.sequence, this.settings);
    const token = argmax(scores);
    this.sumLogprobs += forced ? 0 : scores[token]! - normaliser;
    this.sequence.push(token);
    this.finished = token === this.settings.eosTokenId || this.sequence.length >= this.settings.maxLength;
    return this.finished ? [] : [0];
  }

  output(): SearchOutput {
    // Normalised as beam search normalises finished hypotheses: over the tokens before the </s>.
    const ended = this.sequence.at(-1) === this.settings.eosTokenId;
    const generated = this.sequence.length - (ended ? 2 : 1);
    return { sequence: this.sequence, score: this.sumLogprobs / generated ** this.settings.lengthPenalty };
  }
}

interface Hypothesis {
  readonly tokens: readonly number[];
  readonly score: number;
}

/** Finished hypotheses of one input, best `numBeams` kept (HF's BeamHypotheses). */
class Hypotheses {
  private readonly kept: Hypothesis[] = [];

  constructor(
    private readonly numBeams: number,
    private readonly lengthPenalty: number,
    private readonly earlyStopping: boolean,
  ) {}

  add(tokens: readonly number[], sumLogprobs: number, generatedLength: number): void {
    const score = sumLogprobs / generatedLength ** this.lengthPenalty;
    if (this.kept.length < this.numBeams || score > this.worst()) {
      this.kept.push({ tokens, score });
      if (this.kept.length > this.numBeams) this.kept.splice(this.worstIndex(), 1);
    }
  }

  /** Whether no live beam can still beat the kept hypotheses. */
  isDone(bestSumLogprobs: number, generatedLength: number): boolean {
    if (this.kept.length < this.numBeams) return false;
    if (this.earlyStopping) return true;
    return this.worst() >= bestSumLogprobs / generatedLength ** this.lengthPenalty;
  }

  best(): Hypothesis | undefined {
    return this.kept.reduce<Hypothesis | undefined>((best, h) => (best === undefined || h.score > best.score ? h : best), undefined);
  }

  private worst(): number {
    return Math.min(...this.kept.map((h) => h.score));
  }

  private worstIndex(): number {
    let index = 0;
    this.kept.forEach((h, i) => (h.score < this.kept[index]!.score ? (index = i) : undefined));
    return index;
  }
}

interface Candidate {
  readonly score: number;
  readonly beam: number;
  readonly token: number;
}

/** HF beam search (`_beam_search` with BeamSearchScorer) for one input. */
export class BeamSearch implements SequenceSearch {
  private beams: number[][];
  private beamScores: number[];
  private readonly hypotheses: Hypotheses;
  private finished = false;

  constructor(private readonly settings: SearchSettings) {
    const { numBeams, decoderStartTokenId } = settings;
    this.beams = Array.from({ length: numBeams }, () => [decoderStartTokenId]);
    // Only the first beam is live at the start; the clones would otherwise fill the beam with duplicates.
    this.beamScores = Array.from({ length: numBeams }, (_, i) => (i === 0 ? 0 : -1e9));
    this.hypotheses = new Hypotheses(numBeams, settings.lengthPenalty, settings.earlyStopping);
  }

  get rowCount(): number {
    return this.finished ? 0 : this.settings.numBeams;
  }

  get done(): boolean {
    return this.finished;
  }

  nextTokens(): number[] {
    return this.beams.map((beam) => beam.at(-1)!);
  }

  /** The live beam with the best score (beams are kept best first), or the best finished one once done. */
  current(): readonly number[] {
    return this.finished ? this.output().sequence : (this.beams[0] ?? []);
  }

  advance(logits: Float32Array, offset: number, vocab: number): number[] {
    const { numBeams, eosTokenId, maxLength } = this.settings;
    const keep = 2 * numBeams;
    const candidates: Candidate[] = [];
    for (let beam = 0; beam < numBeams; beam++) {
      const scores = logits.slice((offset + beam) * vocab, (offset + beam + 1) * vocab);
      logSoftmax(scores);
      applyLogitsProcessors(scores, this.beams[beam]!, this.settings);
      collectTop(scores, this.beamScores[beam]!, beam, keep, candidates);
    }
    candidates.sort(compareCandidates);
    const top = candidates.slice(0, keep);

    const currentLength = this.beams[0]!.length;
    const nextBeams: number[][] = [];
    const nextScores: number[] = [];
    const parents: number[] = [];
    for (const [rank, candidate] of top.entries()) {
      if (candidate.token === eosTokenId) {
        // An EOS ranked below the first numBeams candidates would displace a better live beam.
        if (rank >= numBeams) continue;
        this.hypotheses.add(this.beams[candidate.beam]!, candidate.score, currentLength - 1);
      } else {
        nextBeams.push([...this.beams[candidate.beam]!, candidate.token]);
        nextScores.push(candidate.score);
        parents.push(candidate.beam);
      }
      if (nextBeams.length === numBeams) break;
    }
    this.beams = nextBeams;
    this.beamScores = nextScores;
    const bestScore = top[0]?.score ?? Number.NEGATIVE_INFINITY;
    const settled = this.hypotheses.isDone(bestScore, currentLength - 1);
    const atLimit = currentLength + 1 >= maxLength;
    if (atLimit && !settled) this.finalize();
    this.finished = settled || atLimit;
    return this.finished ? [] : parents;
  }

  output(): SearchOutput {
    const best = this.hypotheses.best();
    if (!best) throw new Error('beam search produced no hypothesis');
    const { eosTokenId, maxLength } = this.settings;
    const sequence = best.tokens.length < maxLength ? [...best.tokens, eosTokenId] : [...best.tokens];
    return { sequence, score: best.score };
  }

  /** At the length limit, live beams become hypotheses too (HF's `finalize`). */
  private finalize(): void {
    this.beams.forEach((beam, i) => this.hypotheses.add(beam, this.beamScores[i]!, beam.length - 1));
  }
}

/** Adds the `keep` best (beamScore + score) of one beam row to `into`. */
function collectTop(scores: Float32Array, beamScore: number, beam: number, keep: number, into: Candidate[]): void {
  const local: Candidate[] = [];
  let floor = Number.NEGATIVE_INFINITY;
  for (let token = 0; token < scores.length; token++) {
    const score = scores[token]! + beamScore;
    if (local.length === keep && !(score > floor)) continue;
    local.push({ score, beam, token });
    if (local.length > keep) {
      local.sort(compareCandidates);
      local.length = keep;
    }
    if (local.length === keep) floor = local[keep - 1]!.score;
  }
  into.push(...local);
}

/** Higher score first; on ties, the lower flat index (beam, then token) first. */
function compareCandidates(a: Candidate, b: Candidate): number {
  return b.score - a.score || a.beam - b.beam || a.token - b.token;
}
