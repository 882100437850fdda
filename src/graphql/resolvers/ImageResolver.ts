import 'reflect-metadata';
import { Arg, Ctx, FieldResolver, Float, Resolver, Root } from 'type-graphql';
import { TaskInputError } from '../../vision/errors.js';
import type { GatewayContext } from '../context.js';
import { anyTaskComplexity, captionComplexity, taskComplexity, taskListComplexity } from '../cost/complexity.js';
import { ASSUMED_LIST_SIZE } from '../cost/prices.js';
import { atLeast, checkMinScore, groundedAtLeast, MIN_SCORE_DESCRIPTION } from '../minScore.js';
import { runTask } from '../context.js';
import { asFoundRegions, asGroundedPhrases, asRegions, asSegment, asTextRegions } from '../resultMapping.js';
import { Caption } from '../types/Caption.js';
import { CAPTION_TASKS, CaptionDetail, TaskName } from '../types/enums.js';
import { GenerationInput } from '../types/GenerationInput.js';
import { Box, BoxInput } from '../types/geometry.js';
import { GroundedPhrase } from '../types/GroundedPhrase.js';
import { Image } from '../types/Image.js';
import { Region } from '../types/Region.js';
import { Segment } from '../types/Segment.js';
import { TaskOutput } from '../types/TaskOutput.js';
import { TextRegion } from '../types/TextRegion.js';

const GENERATION_DESCRIPTION = "Overrides of the server's generation settings for this field.";

/** Every analysis field of an Image runs (or serves from cache) one Florence-2 task on it. */
@Resolver(() => Image)
export class ImageResolver {
  @FieldResolver(() => Caption, {
    nullable: true,
    complexity: captionComplexity,
    description: 'A caption (<CAPTION>, <DETAILED_CAPTION> or <MORE_DETAILED_CAPTION>).',
  })
  async caption(
    @Root() image: Image,
    @Ctx() context: GatewayContext,
    @Arg('detail', () => CaptionDetail, { defaultValue: CaptionDetail.BRIEF }) detail: CaptionDetail,
    @Arg('generation', () => GenerationInput, { nullable: true, description: GENERATION_DESCRIPTION }) generation?: GenerationInput,
  ): Promise<Caption> {
    const answer = await runTask(context, image, CAPTION_TASKS[detail], undefined, generation);
    return Caption.of(image, answer.result, detail);
  }

  @FieldResolver(() => [Region], {
    nullable: true,
    complexity: taskListComplexity(TaskName.OD, ASSUMED_LIST_SIZE.detections),
    description: 'Objects with category names (<OD>).',
  })
  async objects(
    @Root() image: Image,
    @Ctx() context: GatewayContext,
    @Arg('minScore', () => Float, { nullable: true, description: MIN_SCORE_DESCRIPTION }) minScore?: number | null,
    @Arg('generation', () => GenerationInput, { nullable: true }) generation?: GenerationInput,
  ): Promise<Region[]> {
    const floor = checkMinScore(minScore);
    const answer = await runTask(context, image, TaskName.OD, undefined, generation);
    return atLeast(asRegions(image, answer.result, true, answer.regionScores), floor);
  }

  @FieldResolver(() => [Region], {
    nullable: true,
    complexity: taskListComplexity(TaskName.DENSE_REGION_CAPTION, ASSUMED_LIST_SIZE.detections),
    description: 'Regions with a short description each (<DENSE_REGION_CAPTION>).',
  })
  async denseRegions(
    @Root() image: Image,
    @Ctx() context: GatewayContext,
    @Arg('minScore', () => Float, { nullable: true, description: MIN_SCORE_DESCRIPTION }) minScore?: number | null,
    @Arg('generation', () => GenerationInput, { nullable: true }) generation?: GenerationInput,
  ): Promise<Region[]> {
    const floor = checkMinScore(minScore);
    const answer = await runTask(context, image, TaskName.DENSE_REGION_CAPTION, undefined, generation);
    return atLeast(asRegions(image, answer.result, true, answer.regionScores), floor);
  }

  @FieldResolver(() => [Region], {
    nullable: true,
    complexity: taskListComplexity(TaskName.REGION_PROPOSAL, ASSUMED_LIST_SIZE.detections),
    description: 'Boxes of likely objects, unlabelled (<REGION_PROPOSAL>).',
  })
  async regionProposals(
    @Root() image: Image,
    @Ctx() context: GatewayContext,
    @Arg('minScore', () => Float, { nullable: true, description: MIN_SCORE_DESCRIPTION }) minScore?: number | null,
    @Arg('generation', () => GenerationInput, { nullable: true }) generation?: GenerationInput,
  ): Promise<Region[]> {
    const floor = checkMinScore(minScore);
    const answer = await runTask(context, image, TaskName.REGION_PROPOSAL, undefined, generation);
    return atLeast(asRegions(image, answer.result, false, answer.regionScores), floor);
  }

  @FieldResolver(() => String, { nullable: true, complexity: taskComplexity(TaskName.OCR), description: 'The text in the image (<OCR>).' })
  async text(
    @Root() image: Image,
    @Ctx() context: GatewayContext,
    @Arg('generation', () => GenerationInput, { nullable: true }) generation?: GenerationInput,
  ): Promise<string> {
    return (await runTask(context, image, TaskName.OCR, undefined, generation)).result;
  }

