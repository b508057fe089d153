import { builder } from '../graphql/builder.js';
import { UserRef } from '../accounts/schema.js';
import type { JobEvent } from '../events.js';
import type { GraphQLContext } from '../graphql/context.js';
import { notFound } from '../graphql/errors.js';
import { decodeCursor, encodeCursor, pageSize, toConnection } from '../graphql/pagination.js';
import { guardedStream, unwrapDelivery } from '../graphql/subscriptions.js';
import { EMPLOYMENT_TYPES, JOB_STATUSES, type Job, type JobFilter } from './store.js';

const EmploymentTypeEnum = builder.enumType('EmploymentType', { values: EMPLOYMENT_TYPES });
const JobStatusEnum = builder.enumType('JobStatus', { values: JOB_STATUSES });
const JobEventTypeEnum = builder.enumType('JobEventType', {
  values: ['POSTED', 'UPDATED', 'CLOSED', 'REOPENED', 'DELETED'] as const,
});

export const JobRef = builder.node(builder.objectRef<Job>('Job'), {
  id: { resolve: (job) => job.id },
  loadOne: async (id, ctx) => {
    const job = await ctx.services.jobs.findById(id);
    return job && ctx.services.jobs.canSee(job, ctx.viewer) ? job : null;
  },
  fields: (t) => ({
    employer: t.field({
      type: UserRef,
      description: 'Loaded in one batched query for a whole page of jobs.',
      resolve: async (job, _args, ctx) => {
        const user = await ctx.loaders.users.load(job.employerId);
        if (!user) throw notFound('User', job.employerId);
        return user;
      },
    }),
    title: t.exposeString('title'),
    description: t.exposeString('description'),
    location: t.exposeString('location'),
    employmentType: t.expose('employmentType', { type: EmploymentTypeEnum }),
    salaryMin: t.exposeInt('salaryMin', { nullable: true }),
    salaryMax: t.exposeInt('salaryMax', { nullable: true }),
    status: t.expose('status', { type: JobStatusEnum }),
    createdAt: t.field({ type: 'DateTime', resolve: (job) => job.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (job) => job.updatedAt }),
  }),
});

const JobInput = builder.inputType('JobInput', {
  fields: (t) => ({
    title: t.string({ required: true }),
    description: t.string({ required: true }),
    location: t.string({ required: true }),
    employmentType: t.field({ type: EmploymentTypeEnum, required: true }),
    salaryMin: t.int({ required: false }),
    salaryMax: t.int({ required: false }),
  }),
});

const JobFilterInput = builder.inputType('JobFilter', {
  fields: (t) => ({
    search: t.string({ required: false, description: 'Words to find in title, description or location (ranked).' }),
    location: t.string({ required: false, description: 'Part of the location, e.g. "Berlin".' }),
    status: t.field({ type: JobStatusEnum, required: false }),
    employerId: t.id({ required: false }),
  }),
});

builder.queryFields((t) => ({
  jobs: t.connection(
    {
      type: JobRef,
      description: 'Open jobs for everyone; employers also see their own closed jobs, admins all.',
      args: { filter: t.arg({ type: JobFilterInput, required: false }) },
      resolve: async (_root, args, ctx) => {
        const first = pageSize(args);
        const filter: JobFilter = args.filter ?? {};
        const cursor = args.after ? decodeCursor(args.after) : null;
        if (filter.search) {
          // Relevance order: page by position.
          const offset = cursor ? Number(cursor[0]) : 0;
          const rows = await ctx.services.jobs.list(ctx.viewer, filter, { first: first + 1, offset });
          let index = offset;
          return toConnection(rows, first, () => encodeCursor([++index]));
        }
        const rows = await ctx.services.jobs.list(ctx.viewer, filter, {
          first: first + 1,
          after: cursor ? { createdAt: Number(cursor[0]), id: String(cursor[1]) } : null,
        });
        return toConnection(rows, first, (job) => encodeCursor([job.createdAt, job.id]));
      },
    },
    { name: 'JobConnection' },
    { name: 'JobEdge' },
  ),
  job: t.field({
    type: JobRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const job = await ctx.services.jobs.findById(args.id);
      return job && ctx.services.jobs.canSee(job, ctx.viewer) ? job : null;
    },
  }),
}));

builder.mutationFields((t) => ({
  createJob: t.field({
    type: JobRef,
    description: 'Posts a job. Needs canPostJobs: an ACTIVE employer or admin (any ACTIVE user in DEV_MODE).',
    authScopes: { signedIn: true },
    args: { input: t.arg({ type: JobInput, required: true }) },
    resolve: (_root, args, ctx) => ctx.services.jobs.create(ctx.viewer!, args.input),
  }),
  updateJob: t.field({
    type: JobRef,
    authScopes: { signedIn: true },
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: JobInput, required: true }) },
    resolve: (_root, args, ctx) => ctx.services.jobs.update(ctx.viewer!, args.id, args.input),
  }),
  closeJob: t.field({
    type: JobRef,
    authScopes: { signedIn: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.services.jobs.setStatus(ctx.viewer!, args.id, 'CLOSED'),
  }),
  reopenJob: t.field({
    type: JobRef,
    authScopes: { signedIn: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.services.jobs.setStatus(ctx.viewer!, args.id, 'OPEN'),
  }),
  deleteJob: t.boolean({
    authScopes: { signedIn: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.services.jobs.delete(ctx.viewer!, args.id),
  }),
}));

const JobEventRef = builder.objectRef<JobEvent>('JobEvent').implement({
  fields: (t) => ({
    type: t.expose('type', { type: JobEventTypeEnum }),
    job: t.field({ type: JobRef, description: 'The job as of this event (its last state for DELETED).', resolve: (e) => e.job }),
    at: t.field({ type: 'DateTime', resolve: (e) => e.at }),
  }),
});

/** In-stream filter for the parts of JobFilter that are not a topic key. */
function matchesFilter(event: JobEvent, filter: JobFilter): boolean {
  const { job } = event;
  if (filter.status && job.status !== filter.status) return false;
  if (filter.location && !job.location.toLowerCase().includes(filter.location.toLowerCase())) return false;
  if (filter.search) {
    const text = `${job.title} ${job.description} ${job.location}`.toLowerCase();
    const words = filter.search.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
    if (!words.every((w) => text.includes(w))) return false;
  }
  return true;
}

builder.subscriptionFields((t) => ({
  jobEvents: t.field({
    type: JobEventRef,
    description: 'Jobs posted, updated, closed, reopened or deleted. With filter.employerId only that employer’s topic is heard.',
    authScopes: { signedIn: true },
    args: { filter: t.arg({ type: JobFilterInput, required: false }) },
    subscribe: (_root, args, ctx: GraphQLContext) => {
      const filter: JobFilter = args.filter ?? {};
      const topic = filter.employerId ? ctx.events.subscribe('jobs:employer', filter.employerId) : ctx.events.subscribe('jobs');
      return guardedStream(ctx, topic, {
        accept: (event) => matchesFilter(event, filter) && ctx.services.jobs.canSeeEvent(event, ctx.viewer),
      });
    },
    resolve: (delivery) => unwrapDelivery(delivery as never) as JobEvent,
  }),
}));
