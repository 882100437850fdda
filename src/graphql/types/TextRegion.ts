import 'reflect-metadata';
import { Field, ObjectType } from 'type-graphql';
import { Box, Point } from './geometry.js';

@ObjectType({ description: 'A line of text and where it is.' })
export class TextRegion {
  @Field()
  text!: string;

  @Field(() => [Point], { description: 'The four corners: top-left, top-right, bottom-right, bottom-left.' })
  quad!: Point[];

  @Field(() => Box, { description: 'The bounding box of the quad.' })
  box!: Box;

  static fromQuad(text: string, quad: readonly number[]): TextRegion {
    const corners: Point[] = [];
    for (let i = 0; i + 1 < quad.length; i += 2) corners.push(Point.of(quad[i]!, quad[i + 1]!));
    return Object.assign(new TextRegion(), { text, quad: corners, box: Box.around(quad) });
  }
}
