import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { builder } from './builder.js';
// Each domain adds its types and fields to the builder when imported.
import '../accounts/schema.js';
import '../sessions/schema.js';
import '../jobs/schema.js';
import '../portal/schema.js';
import '../ops/schema.js';
import '../audit/schema.js';

let built: GraphQLSchema | undefined;

/** The executable schema (built once; the builder is module-level type definitions only, no state). */
export function getSchema(): GraphQLSchema {
  built ??= builder.toSchema();
  return built;
}

/** The SDL checked in as schema/schema.graphql, sorted so diffs stay small. */
export function printSortedSchema(): string {
  return `${printSchema(lexicographicSortSchema(getSchema()))}\n`;
}
