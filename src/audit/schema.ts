import { builder } from '../graphql/builder.js';
import { UserRef } from '../accounts/schema.js';
import { decodeCursor, encodeCursor, pageSize, toConnection } from '../graphql/pagination.js';
import type { AuditEvent } from './store.js';

const AuditEventRef = builder.objectRef<AuditEvent>('AuditEvent').implement({
  description: 'One entry of the audit trail. Never contains a token or a password.',
  fields: (t) => ({
    id: t.id({ resolve: (e) => String(e.id) }),
    at: t.field({ type: 'DateTime', resolve: (e) => e.at }),
    action: t.exposeString('action', { description: 'e.g. user.signed_in, user.sign_in_failed, session.revoked, user.approved' }),
    actor: t.field({
      type: UserRef,
      nullable: true,
      description: 'The user who acted; null for the system or the operator CLI (see actorId).',
      resolve: (e, _args, ctx) => (e.actorId?.startsWith('usr_') ? ctx.loaders.users.load(e.actorId) : null),
    }),
    actorId: t.exposeString('actorId', { nullable: true }),
    targetType: t.exposeString('targetType', { nullable: true }),
    targetId: t.exposeString('targetId', { nullable: true }),
    ipAddress: t.exposeString('ipAddress', { nullable: true }),
    detail: t.field({ type: 'JSON', nullable: true, resolve: (e) => e.detail }),
  }),
});

const AuditFilterInput = builder.inputType('AuditFilter', {
  fields: (t) => ({
    userId: t.id({ required: false, description: 'Entries where this user acted or was the target.' }),
    action: t.string({ required: false }),
    since: t.field({ type: 'DateTime', required: false }),
  }),
});

builder.queryFields((t) => ({
  auditLog: t.connection(
    {
      type: AuditEventRef,
      description: 'Admins: the audit trail, newest first.',
      authScopes: { admin: true },
      args: { filter: t.arg({ type: AuditFilterInput, required: false }) },
      resolve: async (_root, args, ctx) => {
        const first = pageSize(args);
        const before = args.after ? Number(decodeCursor(args.after)[0]) : null;
        const filter = args.filter ?? {};
        const rows = await ctx.services.audit.list(
          { userId: filter.userId, action: filter.action, since: filter.since ? Math.floor(filter.since.getTime() / 1000) : null },
          first + 1,
          before,
        );
        return toConnection(rows, first, (e) => encodeCursor([e.id]));
      },
    },
    { name: 'AuditEventConnection' },
    { name: 'AuditEventEdge' },
  ),
}));
