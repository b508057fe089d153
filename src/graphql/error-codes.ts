import { GraphQLError, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** Reasons for BAD_REQUEST refusals raised by yoga itself, keyed by a fragment of its message. */
const BAD_REQUEST_REASONS: [RegExp, string, string][] = [
  [/invalid JSON/i, 'INVALID_JSON', 'The request body is not valid JSON. Send {"query": "...", "variables": {...}}.'],
  [/Batching is not supported/i, 'BATCHING_DISABLED', 'Batched requests are turned off. Send one operation per request.'],
  [/Must provide query string/i, 'MISSING_QUERY', 'The request has no "query". Send {"query": "..."}.'],
  [/Can only perform a mutation operation from a POST request/i, 'METHOD_NOT_ALLOWED', 'Mutations must be sent with POST.'],
  [/not supported|Unsupported/i, 'UNSUPPORTED_REQUEST', ''],
];

const VARIABLE_ERROR = /^Variable "\$([^"]+)"/;

/**
 * Gives every error a machine-readable code and reason (DESIGN.md section 7): yoga's own
 * BAD_REQUEST refusals get a reason, variable coercion errors become BAD_USER_INPUT with the
 * offending variable in `fields`, and internal details (`originalError`) are never sent.
 */
export function normalizeError(error: GraphQLError): GraphQLError {
  const extensions = { ...(error.extensions ?? {}) } as Record<string, unknown>;
  delete extensions.originalError;
  let message = error.message;
  if (extensions.code === 'BAD_REQUEST' && !extensions.reason) {
    const match = BAD_REQUEST_REASONS.find(([pattern]) => pattern.test(error.message));
    extensions.reason = match?.[1] ?? 'BAD_REQUEST';
    if (match?.[2]) message = match[2];
  }
  if (!extensions.code) {
    const variable = VARIABLE_ERROR.exec(error.message);
    if (variable) {
      extensions.code = 'BAD_USER_INPUT';
      extensions.fields = [{ path: variable[1], message: error.message }];
    } else {
      extensions.code = 'BAD_REQUEST';
      extensions.reason ??= 'BAD_REQUEST';
    }
  }
  return new GraphQLError(message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: undefined,
    extensions,
  });
}

function normalizeResult(result: ExecutionResult): ExecutionResult {
  if (!result.errors?.length) return result;
  return {
    ...result,
    errors: result.errors.map((e) => normalizeError(e instanceof GraphQLError ? e : new GraphQLError(String((e as Error).message)))),
  };
}

/** Yoga plugin applying {@link normalizeError} to every single (non-streamed) HTTP result. */
export function useErrorCodes(): Plugin {
  return {
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result)) setResult(result.map(normalizeResult));
      else if (result && typeof result === 'object' && 'errors' in result) setResult(normalizeResult(result as ExecutionResult));
    },
  };
}
