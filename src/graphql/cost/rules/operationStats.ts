/**
 * The shape of an operation as the limit rules see it: how deep its fields nest, how many aliases
 * it uses and how many of its fields run model tasks, fragments counted where they are spread.
 *
 * Each fragment is measured once and reused (a fragment's type condition fixes its meaning), so a
 * "fragment bomb" (each fragment spreading the next several times) costs linear work and produces
 * the exponential counts it deserves instead of an exponential walk. Cycles count as nothing here;
 * graphql's NoFragmentCyclesRule reports them in the same validation pass.
 */
import {
  getNamedType,
  isInterfaceType,
  isObjectType,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  type GraphQLField,
  type GraphQLNamedType,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';
import { runsTask } from '../complexity.js';

export interface OperationStats {
  /** Fields on the deepest path: `{ model { id } }` is 2. */
  readonly depth: number;
  /** Fields given an alias. */
  readonly aliases: number;
  /** Field selections that run a model task (aliased repeats count again). */
  readonly taskFields: number;
}

const NOTHING: OperationStats = { depth: 0, aliases: 0, taskFields: 0 };

// Three rules ask about the same operation in one validation pass; measure it once per pass.
const measured = new WeakMap<ValidationContext, Map<OperationDefinitionNode, OperationStats>>();

/** The operation's stats, measured once per validation pass. */
export function operationStats(context: ValidationContext, operation: OperationDefinitionNode): OperationStats {
  let byOperation = measured.get(context);
  if (!byOperation) {
    byOperation = new Map();
    measured.set(context, byOperation);
  }
  const known = byOperation.get(operation);
  if (known) return known;
  const schema = context.getSchema();
  const root =
    operation.operation === 'query'
      ? schema.getQueryType()
      : operation.operation === 'mutation'
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  const fragments = new Map<string, OperationStats>();
  const inProgress = new Set<string>();

  const measure = (selectionSet: SelectionSetNode, parent: GraphQLNamedType | undefined): OperationStats => {
    let depth = 0;
    let aliases = 0;
    let taskFields = 0;
    for (const selection of selectionSet.selections) {
      let inner: OperationStats = NOTHING;
      if (selection.kind === 'Field') {
        const definition = fieldDefinition(parent, selection.name.value, parent === root);
        const below = selection.selectionSet
          ? measure(selection.selectionSet, definition ? getNamedType(definition.type) : undefined)
          : NOTHING;
        inner = {
          depth: below.depth + 1,
          aliases: below.aliases + (selection.alias ? 1 : 0),
          taskFields: below.taskFields + (definition && runsTask(definition) ? 1 : 0),
        };
      } else if (selection.kind === 'InlineFragment') {
        const condition = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        inner = measure(selection.selectionSet, condition ?? undefined);
      } else {
        const name = selection.name.value;
        const fragment = context.getFragment(name);
        if (fragment && !inProgress.has(name)) {
          let stats = fragments.get(name);
          if (!stats) {
            inProgress.add(name);
            stats = measure(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value) ?? undefined);
            inProgress.delete(name);
            fragments.set(name, stats);
          }
          inner = stats;
        }
      }
      depth = Math.max(depth, inner.depth);
      aliases += inner.aliases;
      taskFields += inner.taskFields;
    }
    return { depth, aliases, taskFields };
  };

  const stats = measure(operation.selectionSet, root ?? undefined);
  byOperation.set(operation, stats);
  return stats;
}

/** How an operation is named in messages: `query Cascade`, or `the query` when anonymous. */
export function operationLabel(operation: OperationDefinitionNode): string {
  return operation.name ? `${operation.operation} ${operation.name.value}` : `the ${operation.operation}`;
}

function fieldDefinition(parent: GraphQLNamedType | undefined, name: string, atRoot: boolean): GraphQLField<unknown, unknown> | undefined {
  if (name === TypeNameMetaFieldDef.name) return TypeNameMetaFieldDef;
  if (atRoot && name === SchemaMetaFieldDef.name) return SchemaMetaFieldDef;
  if (atRoot && name === TypeMetaFieldDef.name) return TypeMetaFieldDef;
  if (parent && (isObjectType(parent) || isInterfaceType(parent))) return parent.getFields()[name];
  return undefined;
}
