/**
 * The image arguments every entry point takes (`Query.image`, `Subscription.generation`): exactly
 * one of `url`, `base64` or `id`.
 */
import { TaskInputError } from '../vision/errors.js';
import type { ImageSourceSpec } from './loaders/imageLoader.js';

export interface ImageSourceArgs {
  readonly url?: string | null | undefined;
  readonly base64?: string | null | undefined;
  readonly id?: string | null | undefined;
}

/** The one source given, or a BAD_INPUT error naming what was given. */
export function imageSourceOf(args: ImageSourceArgs, field: string): ImageSourceSpec {
  const given: ImageSourceSpec[] = [
    ...(args.url != null ? [{ url: args.url }] : []),
    ...(args.base64 != null ? [{ base64: args.base64 }] : []),
    ...(args.id != null ? [{ id: args.id }] : []),
  ];
  if (given.length !== 1) {
    const names = given.map((spec) => Object.keys(spec)[0]).join(' and ');
    throw new TaskInputError(`${field} takes exactly one of url, base64 or id; got ${given.length === 0 ? 'none' : names}`);
  }
  return given[0]!;
}
