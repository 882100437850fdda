/**
 * The schema as an Apollo Federation 2 subgraph (FEDERATION=true), so a supergraph router can join
 * `Image` with other services' types by its content id.
 *
 * One source of truth: the type-graphql schema (schema.ts), whose entity types carry their key with
 * `@Directive('@key(fields: "id")')` on the class (types/Image.ts). It is printed with its applied
 * directives (graphql's own printSchema leaves them out, which keeps schema.graphql free of
 * federation), the `@link` import is put in front, and `@apollo/subgraph` builds the subgraph from
 * that SDL with type-graphql's own resolvers.
 *
 * Rebuilding from SDL drops what lives only on the built objects, so two things are carried over by
 * hand: each field's `extensions` (the cost estimators the limits read) and the per-request image
 * loader as Image's reference resolver (entities batch and cache like `image(id:)`).
 */
import 'reflect-metadata';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { graphql, isInterfaceType, isObjectType, isUnionType, parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { ComplexityEstimator } from 'graphql-query-complexity';
import { createResolversMap, type ResolverObject } from 'type-graphql';
import { TaskInputError } from '../vision/errors.js';
import type { GatewayContext } from './context.js';
import { imageComplexity } from './cost/complexity.js';
import { buildGatewaySchema } from './schema.js';
import type { Image } from './types/Image.js';

/**
 * The Federation version linked. v2.0 has everything used here (`@key`); a supergraph takes the
 * highest version among its subgraphs, so asking for no more never forces a router upgrade.
 */
export const FEDERATION_SPEC_URL = 'https://specs.apollo.dev/federation/v2.0';

/**
 * Most representations one `_entities` call may name. A router sends every reference of a plan
 * step in one call (a page of results, each with its image), so this is well above that; the cost
 * limit already bounds the model work per representation, this bounds the lookups themselves when
 * the selection runs no task (`... on Image { id }` is estimated at 0).
 */
export const MAX_ENTITY_REPRESENTATIONS = 1_000;

/** `@apollo/subgraph`'s resolver-map type, which its package root does not export. */
type SubgraphResolvers = NonNullable<Extract<Parameters<typeof buildSubgraphSchema>[0], { resolvers?: unknown }>['resolvers']>;

/** The executable subgraph schema: the gateway's schema plus `_service` and `_entities`. */
export async function buildSubgraphGatewaySchema(): Promise<GraphQLSchema> {
  const base = await buildGatewaySchema();
  // type-graphql's resolvers for every field (with its argument conversion and validation), enum
  // internal values and scalar implementations, keyed by the names the printed SDL uses.
  const generated = createResolversMap(base);
  const resolvers: SubgraphResolvers = {
    ...generated,
    // Called by `_entities` as (representation, context, info), not as a field resolver.
    // (type-graphql types each entry as a union of map kinds; Image's is its field resolvers.)
    Image: { ...(generated['Image'] as ResolverObject), __resolveReference: resolveImageReference },
  };
  const schema = buildSubgraphSchema({ typeDefs: subgraphTypeDefs(base), resolvers });
  carryFieldExtensions(base, schema);
  guardEntities(schema);
  return schema;
}

/** The subgraph SDL, as `_service { sdl }` answers it (what a supergraph composer reads). */
export async function subgraphSdl(): Promise<string> {
  const result = await graphql({ schema: await buildSubgraphGatewaySchema(), source: '{ _service { sdl } }' });
  const sdl = (result.data?.['_service'] as { sdl?: unknown } | undefined)?.sdl;
  if (typeof sdl !== 'string') throw new Error(`the subgraph schema did not print its SDL: ${JSON.stringify(result.errors)}`);
  return `${sdl}\n`;
}

/** The printed gateway schema, applied directives included (each entity's `@key`), after the federation link. */
function subgraphTypeDefs(base: GraphQLSchema): DocumentNode {
  return parse(`extend schema @link(url: "${FEDERATION_SPEC_URL}", import: ["@key"])\n\n${printSchemaWithDirectives(base)}`);
}

/**
 * `{ __typename: "Image", id }` → the uploaded image, like `image(id:)`: through the request's
 * loader (one load per id per request), an unknown id IMAGE_NOT_FOUND and a malformed one
 * BAD_INPUT, each failing only its own entity.
 */
function resolveImageReference(reference: Readonly<Record<string, unknown>>, context: GatewayContext): Promise<Image> {
  const id = reference['id'];
  if (typeof id !== 'string') {
    return Promise.reject(new TaskInputError('an Image representation needs its id: { __typename: "Image", id: "sha256:<hex>" }'));
  }
  return context.images.load({ id });
}

/** Copies every field's `extensions` (cost estimators, task markers) from the built schema. */
function carryFieldExtensions(from: GraphQLSchema, to: GraphQLSchema): void {
  for (const [name, source] of Object.entries(from.getTypeMap())) {
    const target = to.getType(name);
    if (name.startsWith('__') || !(isObjectType(source) || isInterfaceType(source)) || !(isObjectType(target) || isInterfaceType(target)))
      continue;
    const targetFields = target.getFields();
    for (const [fieldName, field] of Object.entries(source.getFields())) {
      const targetField = targetFields[fieldName];
      if (targetField) targetField.extensions = { ...targetField.extensions, ...field.extensions };
    }
  }
}

/**
 * Prices `_entities` like `images(urls:)` (an image's worth per representation) and checks the
 * representations before `@apollo/subgraph` sees them: too many, or a type that is not an entity
 * here, is the client's mistake (BAD_INPUT), not the internal error the library would throw.
 */
function guardEntities(schema: GraphQLSchema): void {
  const field = schema.getQueryType()?.getFields()['_entities'];
  const resolve = field?.resolve;
  if (!field || !resolve) throw new Error('federation: the subgraph schema has no _entities resolver');
  // `_Entity` is the union of the types with a `@key`: the names a representation may carry.
  const entityUnion = schema.getType('_Entity');
  const entityTypes = new Set(isUnionType(entityUnion) ? entityUnion.getTypes().map((type) => type.name) : []);
  const complexity: ComplexityEstimator = (options) => {
    const representations: unknown = options.args['representations'];
    const count = Array.isArray(representations) ? representations.length : 1;
    return count * (imageComplexity(options) ?? 0);
  };
  field.extensions = { ...field.extensions, complexity };
  field.resolve = (source, args: Record<string, unknown>, context, info) => {
    const representations = args['representations'];
    if (Array.isArray(representations)) {
      if (representations.length > MAX_ENTITY_REPRESENTATIONS) {
        throw new TaskInputError(`_entities takes at most ${MAX_ENTITY_REPRESENTATIONS} representations; got ${representations.length}`);
      }
      representations.forEach((representation: unknown, index) => {
        const typename =
          typeof representation === 'object' && representation !== null
            ? (representation as Record<string, unknown>)['__typename']
            : undefined;
        if (typeof typename !== 'string' || !entityTypes.has(typename)) {
          throw new TaskInputError(
            `representation ${index} must be an object with __typename ` +
              `${[...entityTypes].map((name) => JSON.stringify(name)).join(' or ')}; got ${JSON.stringify(typename ?? null)}`,
          );
        }
      });
    }
    return resolve(source, args, context, info);
  };
}
