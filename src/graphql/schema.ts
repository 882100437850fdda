/**
 * The executable schema, built code-first by type-graphql from the resolver classes. `schema.graphql`
 * at the repository root is this schema printed (`npm run schema`); a test keeps them equal.
 */
import 'reflect-metadata';
import { printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { CaptionResolver } from './resolvers/CaptionResolver.js';
import { ImageResolver } from './resolvers/ImageResolver.js';
import { QueryResolver } from './resolvers/QueryResolver.js';
import { RegionResolver } from './resolvers/RegionResolver.js';

export const RESOLVERS = [QueryResolver, ImageResolver, RegionResolver, CaptionResolver] as const;

export function buildGatewaySchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [...RESOLVERS],
    // Off by default in type-graphql 2.0; on, the class-validator rules on input types apply.
    validate: true,
  });
}

/** The schema as SDL, exactly as written to schema.graphql. */
export async function schemaSdl(): Promise<string> {
  return `${printSchema(await buildGatewaySchema())}\n`;
}
