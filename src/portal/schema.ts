import { builder, requireActiveAccount } from '../graphql/builder.js';
import { UserRef } from '../accounts/schema.js';
import { isActiveAdmin } from '../sessions/service.js';
import type { PortalSessionEvent } from '../events.js';
import { notFound } from '../graphql/errors.js';
import { guardedStream, unwrapDelivery } from '../graphql/subscriptions.js';
import { PORTAL_CONNECTORS, PORTAL_SESSION_STATES, type Portal, type PortalSession } from './store.js';

const PortalConnectorEnum = builder.enumType('PortalConnector', {
  description: 'How Gatehouse logs in to a portal. HTTP_FORM posts an HTML login form.',
  values: PORTAL_CONNECTORS,
});
const PortalSessionStateEnum = builder.enumType('PortalSessionState', { values: PORTAL_SESSION_STATES });
const PortalSessionEventTypeEnum = builder.enumType('PortalSessionEventType', {
  values: ['OPENED', 'REFRESHED', 'REFRESH_FAILED', 'EXPIRED', 'CLOSED'] as const,
});

export const PortalRef = builder.node(builder.objectRef<Portal>('Portal'), {
  description: 'An upstream site Gatehouse logs in to on behalf of users (defined by admins).',
  id: { resolve: (portal) => portal.id },
  loadOne: async (id, ctx) => (ctx.viewer?.user.status === 'ACTIVE' ? ctx.services.portal.findPortal(id) : null),
  fields: (t) => ({
    name: t.exposeString('name'),
    connector: t.expose('connector', { type: PortalConnectorEnum }),
    loginUrl: t.exposeString('loginUrl'),
    usernameField: t.exposeString('usernameField'),
    passwordField: t.exposeString('passwordField'),
    extraFields: t.field({
      type: 'JSON',
      nullable: true,
      description: 'Static form fields sent with every login. Shown to admins only (null for others).',
      resolve: (portal, _args, ctx) => (isActiveAdmin(ctx.viewer) ? portal.extraFields : null),
    }),
    keepAliveUrl: t.exposeString('keepAliveUrl'),
    loggedOutPattern: t.exposeString('loggedOutPattern', { nullable: true }),
    refreshIntervalSeconds: t.exposeInt('refreshIntervalSeconds'),
    idleTimeoutSeconds: t.exposeInt('idleTimeoutSeconds'),
    createdAt: t.field({ type: 'DateTime', resolve: (p) => p.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (p) => p.updatedAt }),
  }),
});

export const PortalSessionRef = builder.node(builder.objectRef<PortalSession>('PortalSession'), {
  description: 'A pooled upstream login. The password and the upstream cookies are never shown; usePortalSession hands out a Cookie header.',
  id: { resolve: (session) => session.id },
  loadOne: (id, ctx) => ctx.services.portal.getSession(ctx.viewer, id),
  fields: (t) => ({
    owner: t.field({
      type: UserRef,
      resolve: async (session, _args, ctx) => {
        const user = await ctx.loaders.users.load(session.ownerId);
        if (!user) throw notFound('User', session.ownerId);
        return user;
      },
    }),
    portal: t.field({
      type: PortalRef,
      resolve: async (session, _args, ctx) => {
        const portal = await ctx.loaders.portals.load(session.portalId);
        if (!portal) throw notFound('Portal', session.portalId);
        return portal;
      },
    }),
    username: t.exposeString('username'),
    keepAlive: t.exposeBoolean('keepAlive', { description: 'Refreshed in the background; never expires from idleness.' }),
    state: t.expose('state', { type: PortalSessionStateEnum }),
    createdAt: t.field({ type: 'DateTime', resolve: (s) => s.createdAt }),
    lastUsedAt: t.field({ type: 'DateTime', resolve: (s) => s.lastUsedAt }),
    lastRefreshAt: t.field({ type: 'DateTime', resolve: (s) => s.lastRefreshAt }),
    expiresAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When an unused non-keep-alive session expires; null for keep-alive sessions.',
      resolve: (s) => s.expiresAt,
    }),
    failureReason: t.exposeString('failureReason', { nullable: true }),
  }),
});

const PortalInput = builder.inputType('PortalInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    connector: t.field({ type: PortalConnectorEnum, required: true, defaultValue: 'HTTP_FORM' }),
    loginUrl: t.string({ required: true, description: 'The http(s) URL the login form is POSTed to.' }),
    usernameField: t.string({ required: true, defaultValue: 'username' }),
    passwordField: t.string({ required: true, defaultValue: 'password' }),
    extraFields: t.field({ type: 'JSON', required: false, description: 'A JSON object of static form fields sent with every login.' }),
    keepAliveUrl: t.string({ required: true, description: 'An http(s) URL fetched with the session cookies to keep the login alive.' }),
    loggedOutPattern: t.string({
      required: false,
      description: 'Text (or URL fragment) that marks a logged-out answer. 401/403 and a redirect to loginUrl always count.',
    }),
    refreshIntervalSeconds: t.int({ required: true, defaultValue: 300, description: 'Keep-alive interval, 10 to 86400 seconds.' }),
    idleTimeoutSeconds: t.int({ required: true, defaultValue: 1800, description: 'Idle expiry of non-keep-alive sessions, 60 to 2592000 seconds.' }),
  }),
});

