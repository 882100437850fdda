import 'reflect-metadata';
import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import { TaskInputError } from '../../vision/errors.js';
import { TASKS } from '../../vision/tasks.js';
import type { GatewayContext } from '../context.js';
import { imageComplexity, imagesComplexity } from '../cost/complexity.js';
import type { ImageSourceSpec } from '../loaders/imageLoader.js';
import { TaskName } from '../types/enums.js';
import { Image } from '../types/Image.js';
import { ModelInfo } from '../types/ModelInfo.js';

@Resolver()
export class QueryResolver {
  @Query(() => Image, {
    nullable: true,
    complexity: imageComplexity,
    description:
      'An image from exactly one source: `url` (http/https; private and loopback addresses are refused), `base64` (plain or a data: URL), or `id` (from POST /images). Null with an error when the source fails; the rest of the response stays.',
  })
  image(
    @Ctx() context: GatewayContext,
    @Arg('url', () => String, { nullable: true }) url?: string,
    @Arg('base64', () => String, { nullable: true }) base64?: string,
    @Arg('id', () => ID, { nullable: true }) id?: string,
  ): Promise<Image> {
    const given: ImageSourceSpec[] = [
      ...(url != null ? [{ url }] : []),
      ...(base64 != null ? [{ base64 }] : []),
      ...(id != null ? [{ id }] : []),
    ];
    if (given.length !== 1) {
      return Promise.reject(new TaskInputError(`image() takes exactly one of url, base64 or id; got ${given.length === 0 ? 'none' : given.length}`));
    }
    if (url != null) context.determinism.fromVariables = false;
    return context.images.load(given[0]!);
  }

  @Query(() => [Image], {
    nullable: 'items',
    complexity: imagesComplexity,
    description: 'Several images by URL, loaded in parallel. An image that fails is null at its index, with an error naming that index.',
  })
  images(@Ctx() context: GatewayContext, @Arg('urls', () => [String]) urls: string[]): Promise<(Image | Error)[]> {
    const limit = context.services.maxImagesPerQuery;
    if (urls.length > limit) {
      return Promise.reject(new TaskInputError(`images() takes at most ${limit} URLs; got ${urls.length}`));
    }
    context.determinism.fromVariables = false;
    return context.images.loadMany(urls.map((url) => ({ url })));
  }

  @Query(() => ModelInfo, { description: 'The model this gateway serves.' })
  model(@Ctx() context: GatewayContext): ModelInfo {
    const model = context.services.model;
    return Object.assign(new ModelInfo(), {
      ...model,
      tasks: TASKS.map((task) => task.token as TaskName),
    });
  }
}
