import { printSchema, Supergraph } from '@apollo/federation-internals';
import { buildSchema, type GraphQLSchema } from 'graphql';

export interface SupergraphFacts {
  /** The client-facing schema, built from SDL with this module's graphql (vitest may load two copies). */
  apiSchema: GraphQLSchema;
  /** Subscription field name → the subgraph (as named in join__Graph) that serves it. */
  subscriptionOwners: Map<string, string>;
}

export function readSupergraph(supergraphSdl: string): SupergraphFacts {
  const supergraph = Supergraph.build(supergraphSdl);
  const subscriptionOwners = new Map<string, string>();
  for (const subgraph of supergraph.subgraphs()) {
    const root = subgraph.schema.schemaDefinition.rootType('subscription');
    for (const field of root?.fields() ?? []) subscriptionOwners.set(field.name, subgraph.name);
  }
  return { apiSchema: buildSchema(printSchema(supergraph.apiSchema())), subscriptionOwners };
}
