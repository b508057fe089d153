import { builder, requireAdmin } from '../graphql/builder.js';
import { RoleEnum, UserRef } from '../accounts/schema.js';
import { SELF_SERVICE_ROLES } from '../accounts/service.js';
import type { User } from '../accounts/store.js';
import { unixSeconds } from '../lib/clock.js';
import type { SessionEvent } from '../events.js';
import { forbidden, notFound } from '../graphql/errors.js';
import type { GraphQLContext } from '../graphql/context.js';
import { guardedStream, unwrapDelivery } from '../graphql/subscriptions.js';
import { DEVICE_TYPES } from './device.js';
import { REVOKED_REASONS, SESSION_KINDS, type Session } from './store.js';
import { canSeeSession } from './service.js';

export const DeviceTypeEnum = builder.enumType('DeviceType', { values: DEVICE_TYPES });
const SessionKindEnum = builder.enumType('SessionKind', { values: SESSION_KINDS });
const RevokedReasonEnum = builder.enumType('RevokedReason', { values: REVOKED_REASONS });
const SessionEventTypeEnum = builder.enumType('SessionEventType', {
  values: ['CREATED', 'REVOKED', 'EXPIRED', 'REFRESHED'] as const,
});

/** In cookie mode, hands the new token to the browser as an HttpOnly cookie as well. */
function setSessionCookie<T extends { token: string; session: Session }>(ctx: GraphQLContext, payload: T): T {
  ctx.cookies?.set(payload.token, payload.session.expiresAt - unixSeconds(ctx.clock));
  return payload;
}

/** Live means not revoked and before both deadlines, judged by the injected clock. */
function isLive(session: Session, ctx: GraphQLContext): boolean {
  const now = unixSeconds(ctx.clock);
  return session.revokedAt === null && session.expiresAt > now && session.idleExpiresAt > now;
}

export const SessionRef = builder.node(builder.objectRef<Session>('Session'), {
  description: 'A signed-in device. The id is public; the token is never shown again after sign-in.',
  id: { resolve: (session) => session.id },
  // node(id) on a session answers only for its owner and active admins (null for anyone else).
  loadOne: async (id, ctx) => {
    const session = await ctx.services.sessions.findById(id);
    return session && canSeeSession(ctx.viewer, session) ? session : null;
  },
  fields: (t) => ({
    user: t.field({
      type: UserRef,
      resolve: async (session, _args, ctx) => {
        const user = await ctx.loaders.users.load(session.userId);
        if (!user) throw notFound('User', session.userId);
        return user;
      },
    }),
    kind: t.expose('kind', { type: SessionKindEnum }),
    deviceName: t.exposeString('deviceName'),
    deviceType: t.expose('deviceType', { type: DeviceTypeEnum }),
    browser: t.exposeString('browser', { nullable: true }),
    os: t.exposeString('os', { nullable: true }),
    ipAddress: t.exposeString('ipAddress', { nullable: true }),
    userAgent: t.exposeString('userAgent', { nullable: true }),
    createdAt: t.field({ type: 'DateTime', resolve: (s) => s.createdAt }),
    lastActivityAt: t.field({ type: 'DateTime', resolve: (s) => s.lastActivityAt }),
    expiresAt: t.field({ type: 'DateTime', resolve: (s) => s.expiresAt }),
    idleExpiresAt: t.field({ type: 'DateTime', resolve: (s) => s.idleExpiresAt }),
    revokedAt: t.field({ type: 'DateTime', nullable: true, resolve: (s) => s.revokedAt }),
    revokedReason: t.expose('revokedReason', { type: RevokedReasonEnum, nullable: true }),
    isActive: t.boolean({ resolve: (s, _args, ctx) => isLive(s, ctx) }),
    isCurrent: t.boolean({
      description: 'True for the session the request was made with.',
      resolve: (s, _args, ctx) => s.id === ctx.viewer?.session.id,
    }),
  }),
});

/** `{ token, session, user }` returned when a session is issued. */
export interface AuthPayloadShape {
  token: string;
  session: Session;
  user: User;
}

export const AuthPayloadRef = builder.objectRef<AuthPayloadShape>('AuthPayload').implement({
  description: 'A new session. Keep the token secret and send it as "Authorization: Bearer <token>".',
  fields: (t) => ({
    token: t.exposeString('token'),
    session: t.field({ type: SessionRef, resolve: (p) => p.session }),
    user: t.field({ type: UserRef, resolve: (p) => p.user }),
  }),
});