  @FieldResolver(() => [TextRegion], {
    nullable: true,
    complexity: taskListComplexity(TaskName.OCR_WITH_REGION, ASSUMED_LIST_SIZE.detections),
    description: 'Lines of text with their quadrilaterals (<OCR_WITH_REGION>).',
  })
  async textRegions(
    @Root() image: Image,
    @Ctx() context: GatewayContext,
    @Arg('minScore', () => Float, { nullable: true, description: MIN_SCORE_DESCRIPTION }) minScore?: number | null,
    @Arg('generation', () => GenerationInput, { nullable: true }) generation?: GenerationInput,
  ): Promise<TextRegion[]> {
    const floor = checkMinScore(minScore);
    const answer = await runTask(context, image, TaskName.OCR_WITH_REGION, undefined, generation);
    return atLeast(asTextRegions(answer.result, answer.regionScores), floor);
  }

  @FieldResolver(() => [GroundedPhrase], {
    nullable: true,
    complexity: taskListComplexity(TaskName.CAPTION_TO_PHRASE_GROUNDING, ASSUMED_LIST_SIZE.phrases),
    description: 'The regions each phrase of a caption refers to (<CAPTION_TO_PHRASE_GROUNDING>).',
  })
  async ground(
    @Root() image: Image,
    @Ctx() context: GatewayContext,
    @Arg('phrase', () => String, { description: 'A caption or phrase to ground.' }) phrase: string,
    @Arg('minScore', () => Float, { nullable: true, description: `${MIN_SCORE_DESCRIPTION} A phrase left without regions is left out.` })
    minScore?: number | null,
    @Arg('generation', () => GenerationInput, { nullable: true }) generation?: GenerationInput,
  ): Promise<GroundedPhrase[]> {
    const floor = checkMinScore(minScore);
    const answer = await runTask(context, image, TaskName.CAPTION_TO_PHRASE_GROUNDING, phrase, generation);
    return groundedAtLeast(asGroundedPhrases(image, answer.result, answer.regionScores), floor);
  }

  @FieldResolver(() => [Region], {
    nullable: true,
    complexity: taskListComplexity(TaskName.OPEN_VOCABULARY_DETECTION, ASSUMED_LIST_SIZE.detections),
    description: 'Everything matching a name or short description (<OPEN_VOCABULARY_DETECTION>).',
  })
  async find(
    @Root() image: Image,
    @Ctx() context: GatewayContext,
    @Arg('query', () => String, { description: 'What to find, e.g. "red car".' }) query: string,
    @Arg('minScore', () => Float, { nullable: true, description: MIN_SCORE_DESCRIPTION }) minScore?: number | null,
    @Arg('generation', () => GenerationInput, { nullable: true }) generation?: GenerationInput,
  ): Promise<Region[]> {
    const floor = checkMinScore(minScore);
    const answer = await runTask(context, image, TaskName.OPEN_VOCABULARY_DETECTION, query, generation);
    return atLeast(asFoundRegions(image, answer.result, answer.regionScores), floor);
  }

  @FieldResolver(() => Segment, {
    nullable: true,
    complexity: taskComplexity(TaskName.REFERRING_EXPRESSION_SEGMENTATION),
    description: 'The outline of what an expression refers to (<REFERRING_EXPRESSION_SEGMENTATION>).',
  })
  async segment(
    @Root() image: Image,
    @Ctx() context: GatewayContext,
    @Arg('query', () => String, { description: 'A referring expression, e.g. "the dog on the left".' }) query: string,
    @Arg('generation', () => GenerationInput, { nullable: true }) generation?: GenerationInput,
  ): Promise<Segment> {
    const answer = await runTask(context, image, TaskName.REFERRING_EXPRESSION_SEGMENTATION, query, generation);
    return asSegment(answer.result, answer.locationScore);
  }

  @FieldResolver(() => Region, {
    nullable: true,
    description: 'A region the client names, to run region tasks on (category, description, text, segment).',
  })
  region(@Root() image: Image, @Arg('box', () => BoxInput) box: BoxInput): Region {
    const { x1, y1, x2, y2 } = box;
    if (![x1, y1, x2, y2].every(Number.isFinite) || x2 <= x1 || y2 <= y1) {
      throw new TaskInputError(`box must have finite coordinates with x2 > x1 and y2 > y1; got (${x1}, ${y1}, ${x2}, ${y2})`);
    }
    // The model did not write this box: it has no score.
    return Region.of(image, Box.of(x1, y1, x2, y2), null, null);
  }

  @FieldResolver(() => TaskOutput, {
    nullable: true,
    complexity: anyTaskComplexity,
    description: 'Any task by name, with its raw generation and parsed result.',
  })
  async task(
    @Root() image: Image,
    @Ctx() context: GatewayContext,
    @Arg('name', () => TaskName) name: TaskName,
    @Arg('input', () => String, { nullable: true, description: "The task's input, for tasks that take one." }) input?: string,
    @Arg('generation', () => GenerationInput, { nullable: true }) generation?: GenerationInput,
  ): Promise<TaskOutput> {
    const answer = await runTask(context, image, name, input ?? undefined, generation);
    return Object.assign(new TaskOutput(), { ...answer, task: name, tokens: [...answer.tokens] });
  }
}
