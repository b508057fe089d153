import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents for the operations in test/operations (used by the tests, and a template for
 * client apps), plus possibleTypes so Apollo can read union results such as DeviceLimitReached.
 */
const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: ['test/operations/**/*.graphql'],
  generates: {
    'test/generated/graphql.ts': {
      plugins: ['typescript', 'typescript-operations', 'typed-document-node'],
      config: {
        scalars: { DateTime: 'string', JSON: 'unknown' },
        enumsAsTypes: true,
        avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
        useTypeImports: true,
      },
    },
    'schema/possible-types.json': {
      plugins: ['fragment-matcher'],
      config: { apolloClientVersion: 3 },
    },
  },
  hooks: { afterAllFileWrite: [] },
};

export default config;
