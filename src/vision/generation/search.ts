/**
 * Decoding strategies as row owners in a shared decode batch. The decode loop runs one decoder
 * step over the rows of every active search, hands each search its slice of the logits, and keeps
 * the parent rows each search returns: a finished greedy row returns none (it leaves the batch),
 * beam search returns the parent beam of each surviving beam (the KV cache is reordered to match).
 */
import {
  applyLogitsProcessors,
  argmax,
  DECODER_PROMPT_LENGTH,
  isForcedStep,
  logSoftmax,
  logSumExp,
  type ProcessorSettings,
} from './logitsProcessors.js';

export interface SearchSettings extends ProcessorSettings {
  readonly decoderStartTokenId: number;
  readonly numBeams: number;
  readonly lengthPenalty: number;
  readonly earlyStopping: boolean;
}

export interface SearchOutput {
  /** The whole decoder sequence: the start token, then the forced `<s>` … `</s>`. */
  readonly sequence: readonly number[];
  /**
   * One transition log-probability per generated token (`sequence[i + 1]` has `tokenLogprobs[i]`):
   * the value HF's beam search records in `scores` for that token along the winning beam, i.e.
   * log-softmax of the decoder's logits, then the logits processors (a forced token scores 0).
   * HF's `compute_transition_scores(sequences, scores, beam_indices)` gives the same list.
   */
  readonly tokenLogprobs: readonly number[];
  /**
   * HF's hypothesis score: the sum of `tokenLogprobs` divided by (generated tokens, `<s>` through
   * `</s>`) ** lengthPenalty, the `generated_len` of BeamSearchScorer. Greedy reports the same.
   */
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
  private readonly logprobs: number[] = [];
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
    const logprob = forced ? 0 : (scores[token] ?? Number.NEGATIVE_INFINITY) - normaliser;
    this.logprobs.push(logprob);
    this.sumLogprobs += logprob;
    this.sequence.push(token);
    this.finished = token === this.settings.eosTokenId || this.sequence.length >= this.settings.maxLength;
    return this.finished ? [] : [0];
  }

  /** HF's greedy search has no sequence score; this is the score a one-beam beam search gives. */
  output(): SearchOutput {
    const generated = this.sequence.length - DECODER_PROMPT_LENGTH;
    return {
      sequence: this.sequence,
      tokenLogprobs: this.logprobs,
      score: this.sumLogprobs / generated ** this.settings.lengthPenalty,
    };
  }
}

interface Hypothesis {
  /** The decoder sequence without the `</s>` that finished it (HF stores it so too). */
  readonly tokens: readonly number[];
  /** Transition log-probabilities of `tokens[1…]`, then of the `</s>` when one finished it. */
  readonly logprobs: readonly number[];
  readonly score: number;
}

/**
 * Finished hypotheses of one input, best `numBeams` kept (HF's BeamHypotheses). Lengths are HF's
 * `generated_len`: the tokens after the decoder prompt, the finishing `</s>` included.
 */
class Hypotheses {
  private readonly kept: Hypothesis[] = [];

  constructor(
    private readonly numBeams: number,
    private readonly lengthPenalty: number,
    private readonly earlyStopping: boolean,
  ) {}

  add(tokens: readonly number[], logprobs: readonly number[], sumLogprobs: number, generatedLength: number): void {
    const score = sumLogprobs / generatedLength ** this.lengthPenalty;
    if (this.kept.length < this.numBeams || score > this.worst()) {
      this.kept.push({ tokens, logprobs, score });
      if (this.kept.length > this.numBeams) this.kept.splice(this.worstIndex(), 1);
    }
  }

  /** Whether no live beam can still beat the kept hypotheses (HF's heuristic for earlyStopping false). */
  isDone(bestSumLogprobs: number, generatedLength: number): boolean {
    if (this.kept.length < this.numBeams) return false;
    if (this.earlyStopping) return true;
    return this.worst() >= bestSumLogprobs / generatedLength ** this.lengthPenalty;
  }

  /** The best hypothesis; on a tie the one kept last, as HF's stable sort then `pop()` picks. */
  best(): Hypothesis | undefined {
    return this.kept.reduce<Hypothesis | undefined>((best, h) => (best === undefined || h.score >= best.score ? h : best), undefined);
  }

  private worst(): number {
    return Math.min(...this.kept.map((h) => h.score));
  }

  /** The worst hypothesis; on a tie the one kept first, as HF's sort by (score, index) removes. */
  private worstIndex(): number {
    let index = 0;
    this.kept.forEach((h, i) => {
      if (h.score < (this.kept[index]?.score ?? Number.POSITIVE_INFINITY)) index = i;
    });
    return index;
  }
}

interface Candidate {
  /** The beam's running sum plus `logprob`. */
  readonly score: number;
  readonly beam: number;
  readonly token: number;
  /** The token's processed log-probability (its transition score). */
  readonly logprob: number;
}

/** A live beam: its decoder sequence and the transition log-probabilities of `tokens[1…]`. */
interface LiveBeam {
  readonly tokens: readonly number[];
  readonly logprobs: readonly number[];
  /** Sum of `logprobs` (the clones of the first step start at -1e9, as HF's do). */
  readonly score: number;
}

