import 'reflect-metadata';
import { Field, ObjectType } from 'type-graphql';
import { listComplexity } from '../cost/complexity.js';
import { ASSUMED_LIST_SIZE } from '../cost/prices.js';
import { Region } from './Region.js';

@ObjectType({ description: 'A phrase of a caption and the regions it refers to.' })
export class GroundedPhrase {
  @Field()
  phrase!: string;

  @Field(() => [Region], { complexity: listComplexity(ASSUMED_LIST_SIZE.regionsPerPhrase) })
  regions!: Region[];

  static of(phrase: string, regions: Region[]): GroundedPhrase {
    return Object.assign(new GroundedPhrase(), { phrase, regions });
  }
}
