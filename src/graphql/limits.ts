import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { GraphQLError, type ASTVisitor, type ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Config } from '../config.js';

/** Why armor refused an operation (`extensions.reason` of a GRAPHQL_VALIDATION_FAILED error). */
export type QueryLimitReason = 'MAX_DEPTH' | 'MAX_ALIASES' | 'MAX_TOKENS' | 'MAX_DIRECTIVES' | 'MAX_COST' | 'INTROSPECTION_DISABLED';

const ADVICE: Record<Exclude<QueryLimitReason, 'INTROSPECTION_DISABLED'>, string> = {
  MAX_DEPTH: 'Ask for fewer nested levels, or split the query.',
  MAX_ALIASES: 'Use fewer aliases, or split the query.',
  MAX_TOKENS: 'Send a shorter document, or split the query.',
  MAX_DIRECTIVES: 'Use fewer directives.',
  MAX_COST: 'Ask for fewer fields or smaller pages (first/last), or split the query.',
};

/**
 * Turns an armor rejection into a typed GRAPHQL_VALIDATION_FAILED error naming the limit. Validation
 * rules report it on the context (so graphql collects it like any validation error); the token
 * limit runs inside the parser, where there is no context, so it is thrown from there instead.
 */
function rejectAs(reason: Exclude<QueryLimitReason, 'INTROSPECTION_DISABLED'>, limit: number) {
  return (context: ValidationContext | null, error: GraphQLError) => {
    const typed = new GraphQLError(`${error.message.replace(/^Syntax Error: /, '')} ${ADVICE[reason]}`, {
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED', reason, limit },
    });
    if (context) context.reportError(typed);
    else throw typed;
  };
}

/** A validation rule refusing `__schema` and `__type` (plain `__typename` stays allowed). */
export function noIntrospectionRule(context: ValidationContext): ASTVisitor {
  return {
    Field(node) {
      if (node.name.value !== '__schema' && node.name.value !== '__type') return;
      context.reportError(
        new GraphQLError('Introspection is turned off on this server (INTROSPECTION=false). Use the published schema file instead.', {
          nodes: node,
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED', reason: 'INTROSPECTION_DISABLED' },
        }),
      );
    },
  };
}

/**
 * Envelop plugins limiting every operation, over HTTP and over graphql-ws (whose subscribe messages
 * are parsed and validated through the same enveloped parse/validate): depth, aliases, tokens,
 * directives and cost from graphql-armor, and introspection when it is turned off. Fragments are
 * flattened, so Relay-style `edges { node { ...Fields } }` costs what it selects, not more.
 */
export function queryLimitPlugins(config: Pick<Config, 'queryLimits' | 'introspection'>): Plugin[] {
  const { maxDepth, maxAliases, maxTokens, maxDirectives, maxCost } = config.queryLimits;
  const plugins: Plugin[] = [
    EnvelopArmorPlugin({
      // Field suggestions ("Did you mean …") reveal the schema: hide them when introspection is off.
      blockFieldSuggestion: { enabled: !config.introspection },
      maxDepth: { n: maxDepth, flattenFragments: true, ignoreIntrospection: true, propagateOnRejection: false, onReject: [rejectAs('MAX_DEPTH', maxDepth)] },
      maxAliases: { n: maxAliases, propagateOnRejection: false, onReject: [rejectAs('MAX_ALIASES', maxAliases)] },
      maxTokens: { n: maxTokens, propagateOnRejection: false, onReject: [rejectAs('MAX_TOKENS', maxTokens)] },
      maxDirectives: { n: maxDirectives, propagateOnRejection: false, onReject: [rejectAs('MAX_DIRECTIVES', maxDirectives)] },
      costLimit: {
        maxCost,
        flattenFragments: true,
        ignoreIntrospection: true,
        propagateOnRejection: false,
        onReject: [rejectAs('MAX_COST', maxCost)],
      },
    }) as Plugin,
  ];
  if (!config.introspection) {
    plugins.push({
      onValidate({ addValidationRule }) {
        addValidationRule(noIntrospectionRule);
      },
    });
  }
  return plugins;
}