const OpenPortalSessionInput = builder.inputType('OpenPortalSessionInput', {
  fields: (t) => ({
    portalId: t.id({ required: true }),
    username: t.string({ required: true }),
    password: t.string({ required: true }),
    keepAlive: t.boolean({ required: true, defaultValue: true }),
  }),
});

const OpenPortalSessionPayloadRef = builder.objectRef<{ session: PortalSession; isNew: boolean }>('OpenPortalSessionPayload').implement({
  fields: (t) => ({
    session: t.field({ type: PortalSessionRef, resolve: (p) => p.session }),
    isNew: t.exposeBoolean('isNew', { description: 'False when an existing session for the same credentials was reused (no upstream login).' }),
  }),
});

const UsePortalSessionPayloadRef = builder.objectRef<{ session: PortalSession; cookieHeader: string }>('UsePortalSessionPayload').implement({
  fields: (t) => ({
    session: t.field({ type: PortalSessionRef, resolve: (p) => p.session }),
    cookieHeader: t.exposeString('cookieHeader', { description: 'Send as the Cookie header of requests to the portal.' }),
  }),
});

const PortalSessionEventRef = builder.objectRef<PortalSessionEvent>('PortalSessionEvent').implement({
  fields: (t) => ({
    type: t.expose('type', { type: PortalSessionEventTypeEnum }),
    session: t.field({ type: PortalSessionRef, description: 'The session as of this event.', resolve: (e) => e.session }),
    at: t.field({ type: 'DateTime', resolve: (e) => e.at }),
  }),
});

builder.queryFields((t) => ({
  portals: t.field({
    type: [PortalRef],
    authScopes: { active: true },
    resolve: (_root, _args, ctx) => ctx.services.portal.listPortals(),
  }),
  portalSessions: t.field({
    type: [PortalSessionRef],
    description: 'Your portal sessions, newest first; all: true lists everyone’s (admins only).',
    authScopes: { active: true },
    args: { all: t.arg.boolean({ required: false, defaultValue: false }) },
    resolve: (_root, args, ctx) => ctx.services.portal.listSessions(ctx.viewer!, args.all ?? false),
  }),
  portalSession: t.field({
    type: PortalSessionRef,
    nullable: true,
    description: 'One of your portal sessions (admins: anyone’s); null when there is none you may see.',
    authScopes: { active: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.services.portal.getSession(ctx.viewer, args.id),
  }),
}));

builder.mutationFields((t) => ({
  createPortal: t.field({
    type: PortalRef,
    authScopes: { admin: true },
    args: { input: t.arg({ type: PortalInput, required: true }) },
    resolve: (_root, args, ctx) => ctx.services.portal.createPortal(args.input),
  }),
  updatePortal: t.field({
    type: PortalRef,
    authScopes: { admin: true },
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: PortalInput, required: true }) },
    resolve: (_root, args, ctx) => ctx.services.portal.updatePortal(args.id, args.input),
  }),
  deletePortal: t.boolean({
    description: 'Closes the portal’s live sessions (CLOSED events), then deletes it and its sessions.',
    authScopes: { admin: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.services.portal.deletePortal(ctx.viewer!, args.id, ctx.meta),
  }),
  openPortalSession: t.field({
    type: OpenPortalSessionPayloadRef,
    description:
      'Reuses your live session for the same portal and credentials (isNew: false, no upstream login) or logs in once. Errors: PORTAL_LOGIN_FAILED, PORTAL_UNAVAILABLE.',
    authScopes: { active: true },
    args: { input: t.arg({ type: OpenPortalSessionInput, required: true }) },
    resolve: (_root, args, ctx) => ctx.services.portal.openSession(ctx.viewer!, args.input, ctx.meta),
  }),
  usePortalSession: t.field({
    type: UsePortalSessionPayloadRef,
    description: 'The session’s Cookie header (owner only); marks it used and extends a non-keep-alive session’s idle deadline.',
    authScopes: { active: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.services.portal.useSession(ctx.viewer!, args.id),
  }),
  refreshPortalSession: t.field({
    type: PortalSessionRef,
    description: 'Calls the keep-alive URL now; logs in again once if the portal logged the session out.',
    authScopes: { active: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.services.portal.refreshSession(ctx.viewer!, args.id),
  }),
  closePortalSession: t.field({
    type: PortalSessionRef,
    description: 'Ends the session and wipes its stored password and cookies (owner or admin).',
    authScopes: { active: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.services.portal.closeSession(ctx.viewer!, args.id, ctx.meta),
  }),
}));

builder.subscriptionFields((t) => ({
  portalSessionEvents: t.field({
    type: PortalSessionEventRef,
    description: 'Your portal sessions opening, refreshing, failing, expiring and closing. Ends when your Gatehouse session ends.',
    authScopes: { active: true },
    subscribe: (_root, _args, ctx) =>
      guardedStream(ctx, ctx.events.subscribe('portal', ctx.viewer!.user.id), {
        authorize: (viewer) => void requireActiveAccount(viewer),
      }),
    resolve: (delivery, _args, ctx) => {
      const event = unwrapDelivery(delivery as never) as PortalSessionEvent;
      // A deleted portal's CLOSED events carry it: the row is gone by now.
      if (event.portal) ctx.loaders.portals.prime(event.portal.id, event.portal);
      return event;
    },
  }),
}));
