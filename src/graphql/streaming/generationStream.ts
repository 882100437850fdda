/**
 * The source stream of `Subscription.generation`: everything a query field would do for one task
 * (image source rules, task and option checks, the results cache, the request budget), then the
 * engine's progress as events, and the result last.
 *
 * Failures before the stream exists throw, so graphql-ws answers them as the operation's errors.
 * Afterwards the stream never throws — graphql-ws would close the socket (4500) — it yields the
 * Error instead, which the resolver turns into a field error on a last event.
 */
import type { ImageHandle } from '../../engine/taskRunner.js';
import { visibleText, type Progress } from '../../engine/work.js';
import type { RunResult } from '../../vision/florence2.js';
import type { GenerationOptions } from '../../vision/generation/settings.js';
import { planTask, type GatewayContext } from '../context.js';
import { imageSourceOf, type ImageSourceArgs } from '../imageSource.js';
import { cachedAnswers, stripForCache } from '../loaders/taskLoader.js';
import type { TaskName } from '../types/enums.js';
import { GenerationEvent } from '../types/GenerationEvent.js';
import { LatestValueChannel } from './latestValueChannel.js';

export interface GenerationArgs extends ImageSourceArgs {
  readonly task: TaskName;
  readonly input?: string | null | undefined;
  readonly generation?: GenerationOptions | null | undefined;
}

/** An event, or the error that ended the stream. */
export type GenerationPayload = GenerationEvent | Error;

export async function generationStream(context: GatewayContext, args: GenerationArgs): Promise<AsyncIterableIterator<GenerationPayload>> {
  const source = imageSourceOf(args, 'generation()');
  const image = await context.images.load(source);
  const { plan, cacheKey } = planTask(context, image, args.task, args.input ?? undefined, args.generation ?? undefined);
  const base = { imageId: image.id, task: args.task };
  const { cache, runner } = context.services;

  const [cached] = await cachedAnswers(cache, [cacheKey], new Map([[cacheKey, plan.task]]));
  const controller = new AbortController();
  const stop = () => controller.abort(new Error('the subscriber left'));
  const channel = new LatestValueChannel<GenerationPayload>(stop);
  if (cached) {
    channel.finish(finalEvent(base, cached));
    return channel;
  }
  const overBudget = context.budget.charge(image.id, plan);
  if (overBudget) throw overBudget;

  if (context.signal.aborted) stop();
  else context.signal.addEventListener('abort', stop, { once: true });
  const job = { key: cacheKey, image: image.handle as ImageHandle, plan, signal: controller.signal, requester: context.requester };
  const outcome = runner.stream
    ? runner.stream(job, (progress) => channel.push(progressEvent(base, progress)))
    : runner.run([job]).then(([result]) => result ?? new Error('the runner returned no result'));
  void outcome.then(async (result) => {
    context.signal.removeEventListener('abort', stop);
    if (result instanceof Error) {
      channel.finish(result);
      return;
    }
    // A later query or subscription for the same work is answered from the cache.
    await cache
      .set(cacheKey, stripForCache(result))
      .catch((error: unknown) => context.logger.warn({ err: error }, 'could not cache a streamed result'));
    channel.finish(finalEvent(base, result));
  });
  return channel;
}

type EventBase = Pick<GenerationEvent, 'imageId' | 'task'>;

function progressEvent(base: EventBase, progress: Progress): GenerationEvent {
  return Object.assign(new GenerationEvent(), {
    ...base,
    text: progress.text,
    tokens: progress.tokens,
    done: false,
    result: null,
    score: null,
  });
}

function finalEvent(base: EventBase, result: RunResult): GenerationEvent {
  return Object.assign(new GenerationEvent(), {
    ...base,
    text: visibleText(result.text),
    tokens: result.tokens.length,
    done: true,
    result: result.result,
    score: result.score,
  });
}
