import 'reflect-metadata';
import { Arg, Ctx, FieldResolver, Float, Resolver, Root } from 'type-graphql';
import type { GatewayContext } from '../context.js';
import { runTask } from '../context.js';
import { taskListComplexity } from '../cost/complexity.js';
import { ASSUMED_LIST_SIZE } from '../cost/prices.js';
import { checkMinScore, groundedAtLeast, MIN_SCORE_DESCRIPTION } from '../minScore.js';
import { asGroundedPhrases } from '../resultMapping.js';
import { Caption } from '../types/Caption.js';
import { TaskName } from '../types/enums.js';
import { GenerationInput } from '../types/GenerationInput.js';
import { GroundedPhrase } from '../types/GroundedPhrase.js';

/** The cascade: a caption's own text grounded in its image, whose regions can be segmented in turn. */
@Resolver(() => Caption)
export class CaptionResolver {
  @FieldResolver(() => [GroundedPhrase], {
    nullable: true,
    complexity: taskListComplexity(TaskName.CAPTION_TO_PHRASE_GROUNDING, ASSUMED_LIST_SIZE.phrases),
    description: "The caption's phrases with the regions they refer to (<CAPTION_TO_PHRASE_GROUNDING> on this caption).",
  })
  async phrases(
    @Root() caption: Caption,
    @Ctx() context: GatewayContext,
    @Arg('minScore', () => Float, { nullable: true, description: `${MIN_SCORE_DESCRIPTION} A phrase left without regions is left out.` })
    minScore?: number | null,
    @Arg('generation', () => GenerationInput, { nullable: true }) generation?: GenerationInput,
  ): Promise<GroundedPhrase[]> {
    const floor = checkMinScore(minScore);
    const answer = await runTask(context, caption.image, TaskName.CAPTION_TO_PHRASE_GROUNDING, caption.text, generation);
    return groundedAtLeast(asGroundedPhrases(caption.image, answer.result, answer.regionScores), floor);
  }
}
