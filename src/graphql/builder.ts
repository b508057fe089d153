import SchemaBuilder from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin, { RequestCache } from '@pothos/plugin-scope-auth';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { GraphQLError, Kind } from 'graphql';
import type { GraphQLContext } from './context.js';
import { forbidden, unauthenticated } from './errors.js';
import type { Viewer } from '../sessions/service.js';

/** Global ids are our own prefixed ids (`usr_…`, `ses_…`): readable, and `node(id)` routes on the prefix. */
const TYPENAME_BY_PREFIX: Record<string, string> = { usr: 'User', ses: 'Session', job: 'Job', prt: 'Portal', pss: 'PortalSession' };

/** Throws MISSING_TOKEN unless the request carries a live session. */
export function requireViewer(ctx: GraphQLContext): Viewer {
  if (!ctx.viewer) throw unauthenticated('MISSING_TOKEN');
  return ctx.viewer;
}

/** Throws the FORBIDDEN reason that matches a non-ACTIVE account. */
export function requireActiveAccount(viewer: Viewer): Viewer {
  switch (viewer.user.status) {
    case 'ACTIVE':
      return viewer;
    case 'PENDING':
      throw forbidden('ACCOUNT_PENDING');
    case 'REJECTED':
      throw forbidden('ACCOUNT_REJECTED');
    case 'SUSPENDED':
      throw forbidden('ACCOUNT_SUSPENDED');
  }
}

/** Throws NOT_ADMIN (or the account's status reason) unless the viewer is an ACTIVE admin. */
export function requireAdmin(viewer: Viewer): Viewer {
  if (viewer.user.role !== 'ADMIN') throw forbidden('NOT_ADMIN');
  return requireActiveAccount(viewer);
}

/**
 * The Pothos builder. Scope-auth comes first so every field's scopes run before anything else.
 * Scope loaders throw typed errors themselves, so the client sees the precise code and reason.
 */
export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  AuthScopes: { signedIn: boolean; active: boolean; admin: boolean };
  Scalars: {
    DateTime: { Input: Date; Output: Date | number };
    JSON: { Input: unknown; Output: unknown };
    ID: { Input: string; Output: string };
  };
  DefaultFieldNullability: false;
}>({
  plugins: [ScopeAuthPlugin, RelayPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authorizeOnSubscribe: true,
    authScopes: (ctx) => ({
      signedIn: () => Boolean(requireViewer(ctx)),
      active: () => Boolean(requireActiveAccount(requireViewer(ctx))),
      admin: () => Boolean(requireAdmin(requireViewer(ctx))),
    }),
    unauthorizedError: () => forbidden('NOT_OWNER', 'You are not allowed to do this.'),
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodesQueryOptions: false,
    encodeGlobalID: (_typename, id) => String(id),
    decodeGlobalID: (globalID) => {
      const typename = TYPENAME_BY_PREFIX[globalID.split('_')[0]];
      if (!typename) throw new GraphQLError(`"${globalID}" is not a Gatehouse id.`, { extensions: { code: 'BAD_USER_INPUT', fields: [{ path: 'id', message: 'is not a Gatehouse id' }] } });
      return { typename, id: globalID };
    },
  },
});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});

/** ISO-8601 times on the wire; stored as unix seconds. */
builder.scalarType('DateTime', {
  description: 'An ISO-8601 date-time in UTC, e.g. 2026-01-31T12:00:00.000Z.',
  serialize: (value) => new Date(typeof value === 'number' ? value * 1000 : value).toISOString(),
  parseValue: (value) => {
    const date = new Date(String(value));
    if (Number.isNaN(date.getTime())) throw new GraphQLError('DateTime must be an ISO-8601 string.');
    return date;
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be an ISO-8601 string.');
    const date = new Date(ast.value);
    if (Number.isNaN(date.getTime())) throw new GraphQLError('DateTime must be an ISO-8601 string.');
    return date;
  },
});

builder.scalarType('JSON', {
  description: 'Any JSON value.',
  serialize: (value) => value,
  parseValue: (value) => value,
});

/**
 * Drops scope-auth's per-operation cache (kept in a WeakMap keyed by the context) once a single-result
 * execution is done. V8's scavenger keeps a WeakMap entry's value alive, and that value holds the whole
 * context (request, loaders, viewer): left in place, every request's objects outlived the next scavenge
 * and were promoted, making each scavenge copy megabytes. Streams (subscriptions, @defer) keep it.
 */
export function useScopeCacheRelease(): Plugin {
  const release = {
    onExecuteDone({ args, result }: { args: { contextValue: unknown }; result: unknown }) {
      if (!isAsyncIterable(result)) RequestCache.clearForContext(args.contextValue as object);
    },
  };
  return { onExecute: () => release };
}
