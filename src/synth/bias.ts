/**
 * `--bias`: output steering built into the decoder graph, so random weights still produce text
 * that every Florence-2 post-processor can parse, and every sequence ends in `</s>`.
 *
 * logits[p] += table[p] · M, where p is the absolute decoder position (past length + index, so it
 * works with the KV cache), table is [positions × classes] and M is the 0/1 class-membership matrix
 * [classes × vocab]. The class favoured at a position gets +strength, so the argmax is the best
 * member of that class under the random (image- and prompt-dependent) logits.
 *
 * Positions: p = 0 reads the decoder start token and predicts `<s>`; p ≥ 1 predicts content token
 * k = p − 1 (the k-th token after `<s>`). Content follows a fixed cycle of units (see UNITS); EOS is
 * allowed only at "cuts" (unit boundaries, and after the first box of a quad unit) from
 * `minLength` on, with a ramp `slope·(k − centre)` that makes stopping more likely with length, and
 * is forced at the last cut ≤ `maxLength`. Whether the ramp wins at a cut depends on the EOS logit,
 * so lengths vary with the inputs.
 */
import { Sfc32 } from './prng.js';
import { BOS_ID, EOS_ID, LOC_COUNT, LOC_FIRST_ID, POLY_END_ID, POLY_ID, SEP_ID } from './tokenIds.js';

export type BiasPattern = 'structured' | 'text';
export const BIAS_PATTERNS: readonly BiasPattern[] = ['structured', 'text'];

export interface BiasSettings {
  readonly pattern: BiasPattern;
  /** Content length (tokens after `<s>`) around which the EOS ramp crosses zero. */
  readonly centre: number;
  /** No EOS before this many content tokens. */
  readonly minLength: number;
  /** Hard bound: EOS is forced at the last cut at or below this content length. */
  readonly maxLength: number;
  /** Logit bonus of the favoured class. */
  readonly strength: number;
  /** EOS ramp, logits per content token. */
  readonly slope: number;
}

export const DEFAULT_BIAS: Readonly<Record<BiasPattern, BiasSettings>> = {
  structured: { pattern: 'structured', centre: 26, minLength: 9, maxLength: 45, strength: 20, slope: 0.5 },
  text: { pattern: 'text', centre: 20, minLength: 8, maxLength: 40, strength: 20, slope: 0.5 },
};

export function resolveBias(bias: BiasPattern | (Partial<BiasSettings> & { pattern: BiasPattern })): BiasSettings {
  const settings = typeof bias === 'string' ? DEFAULT_BIAS[bias] : { ...DEFAULT_BIAS[bias.pattern], ...bias };
  if (!(settings.minLength >= 1 && settings.minLength <= settings.maxLength)) throw new Error('bias: need 1 ≤ minLength ≤ maxLength');
  if (settings.maxLength + 2 >= BIAS_POSITIONS) throw new Error(`bias: maxLength must stay below ${BIAS_POSITIONS - 2}`);
  if (cutsUpTo(settings.pattern, settings.maxLength).every((c) => c < settings.minLength))
    throw new Error('bias: no EOS cut between minLength and maxLength');
  return settings;
}

export const BIAS_CLASSES = ['word', 'loc', 'sep', 'poly', 'polyEnd', 'eos', 'bos'] as const;
export type BiasClass = (typeof BIAS_CLASSES)[number];

/** A run of content classes; `cuts` are lengths within the unit after which EOS may come. */
interface Unit {
  readonly name: string;
  readonly classes: readonly BiasClass[];
  readonly cuts: readonly number[];
}

const repeat = (c: BiasClass, n: number): BiasClass[] => Array.from({ length: n }, () => c);

/**
 * word + 8 locs: an OCR quad, two OD/grounding/proposal boxes with one label, a 4-point polygon.
 * The cut after 4 locs still leaves a whole box.
 */
const QUAD: Unit = { name: 'word loc×8', classes: ['word', ...repeat('loc', 8)], cuts: [5, 9] };
/** word <poly> loc×6 <sep> loc×6 </poly>: one polygon instance with two 3-point polygons. */
const POLY: Unit = {
  name: 'word <poly> loc×6 <sep> loc×6 </poly>',
  classes: ['word', 'poly', ...repeat('loc', 6), 'sep', ...repeat('loc', 6), 'polyEnd'],
  cuts: [16],
};
const WORD: Unit = { name: 'word', classes: ['word'], cuts: [1] };

export const UNITS: Readonly<Record<BiasPattern, readonly Unit[]>> = {
  structured: [QUAD, POLY, QUAD, QUAD],
  text: [WORD],
};

/** Rows of the per-position table: every position the decoder's position table can address. */
export const BIAS_POSITIONS = 1024;

/** The favoured class of content token k (0 = first token after `<s>`). */
export function contentClassAt(pattern: BiasPattern, k: number): BiasClass {
  const units = UNITS[pattern];
  const cycle = units.reduce((n, u) => n + u.classes.length, 0);
  let offset = k % cycle;
  for (const unit of units) {
    if (offset < unit.classes.length) return unit.classes[offset] as BiasClass;
    offset -= unit.classes.length;
  }
  throw new Error('unreachable');
}

/** Content lengths ≤ limit after which EOS may be emitted, ascending. */
export function cutsUpTo(pattern: BiasPattern, limit: number): number[] {
  const out: number[] = [];
  let start = 0;
  while (start <= limit) {
    for (const unit of UNITS[pattern]) {
      for (const cut of unit.cuts) if (start + cut <= limit) out.push(start + cut);
      start += unit.classes.length;
    }
  }
  return out;
}

