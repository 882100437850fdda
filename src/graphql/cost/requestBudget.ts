/**
 * The runtime budget of one request: the model work it may start, in the price table's cost units.
 * The task loader charges each job that really goes to the model, in the order the fields asked for
 * them; cached results and duplicates within the request never reach it, so they cost nothing. A
 * job that would pass the limit is refused (BUDGET_EXCEEDED on its field) and the request goes on:
 * fields already paid for, and cheaper ones that still fit, resolve normally.
 */
import { BudgetExceededError } from './errors.js';
import { taskPrice, VISION_ENCODER_UNITS, type PricedOptions } from './prices.js';

/** What a charge needs to know about a job. */
export interface ChargedPlan {
  readonly task: string;
  readonly options: PricedOptions;
}

export class RequestBudget {
  /** Cost units charged so far. */
  private spentUnits = 0;
  /** Images whose vision-encoder pass this request has paid for (charged with their first job). */
  private readonly encodedImages = new Set<string>();

  /** @param limit most cost units the request may spend; `Infinity` for none. */
  constructor(readonly limit: number) {
    if (!(limit >= 0)) throw new RangeError(`a request budget must be a non-negative number of cost units; got ${limit}`);
  }

  /** A budget that never refuses (library use, tests of other concerns). */
  static unlimited(): RequestBudget {
    return new RequestBudget(Number.POSITIVE_INFINITY);
  }

  get spent(): number {
    return this.spentUnits;
  }

  /**
   * Charges one job on `imageId` (its task plus, for the image's first job, the vision encoder).
   * Returns the error for the field instead, charging nothing, when that would pass the limit.
   */
  charge(imageId: string, plan: ChargedPlan): BudgetExceededError | undefined {
    const vision = this.encodedImages.has(imageId) ? 0 : VISION_ENCODER_UNITS;
    const needed = vision + taskPrice(plan.task, plan.options);
    if (this.spentUnits + needed > this.limit) return new BudgetExceededError(needed, this.spentUnits, this.limit);
    this.spentUnits += needed;
    this.encodedImages.add(imageId);
    return undefined;
  }
}
