import { builder } from '../graphql/builder.js';
import { ROLES } from '../config.js';
import { USER_STATUSES, type User } from './store.js';
import { decodeCursor, encodeCursor, pageSize, toConnection } from '../graphql/pagination.js';
import { forbidden, notFound } from '../graphql/errors.js';
import { guardedStream, unwrapDelivery } from '../graphql/subscriptions.js';
import type { AccountStatusEvent, PendingApprovalEvent } from '../events.js';
import type { GraphQLContext } from '../graphql/context.js';
import { isActiveAdmin, type Viewer } from '../sessions/service.js';

export const RoleEnum = builder.enumType('Role', { values: ROLES });
export const UserStatusEnum = builder.enumType('UserStatus', { values: USER_STATUSES });

/**
 * Only the user themself and active admins may look a user up by id or read its private fields (a
 * job's employer is public, but not its email); so may the signUp or signIn that just proved to be it.
 */
function canSeePrivate(user: User, ctx: GraphQLContext): boolean {
  return ctx.viewer?.user.id === user.id || isActiveAdmin(ctx.viewer) || ctx.revealedUserIds.has(user.id);
}

/** Field options for the private fields of a user: anyone else gets FORBIDDEN / NOT_OWNER. */
const privateField = {
  authScopes: (user: User, _args: unknown, ctx: GraphQLContext) => canSeePrivate(user, ctx),
  unauthorizedError: () =>
    forbidden(
      'NOT_OWNER',
      "A user's email, status and status reason are shown only to that user and to administrators. Ask for the id and name instead.",
    ),
};

export const UserRef = builder.node(builder.objectRef<User>('User'), {
  id: { resolve: (user) => user.id },
  // node(id) on a user answers only for the user themself and admins, like user(id).
  loadOne: async (id, ctx) => {
    const user = await ctx.loaders.users.load(id);
    return user && canSeePrivate(user, ctx) ? user : null;
  },
  fields: (t) => ({
    email: t.exposeString('email', privateField),
    name: t.exposeString('name'),
    role: t.expose('role', { type: RoleEnum }),
    status: t.expose('status', { type: UserStatusEnum, ...privateField }),
    statusReason: t.exposeString('statusReason', { nullable: true, ...privateField }),
    canPostJobs: t.boolean({
      description: 'True for an ACTIVE employer or admin (any ACTIVE user in DEV_MODE): a page can hide the job form instead of failing.',
      ...privateField,
      resolve: (user, _args, ctx) => ctx.services.jobs.canPostJobs(user),
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (user) => user.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (user) => user.updatedAt }),
  }),
});

const UserFilterInput = builder.inputType('UserFilter', {
  fields: (t) => ({
    status: t.field({ type: UserStatusEnum, required: false }),
    role: t.field({ type: RoleEnum, required: false }),
    search: t.string({ required: false, description: 'Matches part of the email or name.' }),
  }),
});

