import 'reflect-metadata';
import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import type { ImageHandle } from '../../engine/taskRunner.js';

// A federation entity keyed by its content id, which any subgraph can compute (federation.ts).
// The default schema's SDL (graphql's printSchema) does not print applied directives, so
// schema.graphql stays free of federation; only the subgraph SDL shows the key.
@Directive('@key(fields: "id")')
@ObjectType({
  description:
    'An image, identified by the SHA-256 of its bytes. Its analysis fields run Florence-2 tasks only when a query asks for them; every ' +
    'result is cached by this id.',
})
export class Image {
  @Field(() => ID, { description: '"sha256:<hex>" of the image bytes. Pass it back as `image(id:)` after `POST /images`.' })
  id!: string;

  @Field(() => Int, { description: 'Width in pixels, after EXIF orientation (as a browser shows it).' })
  width!: number;

  @Field(() => Int, { description: 'Height in pixels, after EXIF orientation.' })
  height!: number;

  @Field({ description: 'The format sniffed from the bytes: jpeg, png, webp, gif, tiff or heif (AVIF).' })
  format!: string;

  /** What the runner needs to analyse the image; not part of the schema. */
  handle!: ImageHandle;

  static of(handle: ImageHandle, format: string): Image {
    return Object.assign(new Image(), { id: handle.id, width: handle.width, height: handle.height, format, handle });
  }
}
