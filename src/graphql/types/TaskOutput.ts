import 'reflect-metadata';
import { GraphQLJSON } from 'graphql-scalars';
import { Field, Float, Int, ObjectType } from 'type-graphql';
import { TaskName } from './enums.js';

@ObjectType('TaskResult', { description: 'The raw answer of any task: the generated text and its parsed form.' })
export class TaskOutput {
  @Field(() => TaskName)
  task!: TaskName;

  @Field({ description: 'The English prompt the model was given.' })
  prompt!: string;

  @Field({ description: 'The generation with its special tokens, e.g. "</s><s>car<loc_53>…</s>".' })
  text!: string;

  @Field(() => GraphQLJSON, {
    description:
      'The parsed answer: a string, {bboxes, labels}, {quad_boxes, labels}, {polygons, labels} or {bboxes, bboxes_labels, polygons, ' +
      'polygons_labels}; coordinates in pixels.',
  })
  result!: unknown;

  @Field(() => [Int], { description: 'Generated token ids, from <s> (0) through </s> (2).' })
  tokens!: number[];

  @Field(() => [Float], {
    description:
      "The log-probability the model gave each of `tokens` (aligned), after the logits processors and along the winning beam: HF's " +
      'transition scores. A forced token scores 0.',
  })
  tokenLogprobs!: number[];

  @Field(() => Float, {
    description:
      "HF's sequence score: the sum of `tokenLogprobs` divided by the number of tokens (length penalty 1; higher is more confident).",
  })
  score!: number;

  @Field(() => [Float], {
    nullable: 'items',
    description:
      'Confidence of each region of `result` in its list order (boxes, quads, or polygon instances): exp of the mean log-probability of ' +
      "the region's location tokens. Empty for text answers.",
  })
  regionScores!: (number | null)[];
}