builder.queryFields((t) => ({
  me: t.field({
    type: UserRef,
    description: 'The signed-in user, read fresh on every request.',
    authScopes: { signedIn: true },
    resolve: (_root, _args, ctx) => ctx.viewer!.user,
  }),
  user: t.field({
    type: UserRef,
    nullable: true,
    authScopes: { admin: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.loaders.users.load(args.id),
  }),
  users: t.connection(
    {
      type: UserRef,
      authScopes: { admin: true },
      args: { filter: t.arg({ type: UserFilterInput, required: false }) },
      resolve: async (_root, args, ctx) => {
        const first = pageSize(args);
        const after = args.after ? decodeCursor(args.after) : null;
        const rows = await ctx.services.accounts.listUsers(args.filter ?? {}, {
          first: first + 1,
          after: after ? { createdAt: Number(after[0]), id: String(after[1]) } : null,
        });
        return toConnection(rows, first, (u) => encodeCursor([u.createdAt, u.id]));
      },
    },
    { name: 'UserConnection' },
    { name: 'UserEdge' },
  ),
}));

const ChangePasswordInput = builder.inputType('ChangePasswordInput', {
  fields: (t) => ({
    currentPassword: t.string({ required: true }),
    newPassword: t.string({ required: true }),
    signOutOtherSessions: t.boolean({
      defaultValue: true,
      description: 'Sign out every other device (default). Pass false to keep them.',
    }),
  }),
});

builder.mutationFields((t) => ({
  changePassword: t.boolean({
    authScopes: { signedIn: true },
    args: { input: t.arg({ type: ChangePasswordInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      await ctx.services.accounts.changePassword(ctx.viewer!, input, ctx.meta);
      return true;
    },
  }),
}));

builder.mutationFields((t) => {
  const adminActor = (ctx: GraphQLContext) => ({ viewer: ctx.viewer, meta: ctx.meta });
  const id = () => t.arg.id({ required: true });
  return {
    approveUser: t.field({
      type: UserRef,
      authScopes: { admin: true },
      args: { id: id() },
      resolve: (_root, args, ctx) => ctx.services.accounts.approve(args.id, adminActor(ctx)),
    }),
    rejectUser: t.field({
      type: UserRef,
      authScopes: { admin: true },
      args: { id: id(), reason: t.arg.string({ required: false }) },
      resolve: (_root, args, ctx) => ctx.services.accounts.reject(args.id, args.reason, adminActor(ctx)),
    }),
    suspendUser: t.field({
      type: UserRef,
      authScopes: { admin: true },
      args: { id: id(), reason: t.arg.string({ required: false }) },
      resolve: (_root, args, ctx) => ctx.services.accounts.suspend(args.id, args.reason, adminActor(ctx)),
    }),
    reactivateUser: t.field({
      type: UserRef,
      authScopes: { admin: true },
      args: { id: id() },
      resolve: (_root, args, ctx) => ctx.services.accounts.reactivate(args.id, adminActor(ctx)),
    }),
    setUserRole: t.field({
      type: UserRef,
      authScopes: { admin: true },
      args: { id: id(), role: t.arg({ type: RoleEnum, required: true }) },
      resolve: (_root, args, ctx) => ctx.services.accounts.setRole(args.id, args.role, adminActor(ctx)),
    }),
  };
});

const AccountStatusEventRef = builder.objectRef<AccountStatusEvent>('AccountStatusEvent').implement({
  description: 'The account’s current state; sent first on subscribe, then on every change.',
  fields: (t) => ({
    user: t.field({
      type: UserRef,
      resolve: async (event, _args, ctx) => {
        ctx.loaders.users.clear(event.userId);
        const user = await ctx.loaders.users.load(event.userId);
        if (!user) throw notFound('User', event.userId);
        return user;
      },
    }),
    status: t.expose('status', { type: UserStatusEnum }),
    previousStatus: t.expose('previousStatus', { type: UserStatusEnum, nullable: true }),
    role: t.expose('role', { type: RoleEnum }),
    reason: t.exposeString('reason', { nullable: true }),
    at: t.field({ type: 'DateTime', resolve: (event) => event.at }),
  }),
});

const PendingApprovalTypeEnum = builder.enumType('PendingApprovalEventType', {
  values: ['REQUESTED', 'APPROVED', 'REJECTED'] as const,
});

const PendingApprovalEventRef = builder.objectRef<PendingApprovalEvent>('PendingApprovalEvent').implement({
  fields: (t) => ({
    type: t.expose('type', { type: PendingApprovalTypeEnum }),
    user: t.field({
      type: UserRef,
      resolve: async (event, _args, ctx) => {
        const user = await ctx.loaders.users.load(event.userId);
        if (!user) throw notFound('User', event.userId);
        return user;
      },
    }),
    at: t.field({ type: 'DateTime', resolve: (event) => event.at }),
  }),
});

function currentStatus(viewer: Viewer | null, ctx: GraphQLContext): Promise<AccountStatusEvent | null> {
  if (!viewer) return Promise.resolve(null);
  return ctx.services.accounts.getUser(viewer.user.id).then((user) =>
    user
      ? { userId: user.id, status: user.status, previousStatus: null, role: user.role, reason: user.statusReason, at: user.updatedAt }
      : null,
  );
}

builder.subscriptionFields((t) => ({
  accountStatusChanged: t.field({
    type: AccountStatusEventRef,
    description: 'The caller’s account status: the current state first, then every approval, rejection, suspension or role change.',
    authScopes: { signedIn: true },
    subscribe: (_root, _args, ctx) =>
      guardedStream(ctx, ctx.events.subscribe('user:status', ctx.viewer!.user.id), {
        initial: (viewer) => currentStatus(viewer, ctx),
      }),
    resolve: (delivery) => unwrapDelivery(delivery as never) as AccountStatusEvent,
  }),
  pendingApprovals: t.field({
    type: PendingApprovalEventRef,
    description: 'Admins: accounts entering or leaving the approval queue.',
    authScopes: { admin: true },
    subscribe: (_root, _args, ctx) =>
      guardedStream(ctx, ctx.events.subscribe('admins'), {
        authorize: (viewer) => {
          if (viewer.user.role !== 'ADMIN' || viewer.user.status !== 'ACTIVE') throw forbidden('NOT_ADMIN');
        },
      }),
    resolve: (delivery) => unwrapDelivery(delivery as never) as PendingApprovalEvent,
  }),
}));
