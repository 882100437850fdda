import 'reflect-metadata';
import { Arg, ID, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import type { GatewayContext } from '../context.js';
import { streamedTaskComplexity } from '../cost/complexity.js';
import { generationStream, type GenerationArgs, type GenerationPayload } from '../streaming/generationStream.js';
import { TaskName } from '../types/enums.js';
import { GenerationEvent } from '../types/GenerationEvent.js';
import { GenerationInput } from '../types/GenerationInput.js';

@Resolver()
export class GenerationResolver {
  @Subscription(() => GenerationEvent, {
    description:
      'Runs one task on an image and streams its text as the model decodes it (over graphql-ws on /graphql). The image comes ' +
      'from exactly one of `url`, `base64` or `id`, under the same rules as `Query.image`. Unsubscribing stops the work unless ' +
      'another request wants the same answer.',
    complexity: streamedTaskComplexity,
    subscribe: ({ args, context }: SubscribeResolverData<unknown, GenerationArgs, GatewayContext>) => generationStream(context, args),
  })
  generation(
    @Root() payload: GenerationPayload,
    @Arg('task', () => TaskName) _task: TaskName,
    @Arg('url', () => String, { nullable: true }) _url?: string,
    @Arg('base64', () => String, { nullable: true }) _base64?: string,
    @Arg('id', () => ID, { nullable: true }) _id?: string,
    @Arg('input', () => String, { nullable: true, description: "The task's input, for tasks that take one." }) _input?: string,
    @Arg('generation', () => GenerationInput, { nullable: true }) _generation?: GenerationInput,
  ): GenerationEvent {
    // The stream yields its failure instead of throwing (which would close the socket): here it becomes the field's error.
    if (payload instanceof Error) throw payload;
    return payload;
  }
}