/** HF beam search (`_beam_search` with BeamSearchScorer) for one input. */
export class BeamSearch implements SequenceSearch {
  private beams: LiveBeam[];
  private readonly hypotheses: Hypotheses;
  private finished = false;

  constructor(private readonly settings: SearchSettings) {
    const { numBeams, decoderStartTokenId } = settings;
    // Only the first beam is live at the start; the clones would otherwise fill the beam with duplicates.
    this.beams = Array.from({ length: numBeams }, (_, i) => ({ tokens: [decoderStartTokenId], logprobs: [], score: i === 0 ? 0 : -1e9 }));
    this.hypotheses = new Hypotheses(numBeams, settings.lengthPenalty, settings.earlyStopping);
  }

  get rowCount(): number {
    return this.finished ? 0 : this.settings.numBeams;
  }

  get done(): boolean {
    return this.finished;
  }

  nextTokens(): number[] {
    return this.beams.map((beam) => beam.tokens.at(-1) ?? this.settings.decoderStartTokenId);
  }

  /** The live beam with the best score (beams are kept best first), or the best finished one once done. */
  current(): readonly number[] {
    return this.finished ? this.output().sequence : (this.beams[0]?.tokens ?? []);
  }

  advance(logits: Float32Array, offset: number, vocab: number): number[] {
    const { numBeams, eosTokenId, maxLength } = this.settings;
    const keep = 2 * numBeams;
    const candidates: Candidate[] = [];
    this.beams.forEach((beam, index) => {
      const scores = logits.slice((offset + index) * vocab, (offset + index + 1) * vocab);
      logSoftmax(scores);
      applyLogitsProcessors(scores, beam.tokens, this.settings);
      collectTop(scores, beam.score, index, keep, candidates);
    });
    candidates.sort(compareCandidates);
    const top = candidates.slice(0, keep);

    // HF's BeamSearchScorer.process: cur_len counts the token being added, so a hypothesis that
    // ends here is `generated_len = cur_len - decoder_prompt_len` tokens long, its `</s>` included.
    const currentLength = (this.beams[0]?.tokens.length ?? DECODER_PROMPT_LENGTH) + 1;
    const generatedLength = currentLength - DECODER_PROMPT_LENGTH;
    const nextBeams: LiveBeam[] = [];
    const parents: number[] = [];
    for (const [rank, candidate] of top.entries()) {
      const parent = this.beams[candidate.beam];
      if (parent === undefined) continue;
      if (candidate.token === eosTokenId) {
        // An EOS ranked below the first numBeams candidates would displace a better live beam.
        if (rank >= numBeams) continue;
        this.hypotheses.add(parent.tokens, [...parent.logprobs, candidate.logprob], candidate.score, generatedLength);
      } else {
        nextBeams.push({
          tokens: [...parent.tokens, candidate.token],
          logprobs: [...parent.logprobs, candidate.logprob],
          score: candidate.score,
        });
        parents.push(candidate.beam);
      }
      if (nextBeams.length === numBeams) break;
    }
    this.beams = nextBeams;
    const bestScore = top[0]?.score ?? Number.NEGATIVE_INFINITY;
    const settled = this.hypotheses.isDone(bestScore, generatedLength);
    const atLimit = currentLength >= maxLength;
    if (atLimit && !settled) this.finalize();
    this.finished = settled || atLimit;
    return this.finished ? [] : parents;
  }

  output(): SearchOutput {
    const best = this.hypotheses.best();
    if (!best) throw new Error('beam search produced no hypothesis');
    const { eosTokenId, maxLength } = this.settings;
    const sequence = best.tokens.length < maxLength ? [...best.tokens, eosTokenId] : [...best.tokens];
    return { sequence, tokenLogprobs: best.logprobs, score: best.score };
  }

  /** At the length limit, live beams become hypotheses too (HF's `finalize`: `final_tokens.shape[-1] - decoder_prompt_len`). */
  private finalize(): void {
    for (const beam of this.beams) this.hypotheses.add(beam.tokens, beam.logprobs, beam.score, beam.tokens.length - DECODER_PROMPT_LENGTH);
  }
}

/**
 * Adds the `keep` best (beamScore + score) of one beam row to `into`. Once `keep` candidates are
 * held, a token must beat the worst of them (`floor`, read from the sorted list: the last one
 * pushed is not necessarily the worst).
 */
function collectTop(scores: Float32Array, beamScore: number, beam: number, keep: number, into: Candidate[]): void {
  const local: Candidate[] = [];
  let floor = Number.NEGATIVE_INFINITY;
  for (let token = 0; token < scores.length; token++) {
    const logprob = scores[token] ?? Number.NEGATIVE_INFINITY;
    const score = logprob + beamScore;
    if (local.length === keep && !(score > floor)) continue;
    local.push({ score, beam, token, logprob });
    if (local.length >= keep) {
      local.sort(compareCandidates);
      local.length = keep;
      floor = local[keep - 1]?.score ?? Number.NEGATIVE_INFINITY;
    }
  }
  into.push(...local);
}

/** Higher score first; on ties, the lower flat index (beam, then token) first. */
function compareCandidates(a: Candidate, b: Candidate): number {
  return b.score - a.score || a.beam - b.beam || a.token - b.token;
}
