/**
 * Open-loop arrivals for workload 6: a Poisson process (independent, exponentially distributed gaps)
 * whose arrivals each draw a class from a mix. Seeded, so both scheduling policies of one run face
 * the same traffic, request for request, and a later run can replay it.
 */
import { Sfc32 } from '../src/synth/prng.js';

export interface ClassShare<C extends string> {
  readonly name: C;
  /** Fraction of arrivals of this class; the shares of a mix add up to 1. */
  readonly share: number;
}

export interface Arrival<C extends string> {
  /** Position in the schedule, from 0. */
  readonly index: number;
  /** When to send, in ms from the start of the run. */
  readonly atMs: number;
  readonly className: C;
}

export interface PoissonOptions<C extends string> {
  /** Mean arrivals per second (λ). */
  readonly ratePerSecond: number;
  /** Arrivals fall in [0, durationMs). */
  readonly durationMs: number;
  readonly mix: readonly ClassShare<C>[];
  readonly seed: number;
}

/** Tolerance on the sum of a mix's shares (they are usually written as decimals such as 0.7 + 0.2 + 0.1). */
const SHARE_SUM_TOLERANCE = 1e-9;
/** Separate PRNG streams for gaps and classes: changing the mix does not move the arrival times. */
const GAP_STREAM = 1;
const CLASS_STREAM = 2;

/** The arrivals of a Poisson process of rate `ratePerSecond` over `durationMs`, each with a class drawn from `mix`. */
export function poissonSchedule<C extends string>(options: PoissonOptions<C>): Arrival<C>[] {
  const { ratePerSecond, durationMs, mix, seed } = options;
  if (!(Number.isFinite(ratePerSecond) && ratePerSecond > 0))
    throw new RangeError(`ratePerSecond must be a positive number; got ${ratePerSecond}`);
  if (!(Number.isFinite(durationMs) && durationMs > 0)) throw new RangeError(`durationMs must be a positive number; got ${durationMs}`);
  if (mix.length === 0 || mix.some(({ share }) => !(share > 0))) {
    throw new RangeError(`mix must name at least one class, each with a positive share; got ${JSON.stringify(mix)}`);
  }
  const total = mix.reduce((sum, { share }) => sum + share, 0);
  if (Math.abs(total - 1) > SHARE_SUM_TOLERANCE) throw new RangeError(`the shares of mix must add up to 1; they add up to ${total}`);

  const gaps = new Sfc32(seed, GAP_STREAM);
  const classes = new Sfc32(seed, CLASS_STREAM);
  const meanGapMs = 1000 / ratePerSecond;
  const arrivals: Arrival<C>[] = [];
  let atMs = 0;
  for (;;) {
    // Inverse transform of Exp(λ); 1 − u is in (0, 1], so the logarithm is finite.
    atMs += -Math.log(1 - gaps.nextFloat()) * meanGapMs;
    if (atMs >= durationMs) return arrivals;
    arrivals.push({ index: arrivals.length, atMs, className: pick(mix, classes.nextFloat()) });
  }
}

function pick<C extends string>(mix: readonly ClassShare<C>[], uniform: number): C {
  let cumulative = 0;
  for (const { name, share } of mix) {
    cumulative += share;
    if (uniform < cumulative) return name;
  }
  // Rounding may leave the shares a hair under 1: the last class takes the remainder.
  return mix[mix.length - 1]!.name;
}