export interface BiasSchedule {
  readonly settings: BiasSettings;
  /** Content length at which EOS is forced. */
  readonly hardStop: number;
  /** Content lengths at which EOS may come (from minLength up to hardStop). */
  readonly cuts: readonly number[];
  /** [BIAS_POSITIONS × classes] additive bias per absolute decoder position. */
  readonly table: Float32Array;
}

/**
 * @param classMax expected best raw logit within each class (see estimateClassMax): EOS must beat the
 *   best member of the favoured class, so its bias is centred on that value.
 */
export function buildSchedule(settings: BiasSettings, classMax: Readonly<Record<BiasClass, number>>): BiasSchedule {
  const { strength, slope, centre, minLength } = settings;
  const cuts = cutsUpTo(settings.pattern, settings.maxLength).filter((c) => c >= minLength);
  const hardStop = cuts[cuts.length - 1];
  if (hardStop === undefined) throw new Error('bias: no EOS cut');
  const cutSet = new Set(cuts);
  const nClasses = BIAS_CLASSES.length;
  const table = new Float32Array(BIAS_POSITIONS * nClasses);
  const eos = BIAS_CLASSES.indexOf('eos');
  const set = (p: number, c: BiasClass, v: number): void => {
    table[p * nClasses + BIAS_CLASSES.indexOf(c)] = v;
  };

  set(0, 'bos', strength);
  table[eos] = -strength;
  for (let p = 1; p < BIAS_POSITIONS; p++) {
    const k = p - 1;
    const favoured = contentClassAt(settings.pattern, k);
    set(p, favoured, strength);
    let eosBias = -strength;
    if (k >= hardStop) eosBias = 3 * strength;
    else if (cutSet.has(k)) {
      eosBias = strength + classMax[favoured] + slope * (k - centre);
    }
    table[p * nClasses + eos] = eosBias;
  }
  return { settings, hardStop, cuts, table };
}

/** Hidden states sampled to estimate the class maxima; more only sharpens an estimate of a mean. */
const CALIBRATION_SAMPLES = 8;
const CALIBRATION_STREAM = 0xb1a5;

/**
 * E[max over the class of h·E_v] for hidden states h with unit-variance entries (what the final
 * LayerNorm produces), estimated by sampling h against the actual tied embedding `embedding`
 * [vocab × d]. Sampling rather than a Gaussian extreme-value formula, because with small d the
 * logits of uniform-initialised rows have lighter tails than a Gaussian.
 */
export function estimateClassMax(
  embedding: Float32Array,
  d: number,
  members: Readonly<Record<BiasClass, readonly number[]>>,
  seed: number,
): Record<BiasClass, number> {
  const rng = new Sfc32(seed, CALIBRATION_STREAM);
  const sums = Object.fromEntries(BIAS_CLASSES.map((c) => [c, 0])) as Record<BiasClass, number>;
  const h = new Float64Array(d);
  for (let sample = 0; sample < CALIBRATION_SAMPLES; sample++) {
    for (let i = 0; i < d; i++) h[i] = gaussian(rng);
    for (const c of BIAS_CLASSES) {
      let best = -Infinity;
      for (const id of members[c]) {
        let dot = 0;
        const row = id * d;
        for (let i = 0; i < d; i++) dot += (h[i] ?? 0) * (embedding[row + i] ?? 0);
        if (dot > best) best = dot;
      }
      sums[c] += best / CALIBRATION_SAMPLES;
    }
  }
  return sums;
}

/** Standard normal draw (Box-Muller). */
function gaussian(rng: Sfc32): number {
  const u = 1 - rng.nextFloat();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextFloat());
}

/** Token ids of each class; `wordIds` come from the tokenizer in use (see tokenizer.ts). */
export function classMembers(wordIds: readonly number[]): Record<BiasClass, readonly number[]> {
  return {
    word: wordIds,
    loc: Array.from({ length: LOC_COUNT }, (_, k) => LOC_FIRST_ID + k),
    sep: [SEP_ID],
    poly: [POLY_ID],
    polyEnd: [POLY_END_ID],
    eos: [EOS_ID],
    bos: [BOS_ID],
  };
}

/** The 0/1 membership matrix [classes × vocab]. */
export function membershipMatrix(members: Readonly<Record<BiasClass, readonly number[]>>, vocab: number): Float32Array {
  const out = new Float32Array(BIAS_CLASSES.length * vocab);
  BIAS_CLASSES.forEach((c, row) => {
    for (const id of members[c]) out[row * vocab + id] = 1;
  });
  return out;
}

/** What config.json records under "synthetic.bias", enough for a caller to predict outputs. */
export function describeSchedule(schedule: BiasSchedule): Record<string, unknown> {
  const s = schedule.settings;
  return {
    pattern: s.pattern,
    units: UNITS[s.pattern].map((u) => u.name),
    position_rule: 'decoder position 0 predicts <s>; position p >= 1 predicts content token k = p - 1 of the repeating unit cycle',
    eos_cuts: schedule.cuts,
    hard_stop_content_tokens: schedule.hardStop,
    max_sequence_length: schedule.hardStop + 3,
    centre: s.centre,
    min_length: s.minLength,
    max_length: s.maxLength,
    strength: s.strength,
    slope: s.slope,
    classes: {
      word: 'ordinary word pieces of the tokenizer (ids 4..50263 matching Ġ?[A-Za-z]{2,})',
      loc: '<loc_0>..<loc_999> (50269..51268)',
      sep: '<sep> (51279)',
      poly: '<poly> (51286)',
      polyEnd: '</poly> (51287)',
      eos: '</s> (2)',
      bos: '<s> (0)',
    },
  };
}
