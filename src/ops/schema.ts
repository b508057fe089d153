import { builder } from '../graphql/builder.js';
import { DeviceTypeEnum } from '../sessions/schema.js';
import { RoleEnum } from '../accounts/schema.js';
import type { Health, Stats } from './service.js';

const HealthRef = builder.objectRef<Health>('Health').implement({
  description: 'Same keys as GET /health.',
  fields: (t) => ({
    status: t.exposeString('status'),
    version: t.exposeString('version'),
    uptimeSeconds: t.exposeInt('uptimeSeconds'),
    activeSessions: t.exposeInt('activeSessions'),
    activePortalSessions: t.exposeInt('activePortalSessions'),
    keepAlivePortalSessions: t.exposeInt('keepAlivePortalSessions'),
  }),
});

const RoleCountRef = builder.objectRef<Stats['users']['byRole'][number]>('RoleCount').implement({
  fields: (t) => ({
    role: t.expose('role', { type: RoleEnum }),
    count: t.exposeInt('count'),
  }),
});

const UserStatsRef = builder.objectRef<Stats['users']>('UserStats').implement({
  fields: (t) => ({
    total: t.exposeInt('total'),
    pending: t.int({ resolve: (u) => u.PENDING }),
    active: t.int({ resolve: (u) => u.ACTIVE }),
    rejected: t.int({ resolve: (u) => u.REJECTED }),
    suspended: t.int({ resolve: (u) => u.SUSPENDED }),
    byRole: t.field({ type: [RoleCountRef], resolve: (u) => u.byRole }),
  }),
});

const JobStatsRef = builder.objectRef<Stats['jobs']>('JobStats').implement({
  fields: (t) => ({
    total: t.exposeInt('total'),
    open: t.exposeInt('open'),
    closed: t.exposeInt('closed'),
    postedLast7d: t.int({ resolve: (j) => j.postedSince }),
  }),
});

const DeviceTypeCountRef = builder
  .objectRef<Stats['sessions']['byDeviceType'][number]>('DeviceTypeCount')
  .implement({
    fields: (t) => ({
      deviceType: t.expose('deviceType', { type: DeviceTypeEnum }),
      count: t.exposeInt('count'),
    }),
  });

const SessionStatsRef = builder.objectRef<Stats['sessions']>('SessionStats').implement({
  fields: (t) => ({
    active: t.exposeInt('active'),
    createdLast24h: t.int({ resolve: (s) => s.createdSince }),
    revokedLast24h: t.int({ resolve: (s) => s.revokedSince }),
    byDeviceType: t.field({ type: [DeviceTypeCountRef], resolve: (s) => s.byDeviceType }),
  }),
});

const PortalSessionStatsRef = builder.objectRef<Stats['portalSessions']>('PortalSessionStats').implement({
  fields: (t) => ({
    active: t.exposeInt('active', { description: 'Live portal sessions (ACTIVE or REFRESHING; idle ones only before their deadline).' }),
    keepAlive: t.exposeInt('keepAlive', { description: 'Live portal sessions the keeper refreshes in the background.' }),
  }),
});

const StatsRef = builder.objectRef<Stats>('Stats').implement({
  description: 'Admin counters, read from the database on each request.',
  fields: (t) => ({
    users: t.field({ type: UserStatsRef, resolve: (s) => s.users }),
    sessions: t.field({ type: SessionStatsRef, resolve: (s) => s.sessions }),
    jobs: t.field({ type: JobStatsRef, resolve: (s) => s.jobs }),
    portalSessions: t.field({ type: PortalSessionStatsRef, resolve: (s) => s.portalSessions }),
  }),
});

builder.queryFields((t) => ({
  health: t.field({
    type: HealthRef,
    resolve: (_root, _args, ctx) => ctx.services.ops.health(),
  }),
  stats: t.field({
    type: StatsRef,
    authScopes: { admin: true },
    resolve: (_root, _args, ctx) => ctx.services.ops.stats(),
  }),
}));
