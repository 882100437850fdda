/** Geometry in pixels of the original image (after EXIF orientation): boxes, points, polygons. */
import 'reflect-metadata';
import { Field, Float, InputType, ObjectType } from 'type-graphql';

@ObjectType({ description: 'A point in pixels of the original image; x grows rightwards, y downwards.' })
export class Point {
  @Field(() => Float)
  x!: number;

  @Field(() => Float)
  y!: number;

  static of(x: number, y: number): Point {
    return Object.assign(new Point(), { x, y });
  }
}

@ObjectType({
  description:
    'An axis-aligned box in pixels of the original image: (x1, y1) top-left, (x2, y2) bottom-right, always with x1 ≤ x2 and y1 ≤ y2, so ' +
    "width and height are never negative. The model may name a box's corners in either order; `Image.task(...).result` keeps the order " +
    'it generated.',
})
export class Box {
  @Field(() => Float)
  x1!: number;

  @Field(() => Float)
  y1!: number;

  @Field(() => Float)
  x2!: number;

  @Field(() => Float)
  y2!: number;

  @Field(() => Float, { description: 'x2 − x1, never negative.' })
  get width(): number {
    return this.x2 - this.x1;
  }

  @Field(() => Float, { description: 'y2 − y1, never negative.' })
  get height(): number {
    return this.y2 - this.y1;
  }

  /**
   * The box with corners (x1, y1) and (x2, y2) given in either order: Florence-2 sometimes generates
   * the bottom-right corner first, and a frontend drawing `width × height` should not get negatives.
   */
  static of(x1: number, y1: number, x2: number, y2: number): Box {
    return Object.assign(new Box(), { x1: Math.min(x1, x2), y1: Math.min(y1, y2), x2: Math.max(x1, x2), y2: Math.max(y1, y2) });
  }

  /** The smallest box holding every (x, y) pair of a flat coordinate list. */
  static around(coordinates: readonly number[]): Box {
    const xs = coordinates.filter((_, i) => i % 2 === 0);
    const ys = coordinates.filter((_, i) => i % 2 === 1);
    if (xs.length === 0 || ys.length === 0) return Box.of(0, 0, 0, 0);
    return Box.of(Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys));
  }
}

@InputType({ description: 'A box in pixels of the original image. x2 must exceed x1 and y2 must exceed y1.' })
export class BoxInput {
  @Field(() => Float)
  x1!: number;

  @Field(() => Float)
  y1!: number;

  @Field(() => Float)
  x2!: number;

  @Field(() => Float)
  y2!: number;
}

@ObjectType({ description: 'A closed polygon, its vertices in order.' })
export class Polygon {
  @Field(() => [Point])
  points!: Point[];

  /** From Florence-2's flat [x1, y1, x2, y2, …] list. */
  static fromFlat(coordinates: readonly number[]): Polygon {
    const points: Point[] = [];
    for (let i = 0; i + 1 < coordinates.length; i += 2) points.push(Point.of(coordinates[i]!, coordinates[i + 1]!));
    return Object.assign(new Polygon(), { points });
  }
}