interface DeviceLimitShape {
  limit: number;
  activeSessions: Session[];
}

const DeviceLimitReachedRef = builder.objectRef<DeviceLimitShape>('DeviceLimitReached').implement({
  description:
    'Sign-in refused because the account already has `limit` devices. Ask the user which one to sign out and retry with replaceSessionId.',
  fields: (t) => ({
    limit: t.exposeInt('limit'),
    message: t.string({
      resolve: (p) => `You are signed in on ${p.limit} devices, the most allowed. Choose one to sign out and try again.`,
    }),
    activeSessions: t.field({ type: [SessionRef], resolve: (p) => p.activeSessions }),
  }),
});

const SignInResultUnion = builder.unionType('SignInResult', {
  types: [AuthPayloadRef, DeviceLimitReachedRef],
  resolveType: (value) => ('token' in value ? AuthPayloadRef : DeviceLimitReachedRef),
});

const DeviceInput = builder.inputType('DeviceInput', {
  description: 'What the client knows about its device. Missing parts are parsed from the User-Agent header.',
  fields: (t) => ({
    name: t.string({ required: false }),
    type: t.field({ type: DeviceTypeEnum, required: false }),
    browser: t.string({ required: false }),
    os: t.string({ required: false }),
  }),
});

const SelfServiceRoleValues = new Set<string>(SELF_SERVICE_ROLES);

const SignUpInput = builder.inputType('SignUpInput', {
  fields: (t) => ({
    email: t.string({ required: true }),
    password: t.string({ required: true }),
    name: t.string({ required: true }),
    role: t.field({
      type: RoleEnum,
      defaultValue: 'MEMBER',
      description: `One of ${[...SelfServiceRoleValues].join(', ')}; EMPLOYER and STAGE_MANAGER need an admin's approval.`,
    }),
    device: t.field({ type: DeviceInput, required: false }),
  }),
});

const SignInInput = builder.inputType('SignInInput', {
  fields: (t) => ({
    email: t.string({ required: true }),
    password: t.string({ required: true }),
    device: t.field({ type: DeviceInput, required: false }),
    replaceSessionId: t.id({
      required: false,
      description: 'After DeviceLimitReached: the session to sign out so this device can sign in, in one step.',
    }),
  }),
});

builder.queryFields((t) => ({
  currentSession: t.field({
    type: SessionRef,
    authScopes: { signedIn: true },
    resolve: (_root, _args, ctx) => ctx.viewer!.session,
  }),
  mySessions: t.field({
    type: [SessionRef],
    description: 'The caller’s live sessions, most recently active first.',
    authScopes: { signedIn: true },
    resolve: (_root, _args, ctx) => ctx.services.sessions.list(ctx.viewer!.user.id),
  }),
  userSessions: t.field({
    type: [SessionRef],
    authScopes: { admin: true },
    args: { userId: t.arg.id({ required: true }), includeInactive: t.arg.boolean({ defaultValue: false }) },
    resolve: (_root, args, ctx) => ctx.services.sessions.list(args.userId, args.includeInactive ?? false),
  }),
}));

