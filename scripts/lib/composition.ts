import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { composeServices } from '@apollo/composition';
import { printSchema, Supergraph } from '@apollo/federation-internals';
import {
  buildSchema,
  GraphQLError,
  type GraphQLSchema,
  Kind,
  type OperationTypeNode,
  parse,
  validate,
} from 'graphql';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const supergraphPath = path.join(repoRoot, 'schema', 'supergraph.graphql');
export const contractDir = path.resolve(repoRoot, '..', 'shared', 'contract');

const configSchema = z.object({
  subgraphs: z.record(
    z.string(),
    z.object({ routing_url: z.string(), schema: z.object({ file: z.string() }) }),
  ),
});

export interface SubgraphSource {
  name: string;
  url: string;
  sdl: string;
}

export function readSupergraphConfig(configPath = path.join(repoRoot, 'supergraph.yaml')): SubgraphSource[] {
  const config = configSchema.parse(parseYaml(readFileSync(configPath, 'utf8')));
  return Object.entries(config.subgraphs).map(([name, s]) => ({
    name,
    url: s.routing_url,
    sdl: readFileSync(path.resolve(path.dirname(configPath), s.schema.file), 'utf8'),
  }));
}

/** Composes the subgraphs exactly as rover would, failing with every composition error. */
export function composeSupergraph(sources: SubgraphSource[] = readSupergraphConfig()): string {
  const result = composeServices(sources.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) })));
  if (result.errors) {
    throw new Error(`Composition failed:\n${result.errors.map((e) => `  - ${e.message}`).join('\n')}`);
  }
  return result.supergraphSdl;
}

/** The client-facing API schema: the supergraph without federation's join/link machinery. */
export function apiSchemaFrom(supergraphSdl: string): GraphQLSchema {
  // Rebuilt from SDL so the schema belongs to this module's graphql instance (vitest loads graphql as ESM).
  return buildSchema(printSchema(Supergraph.build(supergraphSdl).apiSchema()));
}

export function validateOperation(schema: GraphQLSchema, source: string): readonly GraphQLError[] {
  const document = parse(source);
  // graphql-js validation does not reject an operation whose root type is missing; do it here.
  const missingRoots = document.definitions.flatMap((d) =>
    d.kind === Kind.OPERATION_DEFINITION && !schema.getRootType(d.operation as OperationTypeNode)
      ? [
          new GraphQLError(
            `the schema has no ${d.operation} type for operation ${d.name?.value ?? '(anonymous)'}`,
          ),
        ]
      : [],
  );
  return [...missingRoots, ...validate(schema, document)];
}
