import 'reflect-metadata';
import { Arg, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { regionToLocTokens } from '../../vision/regionInput.js';
import type { GatewayContext } from '../context.js';
import { runTask } from '../context.js';
import { taskComplexity } from '../cost/complexity.js';
import { asSegment, regionAnswer } from '../resultMapping.js';
import { TaskName } from '../types/enums.js';
import { GenerationInput } from '../types/GenerationInput.js';
import { Image } from '../types/Image.js';
import { Region } from '../types/Region.js';
import { Segment } from '../types/Segment.js';

/** Region tasks prompt with the region's box quantised to location tokens of its image. */
@Resolver(() => Region)
export class RegionResolver {
  @FieldResolver(() => Image, { description: 'The image the region is on.' })
  image(@Root() region: Region): Image {
    return region.image;
  }

  @FieldResolver(() => String, {
    nullable: true,
    complexity: taskComplexity(TaskName.REGION_TO_CATEGORY),
    description: 'The category of what is in the box (<REGION_TO_CATEGORY>).',
  })
  async category(
    @Root() region: Region,
    @Ctx() context: GatewayContext,
    @Arg('generation', () => GenerationInput, { nullable: true }) generation?: GenerationInput,
  ): Promise<string> {
    return regionAnswer((await runRegionTask(context, region, TaskName.REGION_TO_CATEGORY, generation)).result);
  }

  @FieldResolver(() => String, {
    nullable: true,
    complexity: taskComplexity(TaskName.REGION_TO_DESCRIPTION),
    description: 'A description of what is in the box (<REGION_TO_DESCRIPTION>).',
  })
  async description(
    @Root() region: Region,
    @Ctx() context: GatewayContext,
    @Arg('generation', () => GenerationInput, { nullable: true }) generation?: GenerationInput,
  ): Promise<string> {
    return regionAnswer((await runRegionTask(context, region, TaskName.REGION_TO_DESCRIPTION, generation)).result);
  }

  @FieldResolver(() => String, {
    nullable: true,
    complexity: taskComplexity(TaskName.REGION_TO_OCR),
    description: 'The text in the box (<REGION_TO_OCR>).',
  })
  async text(
    @Root() region: Region,
    @Ctx() context: GatewayContext,
    @Arg('generation', () => GenerationInput, { nullable: true }) generation?: GenerationInput,
  ): Promise<string> {
    return regionAnswer((await runRegionTask(context, region, TaskName.REGION_TO_OCR, generation)).result);
  }

  @FieldResolver(() => Segment, {
    nullable: true,
    // Priced even for `find`'s polygon regions, which need no task: the estimate cannot tell them apart.
    complexity: taskComplexity(TaskName.REGION_TO_SEGMENTATION),
    description:
      'The outline of the object in the box (<REGION_TO_SEGMENTATION>). A region found by `find` in polygon form returns those polygons ' +
      'without running a task.',
  })
  async segment(
    @Root() region: Region,
    @Ctx() context: GatewayContext,
    @Arg('generation', () => GenerationInput, { nullable: true }) generation?: GenerationInput,
  ): Promise<Segment> {
    if (region.knownSegment) return region.knownSegment;
    const answer = await runRegionTask(context, region, TaskName.REGION_TO_SEGMENTATION, generation);
    return asSegment(answer.result, answer.locationScore);
  }
}

function runRegionTask<T extends TaskName>(context: GatewayContext, region: Region, task: T, generation: GenerationInput | undefined) {
  const { box, image } = region;
  // Box.of already put the corners in order, whatever order the model named them in.
  const input = regionToLocTokens({ x1: box.x1, y1: box.y1, x2: box.x2, y2: box.y2 }, { width: image.width, height: image.height });
  return runTask(context, image, task, input, generation);
}
