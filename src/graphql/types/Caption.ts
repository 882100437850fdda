import 'reflect-metadata';
import { Field, ObjectType } from 'type-graphql';
import { CaptionDetail } from './enums.js';
import type { Image } from './Image.js';

@ObjectType({ description: "A caption of an image. `phrases` grounds the caption's own words in the image (a second task)." })
export class Caption {
  @Field()
  text!: string;

  @Field(() => CaptionDetail)
  detail!: CaptionDetail;

  /** The captioned image, for the grounding cascade. */
  image!: Image;

  static of(image: Image, text: string, detail: CaptionDetail): Caption {
    return Object.assign(new Caption(), { image, text, detail });
  }
}
