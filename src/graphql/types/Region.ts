import 'reflect-metadata';
import { Field, Float, ObjectType } from 'type-graphql';
import { Box } from './geometry.js';
import type { Image } from './Image.js';
import type { Segment } from './Segment.js';

@ObjectType({
  description:
    'A box on an image: found by a task (objects, denseRegions, regionProposals, ground, find) or named by the client (`Image.region`). ' +
    'Its fields run region tasks on that box.',
})
export class Region {
  @Field(() => Box)
  box!: Box;

  @Field(() => String, {
    nullable: true,
    description: 'What the task that found the region called it; null for proposals and client boxes.',
  })
  label!: string | null;

  @Field(() => Float, {
    nullable: true,
    description:
      'Confidence in [0, 1] that the model placed the box well: exp of the mean log-probability of its four location tokens (for a ' +
      "polygon instance of `find`, of its polygons' location tokens). Null for a box the client names (`Image.region`): the model did " +
      'not write it.',
  })
  score!: number | null;

  /** The image the box is on (exposed by RegionResolver). */
  image!: Image;

  /** Polygons that came with the detection (open-vocabulary answers in polygon form). */
  knownSegment?: Segment;

  static of(image: Image, box: Box, label: string | null, score: number | null = null, knownSegment?: Segment): Region {
    return Object.assign(new Region(), { image, box, label, score, ...(knownSegment ? { knownSegment } : {}) });
  }
}
