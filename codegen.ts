import type { CodegenConfig } from '@graphql-codegen/cli';

const typedDocuments = {
  plugins: ['typescript', 'typescript-operations', 'typed-document-node'],
  config: {
    scalars: { DateTime: 'string', JSON: 'unknown' },
    enumsAsTypes: true,
    avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
    useTypeImports: true,
  },
};

/**
 * Typed documents for the operations in test/operations (used by the tests, and a template for
 * client apps) and for the web console's operations in console/src/operations, plus possibleTypes
 * so Apollo can read union results such as DeviceLimitReached.
 */
const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  generates: {
    'test/generated/graphql.ts': { documents: ['test/operations/**/*.graphql'], ...typedDocuments },
    'console/src/generated/graphql.ts': { documents: ['console/src/operations/**/*.graphql'], ...typedDocuments },
    'schema/possible-types.json': {
      plugins: ['fragment-matcher'],
      config: { apolloClientVersion: 3 },
    },
  },
  hooks: { afterAllFileWrite: [] },
};

export default config;
