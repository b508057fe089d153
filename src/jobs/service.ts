import { z } from 'zod';
import type { Config } from '../config.js';
import type { Clock } from '../lib/clock.js';
import { unixSeconds } from '../lib/clock.js';
import { newId } from '../lib/random.js';
import type { Events, JobEvent, JobEventType } from '../events.js';
import type { User } from '../accounts/store.js';
import { parseInput } from '../accounts/service.js';
import { forbidden, notFound } from '../graphql/errors.js';
import { isActiveAdmin, type Viewer } from '../sessions/service.js';
import { EMPLOYMENT_TYPES, type Job, type JobFields, type JobFilter, type JobPage, type JobStatus, type JobStore } from './store.js';

const MAX_SALARY = 1_000_000_000;

const JobInputSchema = z
  .object({
    title: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
    description: z.string().trim().min(1, 'must not be empty').max(20_000, 'must be at most 20000 characters'),
    location: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
    employmentType: z.enum(EMPLOYMENT_TYPES),
    salaryMin: z.number().int().min(0, 'must not be negative').max(MAX_SALARY, 'is too large').nullish(),
    salaryMax: z.number().int().min(0, 'must not be negative').max(MAX_SALARY, 'is too large').nullish(),
  })
  .refine((v) => v.salaryMin == null || v.salaryMax == null || v.salaryMin <= v.salaryMax, {
    message: 'must not be greater than salaryMax',
    path: ['salaryMin'],
  });

type JobServiceDeps = { jobs: JobStore; events: Events; clock: Clock; config: Pick<Config, 'devMode'> };

const PENDING_EMPLOYER_MESSAGE =
  'Your employer account is awaiting approval; you can post jobs once an admin approves it.';

/** The job board: who may post and change what, validation, and live job events. */
export class JobService {
  constructor(private readonly deps: JobServiceDeps) {}

  private now(): number {
    return unixSeconds(this.deps.clock);
  }

  /** An ACTIVE employer or admin; in DEV_MODE any ACTIVE user. */
  canPostJobs(user: User): boolean {
    if (user.status !== 'ACTIVE') return false;
    return this.deps.config.devMode || user.role === 'EMPLOYER' || user.role === 'ADMIN';
  }

  /** Throws the FORBIDDEN reason that explains why this user cannot post. */
  private assertCanPost(user: User): void {
    if (this.canPostJobs(user)) return;
    if (user.status === 'PENDING') {
      throw forbidden('ACCOUNT_PENDING', user.role === 'EMPLOYER' ? PENDING_EMPLOYER_MESSAGE : undefined);
    }
    if (user.status === 'SUSPENDED') throw forbidden('ACCOUNT_SUSPENDED');
    if (user.status === 'REJECTED') throw forbidden('ACCOUNT_REJECTED');
    throw forbidden('CANNOT_POST_JOBS', 'Only approved employers and administrators can post jobs. Ask an administrator to make your account an employer account.');
  }

  /** Loads a job the viewer may change: its employer (still allowed to post) or an admin. */
  private async ownedJob(viewer: Viewer, id: string): Promise<Job> {
    const job = await this.deps.jobs.findById(id);
    if (!job) throw notFound('Job', id);
    const isAdmin = isActiveAdmin(viewer);
    if (!isAdmin && job.employerId !== viewer.user.id) throw forbidden('NOT_OWNER', 'This job belongs to another employer, so you cannot change it.');
    if (!isAdmin) this.assertCanPost(viewer.user);
    return job;
  }

  /** Who may see a job: anyone when OPEN; its employer and active admins always. */
  canSee(job: Job, viewer: Viewer | null): boolean {
    return job.status === 'OPEN' || job.employerId === viewer?.user.id || isActiveAdmin(viewer);
  }

  /**
   * Who hears a job event: whoever may see the job now, plus everyone for the notice that a public
   * job went away (CLOSED, or DELETED while OPEN), so live boards can drop it.
   */
  canSeeEvent(event: JobEvent, viewer: Viewer | null): boolean {
    if (this.canSee(event.job, viewer)) return true;
    return event.type === 'CLOSED' || (event.type === 'DELETED' && event.job.status === 'OPEN');
  }

  async create(viewer: Viewer, input: unknown): Promise<Job> {
    this.assertCanPost(viewer.user);
    const fields = parseInput(JobInputSchema, input, 'input');
    const now = this.now();
    const job: Job = {
      id: newId('job'),
      employerId: viewer.user.id,
      ...normalize(fields),
      status: 'OPEN',
      createdAt: now,
      updatedAt: now,
    };
    await this.deps.jobs.insert(job);
    this.publish('POSTED', job);
    return job;
  }

  async update(viewer: Viewer, id: string, input: unknown): Promise<Job> {
    await this.ownedJob(viewer, id);
    const fields = parseInput(JobInputSchema, input, 'input');
    const job = await this.deps.jobs.update(id, normalize(fields), this.now());
    if (!job) throw notFound('Job', id);
    this.publish('UPDATED', job);
    return job;
  }

  async setStatus(viewer: Viewer, id: string, status: JobStatus): Promise<Job> {
    const current = await this.ownedJob(viewer, id);
    if (current.status === status) return current;
    const job = await this.deps.jobs.setStatus(id, status, this.now());
    if (!job) throw notFound('Job', id);
    this.publish(status === 'CLOSED' ? 'CLOSED' : 'REOPENED', job);
    return job;
  }

  async delete(viewer: Viewer, id: string): Promise<boolean> {
    const job = await this.ownedJob(viewer, id);
    const deleted = await this.deps.jobs.delete(id);
    if (deleted) this.publish('DELETED', job);
    return deleted;
  }

  findById(id: string): Promise<Job | null> {
    return this.deps.jobs.findById(id);
  }

  /**
   * Lists jobs. Anonymous callers and non-owners only ever see OPEN jobs; an employer may list its
   * own closed jobs, and admins everything.
   */
  list(viewer: Viewer | null, filter: JobFilter, page: JobPage): Promise<Job[]> {
    const isAdmin = isActiveAdmin(viewer);
    const ownList = viewer !== null && filter.employerId === viewer.user.id;
    const status = isAdmin || ownList ? filter.status : 'OPEN';
    if (filter.status && status !== filter.status) return Promise.resolve([]);
    return this.deps.jobs.list({ ...filter, status }, page);
  }

  stats() {
    return this.deps.jobs.stats(this.now() - 7 * 86400);
  }

  private publish(type: JobEventType, job: Job) {
    const event = { type, job, at: this.now() };
    this.deps.events.publish('jobs', event);
    this.deps.events.publish('jobs:employer', job.employerId, event);
  }
}

function normalize(fields: z.infer<typeof JobInputSchema>): JobFields {
  return {
    title: fields.title,
    description: fields.description,
    location: fields.location,
    employmentType: fields.employmentType,
    salaryMin: fields.salaryMin ?? null,
    salaryMax: fields.salaryMax ?? null,
  };
}
