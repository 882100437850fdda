import 'reflect-metadata';
import { GraphQLJSON } from 'graphql-scalars';
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { TaskName } from './enums.js';

@ObjectType({
  description:
    'One event of a streamed generation: the text so far while the model decodes (at most one event per decode step and per ~50 ms), ' +
    'then a last event with `done: true`, the parsed `result` and the `score`. A result the gateway already has arrives as that last ' +
    'event alone.',
})
export class GenerationEvent {
  @Field(() => ID, { description: 'The image\'s id ("sha256:<hex>"); pass it back as `image(id:)` to query it further.' })
  imageId!: string;

  @Field(() => TaskName)
  task!: TaskName;

  @Field({ description: 'The generated text so far, without <s> and </s> (location tokens such as <loc_53> kept).' })
  text!: string;

  @Field(() => Int, { description: 'Tokens generated so far, the forced <s> included.' })
  tokens!: number;

  @Field({ description: 'Whether this is the last event.' })
  done!: boolean;

  @Field(() => GraphQLJSON, { nullable: true, description: 'The parsed answer (as `Image.task(...).result`), on the last event only.' })
  result!: unknown;

  @Field(() => Float, { nullable: true, description: 'Length-normalised log-probability of the generation, on the last event only.' })
  score!: number | null;
}
