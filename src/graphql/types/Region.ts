import 'reflect-metadata';
import { Field, ObjectType } from 'type-graphql';
import { Box } from './geometry.js';
import type { Image } from './Image.js';
import type { Segment } from './Segment.js';

@ObjectType({
  description:
    'A box on an image: found by a task (objects, denseRegions, regionProposals, ground, find) or named by the client (`Image.region`). Its fields run region tasks on that box.',
})
export class Region {
  @Field(() => Box)
  box!: Box;

  @Field(() => String, { nullable: true, description: 'What the task that found the region called it; null for proposals and client boxes.' })
  label!: string | null;

  /** The image the box is on (exposed by RegionResolver). */
  image!: Image;

  /** Polygons that came with the detection (open-vocabulary answers in polygon form). */
  knownSegment?: Segment;

  static of(image: Image, box: Box, label: string | null, knownSegment?: Segment): Region {
    return Object.assign(new Region(), { image, box, label, ...(knownSegment ? { knownSegment } : {}) });
  }
}
