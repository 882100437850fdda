/**
 * The executable schema, built code-first by type-graphql from the resolver classes. `schema.graphql`
 * at the repository root is this schema printed (`npm run schema`); a test keeps them equal.
 */
import 'reflect-metadata';
import { printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema, type PubSub } from 'type-graphql';
import { CaptionResolver } from './resolvers/CaptionResolver.js';
import { GenerationResolver } from './resolvers/GenerationResolver.js';
import { ImageResolver } from './resolvers/ImageResolver.js';
import { QueryResolver } from './resolvers/QueryResolver.js';
import { RegionResolver } from './resolvers/RegionResolver.js';

export const RESOLVERS = [QueryResolver, ImageResolver, RegionResolver, CaptionResolver, GenerationResolver] as const;

/**
 * type-graphql wants a PubSub as soon as a schema has subscriptions, even when each brings its own
 * `subscribe` function as ours does; topics are never used, so asking for one is a programming error.
 */
const NO_TOPICS: PubSub = {
  publish: () => {
    throw new Error('subscriptions here stream their own events; there are no topics to publish to');
  },
  subscribe: () => {
    throw new Error('subscriptions here stream their own events; there are no topics to subscribe to');
  },
};

export function buildGatewaySchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [...RESOLVERS],
    // Off by default in type-graphql 2.0; on, the class-validator rules on input types apply.
    validate: true,
    pubSub: NO_TOPICS,
  });
}

/** The schema as SDL, exactly as written to schema.graphql. */
export async function schemaSdl(): Promise<string> {
  return `${printSchema(await buildGatewaySchema())}\n`;
}
