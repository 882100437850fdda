import 'reflect-metadata';
import { Field, Float, ObjectType } from 'type-graphql';
import { Box, Point } from './geometry.js';

@ObjectType({ description: 'A line of text and where it is.' })
export class TextRegion {
  @Field()
  text!: string;

  @Field(() => [Point], { description: 'The four corners: top-left, top-right, bottom-right, bottom-left.' })
  quad!: Point[];

  @Field(() => Box, { description: 'The bounding box of the quad.' })
  box!: Box;

  @Field(() => Float, {
    nullable: true,
    description: 'Confidence in [0, 1] that the model placed the quad well: exp of the mean log-probability of its eight location tokens.',
  })
  score!: number | null;

  static fromQuad(text: string, quad: readonly number[], score: number | null = null): TextRegion {
    const corners: Point[] = [];
    for (let i = 0; i + 1 < quad.length; i += 2) corners.push(Point.of(quad[i] ?? 0, quad[i + 1] ?? 0));
    return Object.assign(new TextRegion(), { text, quad: corners, box: Box.around(quad), score });
  }
}
