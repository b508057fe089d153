import { GraphQLError, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../lib/logger.js';
import { newRequestId } from '../lib/random.js';
import { isExpectedError } from './errors.js';

/**
 * Masking of internal errors (anything that is not a GraphQLError we raised on purpose, with a code, or
 * GraphQL's own parse/validation errors): the client gets INTERNAL_SERVER_ERROR with a request id, and the
 * original error is logged once with that same id.
 *
 * The request id is passed explicitly, not carried by an AsyncLocalStorage (on Node 20 one that has ever
 * run() turns on promise hooks for every promise in the process). yoga's `maskedErrors.maskError` has no
 * context, so it only marks: {@link markInternalError} swaps an internal error for a placeholder and logs
 * nothing. The placeholder is finalized (request id filled in, original logged) where the request id is at
 * hand: {@link useRequestIdMasking} for HTTP results and SSE streams (yoga's server context carries the id
 * made in the node handler), and {@link maskError} / {@link maskResultErrors} for graphql-ws results.
 */

/** A placeholder's original error, and its finalized form once it has one (so it is logged only once). */
interface Pending {
  original: unknown;
  final?: GraphQLError;
}

/** Placeholders made by markInternalError, keyed by identity. */
const placeholders = new WeakMap<GraphQLError, Pending>();
/** Errors markInternalError replaced: yoga logs them itself, without a request id (see isMarkedInternalError). */
const replaced = new WeakSet<object>();

function originalOf(error: unknown): unknown {
  return error instanceof GraphQLError ? error.originalError : error;
}

/** Errors we raised on purpose (they carry a code) and GraphQL's own errors go to the client as they are. */
function isInternal(error: unknown): boolean {
  if (!(error instanceof GraphQLError)) return true;
  const original = error.originalError;
  return !(!original || isExpectedError(original) || original instanceof GraphQLError);
}

function finalize(error: unknown, original: unknown, requestId: string, log: Logger): GraphQLError {
  // The logger turns errors into { type, message, stack } with token-shaped text scrubbed.
  log.error({ requestId, err: original }, 'internal error');
  return new GraphQLError(`Something went wrong on our side. Try again; if it keeps happening, report request id ${requestId}.`, {
    path: error instanceof GraphQLError ? error.path : undefined,
    nodes: error instanceof GraphQLError ? error.nodes : undefined,
    extensions: { code: 'INTERNAL_SERVER_ERROR', requestId },
  });
}

/**
 * Masks one error for the operation or request `requestId`. An internal error (or a placeholder from
 * {@link markInternalError}) becomes INTERNAL_SERVER_ERROR whose message and `extensions.requestId` carry
 * `requestId`, and its original error is logged once, at error level, with that `requestId`; errors we
 * raised on purpose (with a code) and GraphQL's own errors are returned as they are. Masking the same
 * placeholder again returns the same error without logging again.
 */
export function maskError(error: unknown, log: Logger, requestId: string): GraphQLError {
  if (error instanceof GraphQLError) {
    const pending = placeholders.get(error);
    if (pending) return (pending.final ??= finalize(error, pending.original, requestId, log));
    if (!isInternal(error)) return error;
  }
  return finalize(error, originalOf(error), requestId, log);
}

/**
 * {@link maskError} for every error of an execution result (from `execute`/`subscribe`, whether envelop's,
 * which leaves placeholders, or graphql's own, which leaves the raw errors). Returns `result` itself when
 * nothing needed masking, else a copy with the masked errors.
 */
export function maskResultErrors<R extends ExecutionResult>(result: R, requestId: string, log: Logger): R {
  const errors = result.errors;
  if (!errors?.length) return result;
  let changed = false;
  const masked = errors.map((error) => {
    const next = maskError(error, log, requestId);
    if (next !== error) changed = true;
    return next;
  });
  return changed ? { ...result, errors: masked } : result;
}

/**
 * For yoga's `maskedErrors.maskError`, which has no context: an internal error becomes a placeholder
 * (INTERNAL_SERVER_ERROR, no request id yet) that {@link maskError} later turns into the real masked error;
 * nothing is logged here. Anything else is returned as it is.
 */
export function markInternalError(error: unknown): Error {
  if (error instanceof GraphQLError && (placeholders.has(error) || !isInternal(error))) return error;
  const original = originalOf(error);
  const placeholder = new GraphQLError('Something went wrong on our side. Try again.', {
    path: error instanceof GraphQLError ? error.path : undefined,
    nodes: error instanceof GraphQLError ? error.nodes : undefined,
    // Only for a log line written with the placeholder itself (e.g. a graphql-ws failure that closes the
    // socket): GraphQLError takes the original's stack. Never serialized to a client.
    originalError: original instanceof Error ? original : undefined,
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  });
  placeholders.set(placeholder, { original });
  if (typeof error === 'object' && error !== null) replaced.add(error);
  return placeholder;
}

/**
 * True for an error that {@link markInternalError} replaced. yoga logs such an error on its own (without a
 * request id) right after masking it; our log line, with the request id, is written when it is finalized.
 */
export function isMarkedInternalError(value: unknown): boolean {
  return typeof value === 'object' && value !== null && replaced.has(value);
}

type ServerContextWithId = { requestId?: string } | undefined;

/** The request id the node handler passed as yoga's server context (a new one if there is none). */
function requestIdOf(serverContext: ServerContextWithId): string {
  return serverContext?.requestId ?? newRequestId();
}

/**
 * yoga plugin finalizing the placeholders of {@link markInternalError} in every HTTP result, with the
 * request id of the node handler (`yoga(req, res, { requestId })`, so yoga's `serverContext.requestId`):
 * single results, and each result of an SSE stream. Must come before plugins that rebuild errors in
 * `onResultProcess` (useErrorCodes), as placeholders are known by identity.
 */
export function useRequestIdMasking(log: Logger): Plugin {
  return {
    onResultProcess({ result, setResult, serverContext }) {
      if (Array.isArray(result)) {
        if (result.some((r: ExecutionResult) => r.errors?.length)) {
          const id = requestIdOf(serverContext as ServerContextWithId);
          setResult(result.map((r: ExecutionResult) => maskResultErrors(r, id, log)));
        }
      } else if (result && typeof result === 'object' && Symbol.asyncIterator in result) {
        let id: string | undefined;
        setResult(
          mapResults(result as AsyncIterable<ExecutionResult>, (r) => (r?.errors?.length ? maskResultErrors(r, (id ??= requestIdOf(serverContext as ServerContextWithId)), log) : r)),
        );
      } else if ((result as ExecutionResult | undefined)?.errors?.length) {
        setResult(maskResultErrors(result as ExecutionResult, requestIdOf(serverContext as ServerContextWithId), log));
      }
    },
  };
}

/** Maps each value of a stream, passing return() and throw() through (the SSE response cancels with return()). */
function mapResults<T>(source: AsyncIterable<T>, map: (value: T) => T): AsyncIterableIterator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const mapped: AsyncIterableIterator<T> = {
    next: () => iterator.next().then((step) => (step.value == null ? step : { done: step.done, value: map(step.value) })),
    return: (value?: unknown) => (iterator.return ? iterator.return(value) : Promise.resolve({ done: true, value: value as T })),
    throw: (error?: unknown) => (iterator.throw ? iterator.throw(error) : Promise.reject(error)),
    [Symbol.asyncIterator]: () => mapped,
  };
  return mapped;
}
