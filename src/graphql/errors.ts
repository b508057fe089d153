import { GraphQLError } from 'graphql';

/** Machine-readable error codes (DESIGN.md section 7). */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'BAD_REQUEST'
  | 'PORTAL_LOGIN_FAILED'
  | 'PORTAL_UNAVAILABLE'
  | 'INTERNAL_SERVER_ERROR';

export type UnauthenticatedReason =
  | 'MISSING_TOKEN'
  | 'INVALID_TOKEN'
  | 'SESSION_EXPIRED'
  | 'SESSION_REVOKED'
  | 'INVALID_CREDENTIALS';

export type ForbiddenReason =
  | 'ACCOUNT_PENDING'
  | 'ACCOUNT_REJECTED'
  | 'ACCOUNT_SUSPENDED'
  | 'NOT_ADMIN'
  | 'NOT_OWNER'
  | 'CANNOT_POST_JOBS'
  | 'DEV_MODE_ONLY'
  | 'CSRF_CHECK_FAILED';

const UNAUTHENTICATED_MESSAGES: Record<UnauthenticatedReason, string> = {
  MISSING_TOKEN: 'You are not signed in. Sign in and send the token as "Authorization: Bearer <token>".',
  INVALID_TOKEN: 'This session token is not recognised. Sign in again to get a new one.',
  SESSION_EXPIRED: 'Your session has expired. Sign in again.',
  SESSION_REVOKED: 'Your session was revoked from another device or by an administrator. Sign in again.',
  INVALID_CREDENTIALS: 'The email or password is wrong. Check both and try again.',
};

const FORBIDDEN_MESSAGES: Record<ForbiddenReason, string> = {
  ACCOUNT_PENDING:
    'Your account is awaiting approval by an administrator. You can sign in and manage your sessions; everything else opens once you are approved.',
  ACCOUNT_REJECTED: 'Your account request was rejected. Contact an administrator if you think this is a mistake.',
  ACCOUNT_SUSPENDED: 'Your account is suspended. Contact an administrator to have it reactivated.',
  NOT_ADMIN: 'Only administrators can do this. Ask an administrator if you need it done.',
  NOT_OWNER: 'This belongs to another user, so you cannot see or change it.',
  CANNOT_POST_JOBS: 'Your account cannot post jobs. Only approved employers and administrators can.',
  DEV_MODE_ONLY: 'This is only available when the server runs with DEV_MODE=true.',
  CSRF_CHECK_FAILED:
    'This cookie-authenticated request lacks a CSRF header. Send "x-graphql-csrf: 1" (or any non-simple header), or use a bearer token.',
};

/** The message a client can show for an unauthenticated reason. */
export function unauthenticatedMessage(reason: UnauthenticatedReason): string {
  return UNAUTHENTICATED_MESSAGES[reason];
}

/**
 * A field error for a missing or bad identity. `http401` turns it into a whole-request HTTP 401 with
 * `WWW-Authenticate`, used when a presented token is invalid, expired or revoked.
 */
export function unauthenticated(reason: UnauthenticatedReason, options: { http401?: boolean; message?: string } = {}) {
  return new GraphQLError(options.message ?? UNAUTHENTICATED_MESSAGES[reason], {
    extensions: {
      code: 'UNAUTHENTICATED',
      reason,
      ...(options.http401
        ? { http: { status: 401, headers: { 'WWW-Authenticate': `Bearer error="invalid_token", error_description="${reason}"` } } }
        : {}),
    },
  });
}

/** A refusal for a signed-in caller. */
export function forbidden(reason: ForbiddenReason, message?: string) {
  const status = reason === 'CSRF_CHECK_FAILED' ? { http: { status: 403 } } : {};
  return new GraphQLError(message ?? FORBIDDEN_MESSAGES[reason], {
    extensions: { code: 'FORBIDDEN', reason, ...status },
  });
}

/** One problem with one input field. `path` is the argument path, e.g. `input.email`. */
export interface FieldProblem {
  path: string;
  message: string;
}

/** Invalid input, with a message per field. */
export function badUserInput(fields: FieldProblem[], message?: string) {
  const summary = message ?? `Some input is invalid: ${fields.map((f) => `${f.path}: ${f.message}`).join('; ')}. Fix it and try again.`;
  return new GraphQLError(summary, { extensions: { code: 'BAD_USER_INPUT', fields } });
}

export function notFound(what: string, id?: string) {
  return new GraphQLError(`${what}${id ? ` "${id}"` : ''} was not found. Check the id; it may have been deleted.`, {
    extensions: { code: 'NOT_FOUND', reason: `${what.toUpperCase().replace(/\s+/g, '_')}_NOT_FOUND` },
  });
}

export function conflict(reason: string, message: string) {
  return new GraphQLError(message, { extensions: { code: 'CONFLICT', reason } });
}

/** Refused for now; `retryAfterSeconds` says when to try again (and `message`, when given, in words). */
export function rateLimited(retryAfterSeconds: number, reason = 'TOO_MANY_ATTEMPTS', message?: string) {
  return new GraphQLError(message ?? `Too many attempts. Wait ${retryAfterSeconds} seconds and try again.`, {
    extensions: { code: 'RATE_LIMITED', reason, retryAfterSeconds },
  });
}

/** A malformed HTTP request (bad JSON, wrong content type, too large, batching). */
export function badRequest(reason: string, message: string) {
  return new GraphQLError(message, { extensions: { code: 'BAD_REQUEST', reason } });
}

/** The upstream portal refused the credentials (or re-showed its login form); `detail` says how. */
export function portalLoginFailed(detail: string) {
  return new GraphQLError(`The portal did not accept the login. ${detail} Check the username and password and try again; nothing was stored.`, {
    extensions: { code: 'PORTAL_LOGIN_FAILED', detail },
  });
}

/** The upstream portal could not be reached, timed out or answered 5xx; `detail` says which. */
export function portalUnavailable(detail: string) {
  return new GraphQLError(`The portal is not reachable right now. ${detail} Try again in a few minutes.`, {
    extensions: { code: 'PORTAL_UNAVAILABLE', detail },
  });
}

/** True when the error was raised on purpose with one of our codes, so it is safe to show. */
export function isExpectedError(error: unknown): error is GraphQLError {
  return error instanceof GraphQLError && typeof error.extensions?.code === 'string';
}
