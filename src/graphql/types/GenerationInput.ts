/** Per-field overrides of the server's generation defaults; they are part of the cache key. */
import 'reflect-metadata';
import { ValidateBy, type ValidationArguments } from 'class-validator';
import { Field, InputType, Int } from 'type-graphql';
import { MAX_BEAMS } from '../../vision/generation/settings.js';

/** The decoder's learned positions (1024 for every Florence-2 checkpoint) bound the answer length. */
export const MAX_NEW_TOKENS = 1024;

/** The ranges checked when the arguments are read; the cost estimate prices only values inside them. */
export const GENERATION_RANGES = {
  numBeams: { min: 1, max: MAX_BEAMS },
  maxNewTokens: { min: 2, max: MAX_NEW_TOKENS },
} as const;

@InputType({ description: "Overrides of the server's generation settings for one field. Different settings are cached separately." })
export class GenerationInput {
  @Field(() => Int, {
    nullable: true,
    description: `Beams of beam search, 1 to ${MAX_BEAMS}: 1 is greedy (fastest); 3 is the reference Python setting.`,
  })
  @IntegerIn(GENERATION_RANGES.numBeams)
  numBeams?: number;

  @Field(() => Int, { nullable: true, description: `Most tokens to generate, <s> and </s> included: 2 to ${MAX_NEW_TOKENS}.` })
  @IntegerIn(GENERATION_RANGES.maxNewTokens)
  maxNewTokens?: number;

  // Checked by the runtime against the maxNewTokens in effect (this field's, else the server's
  // MAX_NEW_TOKENS), which only it knows; its message names that bound.
  @Field(() => Int, {
    nullable: true,
    description:
      '</s> is not allowed before this many tokens: 0 to maxNewTokens. Equal to maxNewTokens, every answer has exactly that length.',
  })
  minNewTokens?: number;
}

/**
 * An integer from `min` to `max`, with one message for every way to miss it, the same the runtime
 * gives for the same mistake: "numBeams must be an integer from 1 to 16, got 40".
 */
function IntegerIn(range: { readonly min: number; readonly max: number }): PropertyDecorator {
  return ValidateBy({
    name: 'integerIn',
    constraints: [range.min, range.max],
    validator: {
      validate: (value: unknown) => typeof value === 'number' && Number.isInteger(value) && value >= range.min && value <= range.max,
      defaultMessage: (args?: ValidationArguments) =>
        `${args?.property ?? 'value'} must be an integer from ${range.min} to ${range.max}, got ${String(args?.value)}`,
    },
  });
}
