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
  if (extensions.code === 'OPERATION_RESOLUTION_FAILURE') {
    // yoga's own code for "which operation?": one of ours, as over graphql-ws.
    extensions.code = 'BAD_REQUEST';
    extensions.reason = 'UNKNOWN_OPERATION';
    message = `${message} Send "operationName" naming one of the document's operations.`;
  }
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
    onResultProcess({ result, setResult, resultProcessor, setResultProcessor }) {
      if (!resultProcessor) {
        // No media type in Accept fits (e.g. `Accept: image/png`, or JSON for a subscription): yoga
        // would answer 406 with an empty body. Answer 406 with a typed error instead.
        if (result && typeof result === 'object' && Symbol.asyncIterator in result) void (result as AsyncGenerator).return?.(undefined);
        setResultProcessor(notAcceptable, 'application/json');
        return;
      }
      if (Array.isArray(result)) setResult(result.map(normalizeResult));
      else if (result && typeof result === 'object' && 'errors' in result) setResult(normalizeResult(result as ExecutionResult));
    },
  };
}

function notAcceptable(_result: unknown, fetchAPI: { Response: typeof Response }) {
  const error = {
    message:
      'The server cannot answer in any media type your Accept header allows. Accept application/graphql-response+json or application/json (text/event-stream for subscriptions over HTTP).',
    extensions: { code: 'BAD_REQUEST', reason: 'NOT_ACCEPTABLE' },
  };
  return new fetchAPI.Response(JSON.stringify({ errors: [error] }), {
    status: 406,
    headers: { 'content-type': 'application/json; charset=utf-8', accept: 'application/graphql-response+json, application/json, text/event-stream' },
  });
}
