import 'reflect-metadata';
import { Field, Int, ObjectType } from 'type-graphql';
import { TaskName } from './enums.js';

@ObjectType({ description: 'The model this gateway serves.' })
export class ModelInfo {
  @Field({ description: "The model folder's name, e.g. Florence-2-base-ft." })
  id!: string;

  @Field({ description: 'A hash of every model file: results are cached under it, so a new model never serves old answers.' })
  fingerprint!: string;

  @Field({ description: 'ONNX file variant per graph, e.g. "fp32" or "vision_encoder=fp16,…".' })
  dtype!: string;

  @Field({ description: 'Execution device: cpu, cuda or webgpu.' })
  device!: string;

  @Field(() => Int)
  hiddenSize!: number;

  @Field(() => Int)
  decoderLayers!: number;

  @Field(() => [TaskName])
  tasks!: TaskName[];
}
