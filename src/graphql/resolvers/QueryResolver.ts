import 'reflect-metadata';
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, ID, Info, Query, Resolver } from 'type-graphql';
import { TaskInputError } from '../../vision/errors.js';
import { TASK_TOKENS } from '../../vision/tasks.js';
import type { GatewayContext } from '../context.js';
import { imageComplexity, imagesComplexity } from '../cost/complexity.js';
import type { ImageSourceSpec } from '../loaders/imageLoader.js';
import { taskNameOf } from '../types/enums.js';
import { Image } from '../types/Image.js';
import { ModelInfo } from '../types/ModelInfo.js';

@Resolver()
export class QueryResolver {
  @Query(() => Image, {
    nullable: true,
    complexity: imageComplexity,
    description:
      'An image from exactly one source: `url` (http/https; private and loopback addresses are refused), `base64` (plain or a data: ' +
      'URL), or `id` (from POST /images). Null with an error when the source fails; the rest of the response stays.',
  })
  image(
    @Ctx() context: GatewayContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('url', () => String, { nullable: true }) url?: string,
    @Arg('base64', () => String, { nullable: true }) base64?: string,
    @Arg('id', () => ID, { nullable: true }) id?: string,
  ): Promise<Image> {
    const given: ImageSourceSpec[] = [
      ...(url != null ? [{ url }] : []),
      ...(base64 != null ? [{ base64 }] : []),
      ...(id != null ? [{ id }] : []),
    ];
    const [source] = given;
    if (source === undefined || given.length > 1) {
      const named =
        given.length === 0
          ? 'none'
          : inWords(
              inQueryOrder(
                given.map((spec) => Object.keys(spec)[0] ?? ''),
                info,
              ),
            );
      return Promise.reject(new TaskInputError(`give exactly one image source (url, base64 or id); got ${named}`));
    }
    if (url != null) context.determinism.fromVariables = false;
    return context.images.load(source);
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
      tasks: TASK_TOKENS.map(taskNameOf),
    });
  }
}

/** Argument names in the order the query wrote them (the order a user reads back in the error). */
function inQueryOrder(names: readonly string[], info: GraphQLResolveInfo): string[] {
  const written = info.fieldNodes[0]?.arguments?.map((argument) => argument.name.value) ?? [];
  return [...names].sort((a, b) => written.indexOf(a) - written.indexOf(b));
}

/** "id", "id and base64", "url, base64 and id". */
function inWords(names: readonly string[]): string {
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1) ?? ''}`;
}