builder.mutationFields((t) => ({
  signUp: t.field({
    type: AuthPayloadRef,
    description: 'Creates an account and signs this device in. EMPLOYER and STAGE_MANAGER accounts start PENDING.',
    args: { input: t.arg({ type: SignUpInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const payload = await ctx.services.accounts.signUp(input, ctx.meta);
      ctx.revealedUserIds.add(payload.user.id); // the new account's own data, for this answer only
      return setSessionCookie(ctx, payload);
    },
  }),
  signIn: t.field({
    type: SignInResultUnion,
    args: { input: t.arg({ type: SignInInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const result = await ctx.services.accounts.signIn(input, ctx.meta);
      ctx.revealedUserIds.add(result.user.id); // the password was right: this answer may show the user's own data
      if (result.kind === 'limit') return { limit: result.limit, activeSessions: result.activeSessions };
      return setSessionCookie(ctx, { token: result.token, session: result.session, user: result.user });
    },
  }),
  signOut: t.boolean({
    description: 'Ends the session this request was made with.',
    authScopes: { signedIn: true },
    resolve: async (_root, _args, ctx) => {
      await ctx.services.sessions.revoke(ctx.viewer!, ctx.viewer!.session.id, ctx.meta);
      ctx.cookies?.clear();
      return true;
    },
  }),
  refreshSession: t.field({
    type: AuthPayloadRef,
    description: 'A new token for the same session (the old one works for a short grace window) and the user read fresh.',
    authScopes: { signedIn: true },
    resolve: async (_root, _args, ctx) => setSessionCookie(ctx, await ctx.services.sessions.refresh(ctx.viewer!)),
  }),
  revokeSession: t.field({
    type: SessionRef,
    description: 'Signs one device out: one of your own, or anyone’s for an admin.',
    authScopes: { signedIn: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.services.sessions.revoke(ctx.viewer!, args.id, ctx.meta),
  }),
  revokeOtherSessions: t.int({
    description: 'Signs out every device but this one; returns how many.',
    authScopes: { signedIn: true },
    resolve: (_root, _args, ctx) =>
      ctx.services.sessions.revokeAllForUser(
        ctx.viewer!.user.id,
        'REVOKED_BY_USER',
        { actorId: ctx.viewer!.user.id, ipAddress: ctx.meta.ipAddress },
        ctx.viewer!.session.id,
      ),
  }),
  revokeAllSessions: t.int({
    description: 'Signs out every device of a user (yourself when userId is omitted; others need admin); returns how many.',
    authScopes: { signedIn: true },
    args: { userId: t.arg.id({ required: false }) },
    resolve: (_root, args, ctx) => {
      const viewer = ctx.viewer!;
      const userId = args.userId ?? viewer.user.id;
      const self = userId === viewer.user.id;
      if (!self) requireAdmin(viewer);
      return ctx.services.sessions.revokeAllForUser(userId, self ? 'REVOKED_BY_USER' : 'REVOKED_BY_ADMIN', {
        actorId: viewer.user.id,
        ipAddress: ctx.meta.ipAddress,
      });
    },
  }),
  createDebugSession: t.field({
    type: AuthPayloadRef,
    description: 'Admins, DEV_MODE only: a short-lived DEBUG session for a user, audited and revocable.',
    authScopes: { admin: true },
    args: {
      userId: t.arg.id({ required: true }),
      ttlMinutes: t.arg.int({ defaultValue: 60 }),
    },
    resolve: (_root, args, ctx) =>
      ctx.services.sessions.createDebugSession(ctx.viewer!, args.userId, args.ttlMinutes ?? 60, ctx.meta),
  }),
}));

const SessionEventRef = builder.objectRef<SessionEvent>('SessionEvent').implement({
  fields: (t) => ({
    type: t.expose('type', { type: SessionEventTypeEnum }),
    session: t.field({ type: SessionRef, resolve: (e) => e.session }),
    reason: t.expose('reason', { type: RevokedReasonEnum, nullable: true }),
    isCurrent: t.boolean({
      description: 'True when the event is about the subscriber’s own session (e.g. this device was signed out).',
      resolve: (e, _args, ctx) => e.session.id === ctx.viewer?.session.id,
    }),
    at: t.field({ type: 'DateTime', resolve: (e) => e.at }),
  }),
});

builder.subscriptionFields((t) => ({
  sessionEvents: t.field({
    type: SessionEventRef,
    description:
      'Changes to the caller’s sessions (CREATED is the new-device alert). Admins may pass another userId. When this session ends you get REVOKED or EXPIRED, then the socket closes with 4401.',
    authScopes: { signedIn: true },
    args: { userId: t.arg.id({ required: false }) },
    subscribe: (_root, args, ctx) => {
      const viewer = ctx.viewer!;
      const userId = args.userId ?? viewer.user.id;
      if (userId === viewer.user.id) {
        return guardedStream(ctx, ctx.events.subscribe('user:sessions', userId), {
          isFinal: (event, v) => event.session.id === v.session.id && (event.type === 'REVOKED' || event.type === 'EXPIRED'),
        });
      }
      requireAdmin(viewer);
      return guardedStream(ctx, ctx.events.subscribe('user:sessions', userId), {
        authorize: (v) => {
          if (v.user.role !== 'ADMIN' || v.user.status !== 'ACTIVE') throw forbidden('NOT_ADMIN');
        },
      });
    },
    resolve: (delivery) => unwrapDelivery(delivery as never) as SessionEvent,
  }),
}));
