import 'reflect-metadata';
import { Field, Float, ObjectType } from 'type-graphql';
import { Box, Polygon } from './geometry.js';

@ObjectType({ description: 'A segmentation: one or more polygons covering an object, in pixels of the original image.' })
export class Segment {
  @Field(() => [Polygon])
  polygons!: Polygon[];

  @Field(() => Box, { description: 'The bounding box of all polygons.' })
  box!: Box;

  @Field(() => Float, { description: 'Total area of the polygons in square pixels (shoelace formula).' })
  area!: number;

  @Field({ description: 'The polygons as an SVG path ("M x y L … Z" per polygon), ready for <path d="…">.' })
  svgPath!: string;

  @Field(() => Float, {
    nullable: true,
    description:
      'Confidence in [0, 1] in the outline: exp of the mean log-probability of the location tokens of all its polygons. Null when the ' +
      'answer has no polygon.',
  })
  score!: number | null;

  /** From Florence-2's flat polygon lists (the polygons of every instance of the answer). */
  static fromPolygons(flatPolygons: readonly (readonly number[])[], score: number | null = null): Segment {
    const usable = flatPolygons.filter((coordinates) => coordinates.length >= 2);
    const polygons = usable.map((coordinates) => Polygon.fromFlat(coordinates));
    return Object.assign(new Segment(), {
      polygons,
      box: Box.around(usable.flat()),
      area: usable.reduce((sum, coordinates) => sum + shoelaceArea(coordinates), 0),
      svgPath: usable.map(svgSubpath).join(' '),
      score,
    });
  }
}

function shoelaceArea(coordinates: readonly number[]): number {
  let twiceArea = 0;
  const n = Math.floor(coordinates.length / 2);
  for (let i = 0; i < n; i++) {
    const j = (i + 1) % n;
    twiceArea += coordinates[2 * i]! * coordinates[2 * j + 1]! - coordinates[2 * j]! * coordinates[2 * i + 1]!;
  }
  return Math.abs(twiceArea) / 2;
}

function svgSubpath(coordinates: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i + 1 < coordinates.length; i += 2) {
    parts.push(`${i === 0 ? 'M' : 'L'}${round(coordinates[i]!)} ${round(coordinates[i + 1]!)}`);
  }
  return `${parts.join(' ')} Z`;
}

function round(value: number): string {
  return String(Math.round(value * 100) / 100);
}
