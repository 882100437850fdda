/** Per-field overrides of the server's generation defaults; they are part of the cache key. */
import 'reflect-metadata';
import { IsInt, Max, Min } from 'class-validator';
import { Field, InputType, Int } from 'type-graphql';
import { MAX_BEAMS } from '../../vision/generation/settings.js';

/** The decoder's learned positions (1024 for every Florence-2 checkpoint) bound the answer length. */
const MAX_NEW_TOKENS = 1024;

@InputType({ description: 'Overrides of the server\'s generation settings for one field. Different settings are cached separately.' })
export class GenerationInput {
  @Field(() => Int, { nullable: true, description: `Beams of beam search, 1 to ${MAX_BEAMS}: 1 is greedy (fastest); 3 is the reference Python setting.` })
  @IsInt()
  @Min(1)
  @Max(MAX_BEAMS)
  numBeams?: number;

  @Field(() => Int, { nullable: true, description: `Most tokens to generate, <s> and </s> included: 2 to ${MAX_NEW_TOKENS}.` })
  @IsInt()
  @Min(2)
  @Max(MAX_NEW_TOKENS)
  maxNewTokens?: number;

  @Field(() => Int, { nullable: true, description: `</s> is not allowed before this many tokens: 0 to ${MAX_NEW_TOKENS}, at most maxNewTokens. Equal to maxNewTokens, every answer has exactly that length.` })
  @IsInt()
  @Min(0)
  @Max(MAX_NEW_TOKENS)
  minNewTokens?: number;
}
