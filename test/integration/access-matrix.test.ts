// Cross-user access matrix (issue 7, point 4): every query, mutation and subscription that takes an id
// (users, sessions, jobs, portals, portal sessions, audit), plus the lists and streams that show other
// people's data, asked by each kind of caller. One row per operation, one column per actor, one test per
// cell. The same table is printed in README.md (Security → Cross-user access matrix); the last test keeps
// the two in step.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecutionResult } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ApproveUserDocument,
  AuditLogDocument,
  ClosePortalSessionDocument,
  CloseJobDocument,
  CreateDebugSessionDocument,
  CreateJobDocument,
  CreatePortalDocument,
  DeleteJobDocument,
  DeletePortalDocument,
  JobDocument,
  JobEmployerDocument,
  JobEventsDocument,
  JobsDocument,
  MeDocument,
  NodeByIdDocument,
  OpenPortalSessionDocument,
  PendingApprovalsDocument,
  PortalSessionDocument,
  PortalSessionEventsDocument,
  PortalSessionsDocument,
  ReactivateUserDocument,
  RefreshPortalSessionDocument,
  RejectUserDocument,
  ReopenJobDocument,
  RevokeAllSessionsDocument,
  RevokeSessionDocument,
  SessionEventsDocument,
  SetUserRoleDocument,
  SignInDocument,
  SignUpDocument,
  SuspendUserDocument,
  UpdateJobDocument,
  UpdatePortalDocument,
  UsePortalSessionDocument,
  UserDocument,
  UserSessionsDocument,
  UsersDocument,
  type JobInput,
  type PortalInput,
} from '../generated/graphql.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, connectWs, gql, gqlData, onFileCleanup, startTestApp, type HttpResult, type TestApp } from '../utils/app.js';
import { CLIENT_FIELD, LOGIN_PAGE_TEXT, startTestPortal, type TestPortal } from '../utils/test-portal.js';

// ---- actors and outcomes -------------------------------------------------------------------------

/** Who asks. "owner" is whoever the target belongs to (the user itself, the session's or job's user…). */
const ACTORS = ['anonymous', 'pending', 'other', 'owner', 'admin', 'pendingAdmin'] as const;
type Actor = (typeof ACTORS)[number];
const ACTOR_TITLES: Record<Actor, string> = {
  anonymous: 'anonymous',
  pending: 'pending user',
  other: 'other user',
  owner: 'owner',
  admin: 'admin',
  pendingAdmin: 'pending admin',
};

/** Allowed: the data came back and is the target (its id, or the change that was asked for). */
const ALLOWED = 'allowed';
/** Hidden: `null`, an empty list, or (subscriptions) the event never arrives; existence is not revealed. */
const HIDDEN = 'hidden';
/** No such actor for this target (portals belong to no user; a suspended user has no session). */
const NA = '—';
const MISSING_TOKEN = 'UNAUTHENTICATED/MISSING_TOKEN';
const INVALID_CREDENTIALS = 'UNAUTHENTICATED/INVALID_CREDENTIALS';
const ACCOUNT_PENDING = 'FORBIDDEN/ACCOUNT_PENDING';
const NOT_ADMIN = 'FORBIDDEN/NOT_ADMIN';
const NOT_OWNER = 'FORBIDDEN/NOT_OWNER';
const SESSION_NOT_FOUND = 'NOT_FOUND/SESSION_NOT_FOUND';
type Outcome =
  | typeof ALLOWED
  | typeof HIDDEN
  | typeof NA
  | typeof MISSING_TOKEN
  | typeof INVALID_CREDENTIALS
  | typeof ACCOUNT_PENDING
  | typeof NOT_ADMIN
  | typeof NOT_OWNER
  | typeof SESSION_NOT_FOUND;
type Cells = Record<Actor, Outcome>;

/** Common rows: admin-only fields, and things only their owner (or an admin) may see. */
const ADMIN_ONLY: Cells = {
  anonymous: MISSING_TOKEN,
  pending: NOT_ADMIN,
  other: NOT_ADMIN,
  owner: NOT_ADMIN,
  admin: ALLOWED,
  pendingAdmin: ACCOUNT_PENDING,
};
const ADMIN_ONLY_NO_OWNER: Cells = { ...ADMIN_ONLY, owner: NA };
const OWNER_OR_ADMIN_ELSE_HIDDEN: Cells = {
  anonymous: HIDDEN,
  pending: HIDDEN,
  other: HIDDEN,
  owner: ALLOWED,
  admin: ALLOWED,
  pendingAdmin: HIDDEN,
};

// ---- the world -------------------------------------------------------------------------------------

const PASSWORD = 'matrix-password-1';
const PORTAL_PASSWORD = 'portal-password-1';

interface Account {
  id: string;
  email: string;
  token: string;
  sessionId: string;
}

interface World {
  t: TestApp;
  upstream: TestPortal;
  admin: Account;
  /** ACTIVE employer: owns the shared jobs, sessions and portal session. */
  owner: Account;
  /** ACTIVE member with nothing of the owner's. */
  other: Account;
  /** PENDING employer. */
  pending: Account;
  /** PENDING account an admin promoted to ADMIN: admin powers need an ACTIVE account. */
  pendingAdmin: Account;
  portalId: string;
  openJobId: string;
  closedJobId: string;
  ownerPortalSessionId: string;
}

let w: World;
let counter = 0;
const unique = (prefix: string) => `${prefix}-${++counter}`;

const ENV = {
  DEV_MODE: 'true', // so createDebugSession reaches its access rule instead of DEV_MODE_ONLY
  MAX_SESSIONS_PER_USER: '1000',
  SIGNUP_RATE_LIMIT: 'off',
  SIGNIN_LOCK_THRESHOLD: '0',
  SIGNIN_IP_LOCK_THRESHOLD: '0',
  PORTAL_LOGIN_RATE_LIMIT: 'off',
};

async function signUp(email: string, role: 'MEMBER' | 'EMPLOYER' = 'MEMBER'): Promise<Account> {
  const data = await gqlData(w.t.url, SignUpDocument, { input: { email, password: PASSWORD, name: email.split('@')[0], role } });
  return { id: data.signUp.user.id, email, token: data.signUp.token, sessionId: data.signUp.session.id };
}

async function signIn(email: string, password: string): Promise<{ token: string; sessionId: string; userId: string }> {
  const data = await gqlData(w.t.url, SignInDocument, { input: { email, password } });
  if (data.signIn.__typename !== 'AuthPayload') throw new Error(`${email} hit the device limit`);
  return { token: data.signIn.token, sessionId: data.signIn.session.id, userId: data.signIn.user.id };
}

function portalInput(name: string): PortalInput {
  return {
    name,
    connector: 'HTTP_FORM',
    loginUrl: w.upstream.loginUrl,
    usernameField: 'user',
    passwordField: 'pass',
    extraFields: CLIENT_FIELD,
    keepAliveUrl: w.upstream.keepAliveUrl,
    loggedOutPattern: LOGIN_PAGE_TEXT,
    refreshIntervalSeconds: 300,
    idleTimeoutSeconds: 1800,
  };
}

const jobInput = (title: string): JobInput => ({ title, description: 'Builds sets.', location: 'Berlin', employmentType: 'FULL_TIME' });

async function createJob(status: 'OPEN' | 'CLOSED'): Promise<string> {
  const job = (await gqlData(w.t.url, CreateJobDocument, { input: jobInput(unique('Carpenter')) }, { token: w.owner.token })).createJob;
  if (status === 'CLOSED') await gqlData(w.t.url, CloseJobDocument, { id: job.id }, { token: w.owner.token });
  return job.id;
}

/** A new portal session for `token`'s user, under an upstream account nobody else uses. */
async function openPortalSession(token: string): Promise<string> {
  const username = unique('portal-user');
  w.upstream.setPassword(username, PORTAL_PASSWORD);
  const data = await gqlData(w.t.url, OpenPortalSessionDocument, { input: { portalId: w.portalId, username, password: PORTAL_PASSWORD } }, { token });
  expect(data.openPortalSession.isNew).toBe(true);
  return data.openPortalSession.session.id;
}

/** Whether a token still authenticates as `userId`. */
async function tokenWorks(token: string, userId: string): Promise<boolean> {
  const result = await gql(w.t.url, MeDocument, undefined, { token });
  return result.body.data?.me?.id === userId;
}

async function userAsAdmin(id: string) {
  return (await gqlData(w.t.url, UserDocument, { id }, { token: w.admin.token })).user;
}

beforeAll(async () => {
  const t = await startTestApp(ENV, { sharedByFile: true });
  const upstream = await startTestPortal({});
  onFileCleanup(() => upstream.stop());
  w = { t, upstream } as World;
  const admin = await signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
  w.admin = { id: admin.userId, email: ADMIN_EMAIL, token: admin.token, sessionId: admin.sessionId };
  w.owner = await signUp('owner@example.test', 'EMPLOYER');
  w.other = await signUp('other@example.test');
  w.pending = await signUp('pending@example.test', 'EMPLOYER');
  w.pendingAdmin = await signUp('pending-admin@example.test', 'EMPLOYER');
  await gqlData(t.url, ApproveUserDocument, { id: w.owner.id }, { token: w.admin.token });
  const promoted = await gqlData(t.url, SetUserRoleDocument, { id: w.pendingAdmin.id, role: 'ADMIN' }, { token: w.admin.token });
  expect(promoted.setUserRole).toMatchObject({ role: 'ADMIN', status: 'PENDING' });
  w.portalId = (await gqlData(t.url, CreatePortalDocument, { input: portalInput('Carrier Portal') }, { token: w.admin.token })).createPortal.id;
  w.openJobId = await createJob('OPEN');
  w.closedJobId = await createJob('CLOSED');
  w.ownerPortalSessionId = await openPortalSession(w.owner.token);
});

// ---- rows --------------------------------------------------------------------------------------------

/** What a cell works on. */
interface Target {
  id: string;
  /** The token the "owner" actor uses, when the owner is not the shared owner (null: there is none). */
  ownerToken?: string | null;
  /** The target's own token (a session's, or a fresh user's), to check afterwards whether it still works. */
  token?: string;
}

interface CellContext {
  actor: Actor;
  /** The actor's token (undefined for anonymous). */
  token: string | undefined;
  /** The actor's account (undefined for anonymous). */
  account: Account | undefined;
  target: Target;
}

type Result = HttpResult<unknown>;

interface HttpRow {
  kind: 'http';
  /** The operation, e.g. `user(id)`. */
  name: string;
  /** What the id points at, when the name does not say. */
  about?: string;
  domain: string;
  cells: Cells;
  /** The target; called once per cell when the operation changes state, once for all cells otherwise. */
  target: () => Promise<Target>;
  fresh?: boolean;
  run: (c: CellContext) => Promise<Result>;
  /** The field's value: null or an empty list count as hidden. */
  pick: (data: Record<string, unknown>) => unknown;
  /** The value is the target (or shows the change asked for). */
  ok: (value: never, c: CellContext) => boolean | Promise<boolean>;
  /** After a refusal: the target is as it was. */
  unchanged?: (target: Target) => Promise<void>;
}

interface SubscriptionRow {
  kind: 'subscription';
  name: string;
  about?: string;
  domain: string;
  cells: Cells;
  target: () => Promise<Target>;
  fresh?: boolean;
  document: TypedDocumentNode<unknown, Record<string, unknown>>;
  variables: (c: CellContext) => Record<string, unknown>;
  /** The topic a subscription of this actor listens on, to know when it is listening. */
  topic: (c: CellContext) => [routingKey: 'user:sessions' | 'admins' | 'jobs:employer' | 'portal', id?: string];
  /** Makes the event about the target happen, then (for hidden cells) one the actor may see: returns both ids. */
  trigger: (c: CellContext) => Promise<{ targetEventId: string; sentinelEventId: string | null }>;
  /** The id an event is about. */
  eventId: (data: Record<string, unknown>) => string;
}

type Row = HttpRow | SubscriptionRow;

const shared = (get: () => string) => async (): Promise<Target> => ({ id: get() });

function http<T, V>(
  row: Omit<HttpRow, 'kind' | 'run' | 'pick' | 'ok'> & {
    document: TypedDocumentNode<T, V>;
    variables: (c: CellContext) => V;
    pick: (data: T) => unknown;
    ok: (value: never, c: CellContext) => boolean | Promise<boolean>;
  },
): HttpRow {
  const { document, variables, pick, ...rest } = row;
  return {
    ...rest,
    kind: 'http',
    pick: pick as HttpRow['pick'],
    run: (c) => gql(w.t.url, document, variables(c), { token: c.token }) as Promise<Result>,
  };
}

function subscription<T, V>(
  row: Omit<SubscriptionRow, 'kind' | 'document' | 'variables' | 'eventId'> & {
    document: TypedDocumentNode<T, V>;
    variables: (c: CellContext) => V;
    eventId: (data: T) => string;
  },
): SubscriptionRow {
  return { ...row, kind: 'subscription' } as unknown as SubscriptionRow;
}

const ROWS: Row[] = [
  // -- users
  http({
    name: 'user(id)',
    domain: 'users',
    cells: ADMIN_ONLY,
    target: async () => ({ id: w.owner.id }),
    document: UserDocument,
    variables: (c) => ({ id: c.target.id }),
    pick: (d) => d.user,
    ok: (user: { id: string }, c) => user.id === c.target.id,
  }),
  http({
    name: 'users(filter: { search })',
    domain: 'users',
    cells: ADMIN_ONLY,
    target: async () => ({ id: w.owner.id }),
    document: UsersDocument,
    variables: () => ({ filter: { search: 'owner@example.test' } }),
    pick: (d) => d.users,
    ok: (users: { edges: { node: { id: string } }[] }, c) => users.edges.map((e) => e.node.id).join() === c.target.id,
  }),
  http({
    name: 'node(id)',
    about: 'a `usr_` id',
    domain: 'users',
    cells: OWNER_OR_ADMIN_ELSE_HIDDEN,
    target: async () => ({ id: w.owner.id }),
    document: NodeByIdDocument,
    variables: (c) => ({ id: c.target.id }),
    pick: (d) => d.node,
    ok: (node: { __typename: string; id: string }, c) => node.__typename === 'User' && node.id === c.target.id,
  }),
  http({
    name: 'approveUser(id)',
    about: 'a pending user',
    domain: 'users',
    cells: ADMIN_ONLY,
    fresh: true,
    target: async () => {
      const user = await signUp(`${unique('approve')}@example.test`, 'EMPLOYER');
      return { id: user.id, ownerToken: user.token };
    },
    document: ApproveUserDocument,
    variables: (c) => ({ id: c.target.id }),
    pick: (d) => d.approveUser,
    ok: (user: { id: string; status: string }, c) => user.id === c.target.id && user.status === 'ACTIVE',
    unchanged: async (target) => expect((await userAsAdmin(target.id))?.status).toBe('PENDING'),
  }),
  http({
    name: 'rejectUser(id)',
    about: 'a pending user',
    domain: 'users',
    cells: ADMIN_ONLY,
    fresh: true,
    target: async () => {
      const user = await signUp(`${unique('reject')}@example.test`, 'EMPLOYER');
      return { id: user.id, ownerToken: user.token };
    },
    document: RejectUserDocument,
    variables: (c) => ({ id: c.target.id, reason: 'matrix' }),
    pick: (d) => d.rejectUser,
    ok: (user: { id: string; status: string }, c) => user.id === c.target.id && user.status === 'REJECTED',
    unchanged: async (target) => expect((await userAsAdmin(target.id))?.status).toBe('PENDING'),
  }),
  http({
    name: 'suspendUser(id)',
    domain: 'users',
    cells: ADMIN_ONLY,
    fresh: true,
    target: async () => {
      const user = await signUp(`${unique('suspend')}@example.test`);
      return { id: user.id, ownerToken: user.token };
    },
    document: SuspendUserDocument,
    variables: (c) => ({ id: c.target.id, reason: 'matrix' }),
    pick: (d) => d.suspendUser,
    ok: (user: { id: string; status: string }, c) => user.id === c.target.id && user.status === 'SUSPENDED',
    unchanged: async (target) => expect((await userAsAdmin(target.id))?.status).toBe('ACTIVE'),
  }),
  http({
    name: 'reactivateUser(id)',
    about: 'a suspended user',
    domain: 'users',
    // A suspended user's sessions were all revoked: there is no owner to ask.
    cells: ADMIN_ONLY_NO_OWNER,
    fresh: true,
    target: async () => {
      const user = await signUp(`${unique('reactivate')}@example.test`);
      await gqlData(w.t.url, SuspendUserDocument, { id: user.id }, { token: w.admin.token });
      return { id: user.id, ownerToken: null };
    },
    document: ReactivateUserDocument,
    variables: (c) => ({ id: c.target.id }),
    pick: (d) => d.reactivateUser,
    ok: (user: { id: string; status: string }, c) => user.id === c.target.id && user.status === 'ACTIVE',
    unchanged: async (target) => expect((await userAsAdmin(target.id))?.status).toBe('SUSPENDED'),
  }),
  http({
    name: 'setUserRole(id, role: EMPLOYER)',
    domain: 'users',
    cells: ADMIN_ONLY,
    fresh: true,
    target: async () => {
      const user = await signUp(`${unique('role')}@example.test`);
      return { id: user.id, ownerToken: user.token };
    },
    document: SetUserRoleDocument,
    variables: (c) => ({ id: c.target.id, role: 'EMPLOYER' as const }),
    pick: (d) => d.setUserRole,
    ok: (user: { id: string; role: string }, c) => user.id === c.target.id && user.role === 'EMPLOYER',
    unchanged: async (target) => expect((await userAsAdmin(target.id))?.role).toBe('MEMBER'),
  }),
  subscription({
    name: 'pendingApprovals',
    about: 'a new pending sign-up',
    domain: 'users',
    cells: ADMIN_ONLY,
    target: async () => ({ id: w.owner.id }),
    document: PendingApprovalsDocument,
    variables: () => ({}),
    topic: () => ['admins'],
    trigger: async () => ({ targetEventId: (await signUp(`${unique('queue')}@example.test`, 'EMPLOYER')).id, sentinelEventId: null }),
    eventId: (d) => d.pendingApprovals.user.id,
  }),

  // -- sessions
  http({
    name: 'node(id)',
    about: 'a `ses_` id',
    domain: 'sessions',
    cells: OWNER_OR_ADMIN_ELSE_HIDDEN,
    target: async () => ({ id: w.owner.sessionId }),
    document: NodeByIdDocument,
    variables: (c) => ({ id: c.target.id }),
    pick: (d) => d.node,
    ok: (node: { __typename: string; id: string }, c) => node.__typename === 'Session' && node.id === c.target.id,
  }),
  http({
    name: 'userSessions(userId)',
    domain: 'sessions',
    cells: ADMIN_ONLY,
    target: async () => ({ id: w.owner.id }),
    document: UserSessionsDocument,
    variables: (c) => ({ userId: c.target.id }),
    pick: (d) => d.userSessions,
    ok: (sessions: { id: string }[]) => sessions.some((s) => s.id === w.owner.sessionId),
  }),
  http({
    name: 'revokeSession(id)',
    about: 'another session of the owner',
    domain: 'sessions',
    cells: { anonymous: MISSING_TOKEN, pending: NOT_OWNER, other: NOT_OWNER, owner: ALLOWED, admin: ALLOWED, pendingAdmin: NOT_OWNER },
    fresh: true,
    target: async () => {
      const device = await signIn(w.owner.email, PASSWORD);
      return { id: device.sessionId, token: device.token };
    },
    document: RevokeSessionDocument,
    // The owner signs this device out from another of its sessions (its own current one would be SIGNED_OUT).
    variables: (c) => ({ id: c.target.id }),
    pick: (d) => d.revokeSession,
    ok: (session: { id: string; revokedReason: string | null }, c) =>
      session.id === c.target.id && session.revokedReason === (c.actor === 'owner' ? 'REVOKED_BY_USER' : 'REVOKED_BY_ADMIN'),
    unchanged: async (target) => expect(await tokenWorks(target.token!, w.owner.id)).toBe(true),
  }),
  http({
    name: 'revokeAllSessions(userId)',
    domain: 'sessions',
    cells: { anonymous: MISSING_TOKEN, pending: NOT_ADMIN, other: NOT_ADMIN, owner: ALLOWED, admin: ALLOWED, pendingAdmin: ACCOUNT_PENDING },
    fresh: true,
    target: async () => {
      const user = await signUp(`${unique('revoke-all')}@example.test`);
      return { id: user.id, ownerToken: user.token, token: user.token };
    },
    document: RevokeAllSessionsDocument,
    variables: (c) => ({ userId: c.target.id }),
    pick: (d) => d.revokeAllSessions,
    // The user's only session (its sign-up) ended.
    ok: async (count: number, c) => count === 1 && !(await tokenWorks(c.target.token!, c.target.id)),
    unchanged: async (target) => expect(await tokenWorks(target.token!, target.id)).toBe(true),
  }),
  http({
    name: 'createDebugSession(userId)',
    domain: 'sessions',
    cells: ADMIN_ONLY,
    target: async () => ({ id: w.owner.id }),
    document: CreateDebugSessionDocument,
    variables: (c) => ({ userId: c.target.id, ttlMinutes: 5 }),
    pick: (d) => d.createDebugSession,
    ok: async (payload: { token: string; session: { kind: string } }, c) =>
      payload.session.kind === 'DEBUG' && (await tokenWorks(payload.token, c.target.id)),
  }),
  http({
    name: 'signIn(input: { replaceSessionId })',
    about: 'the owner’s session',
    domain: 'sessions',
    // Everyone signs in with their own email and password (anonymous: the owner's email, a wrong
    // password) and names the owner's session: only the owner may replace it.
    cells: {
      anonymous: INVALID_CREDENTIALS,
      pending: SESSION_NOT_FOUND,
      other: SESSION_NOT_FOUND,
      owner: ALLOWED,
      admin: SESSION_NOT_FOUND,
      pendingAdmin: SESSION_NOT_FOUND,
    },
    fresh: true,
    target: async () => {
      const device = await signIn(w.owner.email, PASSWORD);
      return { id: device.sessionId, token: device.token };
    },
    document: SignInDocument,
    variables: (c) => ({
      input: {
        email: c.account?.email ?? w.owner.email,
        password: c.actor === 'anonymous' ? 'not-the-password-9' : c.actor === 'admin' ? ADMIN_PASSWORD : PASSWORD,
        replaceSessionId: c.target.id,
      },
    }),
    pick: (d) => d.signIn,
    ok: async (payload: { __typename: string; user?: { id: string } }, c) =>
      payload.__typename === 'AuthPayload' && payload.user?.id === w.owner.id && !(await tokenWorks(c.target.token!, w.owner.id)),
    unchanged: async (target) => expect(await tokenWorks(target.token!, w.owner.id)).toBe(true),
  }),
  subscription({
    name: 'sessionEvents(userId)',
    about: 'the owner signs in on a new device',
    domain: 'sessions',
    cells: { anonymous: MISSING_TOKEN, pending: NOT_ADMIN, other: NOT_ADMIN, owner: ALLOWED, admin: ALLOWED, pendingAdmin: ACCOUNT_PENDING },
    target: async () => ({ id: w.owner.id }),
    document: SessionEventsDocument,
    variables: (c) => ({ userId: c.target.id }),
    topic: (c) => ['user:sessions', c.target.id],
    trigger: async () => ({ targetEventId: (await signIn(w.owner.email, PASSWORD)).sessionId, sentinelEventId: null }),
    eventId: (d) => d.sessionEvents.session.id,
  }),

  // -- jobs
  http({
    name: 'job(id)',
    about: 'an OPEN job',
    domain: 'jobs',
    cells: { anonymous: ALLOWED, pending: ALLOWED, other: ALLOWED, owner: ALLOWED, admin: ALLOWED, pendingAdmin: ALLOWED },
    target: shared(() => w.openJobId),
    document: JobDocument,
    variables: (c) => ({ id: c.target.id }),
    pick: (d) => d.job,
    ok: (job: { id: string }, c) => job.id === c.target.id,
  }),
  http({
    name: 'job(id) { employer { email } }',
    about: 'an OPEN job; the same for `status`, `statusReason`, `canPostJobs`',
    domain: 'jobs',
    cells: { anonymous: NOT_OWNER, pending: NOT_OWNER, other: NOT_OWNER, owner: ALLOWED, admin: ALLOWED, pendingAdmin: NOT_OWNER },
    target: shared(() => w.openJobId),
    document: JobEmployerDocument,
    variables: (c) => ({ id: c.target.id }),
    pick: (d) => d.job,
    ok: (job: { id: string; employer: { id: string; email: string; status: string } }, c) =>
      job.id === c.target.id && job.employer.id === w.owner.id && job.employer.email === w.owner.email && job.employer.status === 'ACTIVE',
  }),
  http({
    name: 'job(id)',
    about: 'a CLOSED job',
    domain: 'jobs',
    cells: OWNER_OR_ADMIN_ELSE_HIDDEN,
    target: shared(() => w.closedJobId),
    document: JobDocument,
    variables: (c) => ({ id: c.target.id }),
    pick: (d) => d.job,
    ok: (job: { id: string; status: string }, c) => job.id === c.target.id && job.status === 'CLOSED',
  }),
  http({
    name: 'node(id)',
    about: 'a CLOSED job’s `job_` id',
    domain: 'jobs',
    cells: OWNER_OR_ADMIN_ELSE_HIDDEN,
    target: shared(() => w.closedJobId),
    document: NodeByIdDocument,
    variables: (c) => ({ id: c.target.id }),
    pick: (d) => d.node,
    ok: (node: { __typename: string; id: string }, c) => node.__typename === 'Job' && node.id === c.target.id,
  }),
  http({
    name: 'jobs(filter: { employerId, status: CLOSED })',
    domain: 'jobs',
    cells: OWNER_OR_ADMIN_ELSE_HIDDEN,
    target: shared(() => w.closedJobId),
    document: JobsDocument,
    variables: () => ({ filter: { employerId: w.owner.id, status: 'CLOSED' as const } }),
    pick: (d) => d.jobs.edges,
    ok: (edges: { node: { id: string } }[], c) => edges.some((e) => e.node.id === c.target.id),
  }),
  ...(
    [
      ['updateJob(id)', UpdateJobDocument, 'OPEN', 'updateJob', (job: { title: string }) => job.title === 'Changed by the matrix'],
      ['closeJob(id)', CloseJobDocument, 'OPEN', 'closeJob', (job: { status: string }) => job.status === 'CLOSED'],
      ['reopenJob(id)', ReopenJobDocument, 'CLOSED', 'reopenJob', (job: { status: string }) => job.status === 'OPEN'],
      ['deleteJob(id)', DeleteJobDocument, 'OPEN', 'deleteJob', (deleted: boolean) => deleted === true],
    ] as const
  ).map(([name, document, status, field, check]) =>
    http({
      name,
      domain: 'jobs',
      cells: { anonymous: MISSING_TOKEN, pending: NOT_OWNER, other: NOT_OWNER, owner: ALLOWED, admin: ALLOWED, pendingAdmin: NOT_OWNER },
      fresh: true,
      target: async () => ({ id: await createJob(status) }),
      document: document as unknown as TypedDocumentNode<Record<string, unknown>, Record<string, unknown>>,
      variables: (c) => ({ id: c.target.id, input: jobInput('Changed by the matrix') }),
      pick: (d) => d[field],
      ok: async (value: never, c) => {
        if (!(check as (v: unknown) => boolean)(value)) return false;
        if (field === 'deleteJob') return (await gql(w.t.url, JobDocument, { id: c.target.id }, { token: w.admin.token })).body.data?.job === null;
        return (value as { id: string }).id === c.target.id;
      },
      unchanged: async (target) => {
        const job = (await gqlData(w.t.url, JobDocument, { id: target.id }, { token: w.owner.token })).job;
        expect(job).toMatchObject({ id: target.id, status, title: expect.stringMatching(/^Carpenter-/) });
      },
    }),
  ),
  subscription({
    name: 'jobEvents(filter: { employerId })',
    about: 'the employer updates a CLOSED job',
    domain: 'jobs',
    cells: { anonymous: MISSING_TOKEN, pending: HIDDEN, other: HIDDEN, owner: ALLOWED, admin: ALLOWED, pendingAdmin: HIDDEN },
    fresh: true,
    target: async () => ({ id: await createJob('CLOSED') }),
    document: JobEventsDocument,
    variables: () => ({ filter: { employerId: w.owner.id } }),
    topic: () => ['jobs:employer', w.owner.id],
    trigger: async (c) => {
      await gqlData(w.t.url, UpdateJobDocument, { id: c.target.id, input: jobInput('Still closed') }, { token: w.owner.token });
      // Then an event everyone may see, on the same topic: a subscriber that gets it first never got the closed one.
      return { targetEventId: c.target.id, sentinelEventId: await createJob('OPEN') };
    },
    eventId: (d) => d.jobEvents.job.id,
  }),

  // -- portals (admin-managed; they belong to no user)
  http({
    name: 'node(id)',
    about: 'a `prt_` id',
    domain: 'portals',
    cells: { anonymous: HIDDEN, pending: HIDDEN, other: ALLOWED, owner: NA, admin: ALLOWED, pendingAdmin: HIDDEN },
    target: shared(() => w.portalId),
    document: NodeByIdDocument,
    variables: (c) => ({ id: c.target.id }),
    pick: (d) => d.node,
    ok: (node: { __typename: string; id: string }, c) => node.__typename === 'Portal' && node.id === c.target.id,
  }),
  http({
    name: 'updatePortal(id)',
    domain: 'portals',
    cells: ADMIN_ONLY_NO_OWNER,
    fresh: true,
    target: async () => ({
      id: (await gqlData(w.t.url, CreatePortalDocument, { input: portalInput(unique('Portal')) }, { token: w.admin.token })).createPortal.id,
    }),
    document: UpdatePortalDocument,
    variables: (c) => ({ id: c.target.id, input: portalInput('Renamed by the matrix') }),
    pick: (d) => d.updatePortal,
    ok: (portal: { id: string; name: string }, c) => portal.id === c.target.id && portal.name === 'Renamed by the matrix',
    unchanged: async (target) => {
      const node = (await gqlData(w.t.url, NodeByIdDocument, { id: target.id }, { token: w.admin.token })).node;
      expect(node).toEqual({ __typename: 'Portal', id: target.id });
    },
  }),
  http({
    name: 'deletePortal(id)',
    domain: 'portals',
    cells: ADMIN_ONLY_NO_OWNER,
    fresh: true,
    target: async () => ({
      id: (await gqlData(w.t.url, CreatePortalDocument, { input: portalInput(unique('Portal')) }, { token: w.admin.token })).createPortal.id,
    }),
    document: DeletePortalDocument,
    variables: (c) => ({ id: c.target.id }),
    pick: (d) => d.deletePortal,
    ok: async (deleted: boolean, c) =>
      deleted === true && (await gqlData(w.t.url, NodeByIdDocument, { id: c.target.id }, { token: w.admin.token })).node === null,
    unchanged: async (target) => {
      const node = (await gqlData(w.t.url, NodeByIdDocument, { id: target.id }, { token: w.admin.token })).node;
      expect(node).toEqual({ __typename: 'Portal', id: target.id });
    },
  }),
  http({
    name: 'openPortalSession(input: { portalId })',
    domain: 'portals',
    cells: { anonymous: MISSING_TOKEN, pending: ACCOUNT_PENDING, other: ALLOWED, owner: NA, admin: ALLOWED, pendingAdmin: ACCOUNT_PENDING },
    fresh: true,
    target: async () => {
      const username = unique('portal-user');
      w.upstream.setPassword(username, PORTAL_PASSWORD);
      return { id: username };
    },
    document: OpenPortalSessionDocument,
    variables: (c) => ({ input: { portalId: w.portalId, username: c.target.id, password: PORTAL_PASSWORD } }),
    pick: (d) => d.openPortalSession,
    ok: (payload: { isNew: boolean; session: { owner: { id: string }; portal: { id: string } } }, c) =>
      payload.isNew && payload.session.owner.id === c.account?.id && payload.session.portal.id === w.portalId,
  }),

  // -- portal sessions
  http({
    name: 'portalSession(id)',
    domain: 'portal sessions',
    cells: { anonymous: MISSING_TOKEN, pending: ACCOUNT_PENDING, other: HIDDEN, owner: ALLOWED, admin: ALLOWED, pendingAdmin: ACCOUNT_PENDING },
    target: shared(() => w.ownerPortalSessionId),
    document: PortalSessionDocument,
    variables: (c) => ({ id: c.target.id }),
    pick: (d) => d.portalSession,
    ok: (session: { id: string }, c) => session.id === c.target.id,
  }),
  http({
    name: 'node(id)',
    about: 'a `pss_` id',
    domain: 'portal sessions',
    cells: OWNER_OR_ADMIN_ELSE_HIDDEN,
    target: shared(() => w.ownerPortalSessionId),
    document: NodeByIdDocument,
    variables: (c) => ({ id: c.target.id }),
    pick: (d) => d.node,
    ok: (node: { __typename: string; id: string }, c) => node.__typename === 'PortalSession' && node.id === c.target.id,
  }),
  http({
    name: 'portalSessions(all: true)',
    domain: 'portal sessions',
    cells: { anonymous: MISSING_TOKEN, pending: ACCOUNT_PENDING, other: NOT_ADMIN, owner: NOT_ADMIN, admin: ALLOWED, pendingAdmin: ACCOUNT_PENDING },
    target: shared(() => w.ownerPortalSessionId),
    document: PortalSessionsDocument,
    variables: () => ({ all: true }),
    pick: (d) => d.portalSessions,
    ok: (sessions: { id: string }[], c) => sessions.some((s) => s.id === c.target.id),
  }),
  http({
    name: 'usePortalSession(id)',
    domain: 'portal sessions',
    // Admins may see and close anyone's portal session but never use it.
    cells: { anonymous: MISSING_TOKEN, pending: ACCOUNT_PENDING, other: NOT_OWNER, owner: ALLOWED, admin: NOT_OWNER, pendingAdmin: ACCOUNT_PENDING },
    target: shared(() => w.ownerPortalSessionId),
    document: UsePortalSessionDocument,
    variables: (c) => ({ id: c.target.id }),
    pick: (d) => d.usePortalSession,
    ok: (payload: { cookieHeader: string; session: { id: string } }, c) => payload.session.id === c.target.id && /\bsid=[0-9a-f]{32}\b/.test(payload.cookieHeader),
  }),
  http({
    name: 'refreshPortalSession(id)',
    domain: 'portal sessions',
    cells: { anonymous: MISSING_TOKEN, pending: ACCOUNT_PENDING, other: NOT_OWNER, owner: ALLOWED, admin: NOT_OWNER, pendingAdmin: ACCOUNT_PENDING },
    target: shared(() => w.ownerPortalSessionId),
    document: RefreshPortalSessionDocument,
    variables: (c) => ({ id: c.target.id }),
    pick: (d) => d.refreshPortalSession,
    ok: (session: { id: string; state: string }, c) => session.id === c.target.id && session.state === 'ACTIVE',
  }),
  http({
    name: 'closePortalSession(id)',
    domain: 'portal sessions',
    cells: { anonymous: MISSING_TOKEN, pending: ACCOUNT_PENDING, other: NOT_OWNER, owner: ALLOWED, admin: ALLOWED, pendingAdmin: ACCOUNT_PENDING },
    fresh: true,
    target: async () => ({ id: await openPortalSession(w.owner.token) }),
    document: ClosePortalSessionDocument,
    variables: (c) => ({ id: c.target.id }),
    pick: (d) => d.closePortalSession,
    ok: (session: { id: string; state: string }, c) => session.id === c.target.id && session.state === 'CLOSED',
    unchanged: async (target) => {
      const session = (await gqlData(w.t.url, PortalSessionDocument, { id: target.id }, { token: w.owner.token })).portalSession;
      expect(session).toMatchObject({ id: target.id, state: 'ACTIVE' });
    },
  }),
  subscription({
    name: 'portalSessionEvents',
    about: 'the owner’s portal session closes',
    domain: 'portal sessions',
    cells: { anonymous: MISSING_TOKEN, pending: ACCOUNT_PENDING, other: HIDDEN, owner: ALLOWED, admin: HIDDEN, pendingAdmin: ACCOUNT_PENDING },
    fresh: true,
    target: async () => ({ id: await openPortalSession(w.owner.token) }),
    document: PortalSessionEventsDocument,
    variables: () => ({}),
    topic: (c) => ['portal', c.account?.id ?? 'nobody'],
    trigger: async (c) => {
      await gqlData(w.t.url, ClosePortalSessionDocument, { id: c.target.id }, { token: w.owner.token });
      // Then one of the subscriber's own: whoever gets it first never got the owner's.
      return { targetEventId: c.target.id, sentinelEventId: await openPortalSession(c.token!) };
    },
    eventId: (d) => d.portalSessionEvents.session.id,
  }),

  // -- audit
  http({
    name: 'auditLog(filter: { userId })',
    domain: 'audit',
    cells: ADMIN_ONLY,
    target: async () => ({ id: w.owner.id }),
    document: AuditLogDocument,
    variables: (c) => ({ first: 50, filter: { userId: c.target.id } }),
    pick: (d) => d.auditLog.edges,
    // Only entries about the owner: what the owner did, or what was done to the owner or its sessions.
    ok: (edges: { node: { actorId: string | null; targetId: string | null; detail: unknown } }[], c) =>
      edges.some((e) => e.node.actorId === c.target.id) &&
      edges.every(
        (e) => e.node.actorId === c.target.id || e.node.targetId === c.target.id || (e.node.detail as { userId?: string } | null)?.userId === c.target.id,
      ),
  }),
];

// ---- running a cell ----------------------------------------------------------------------------------

function contextFor(actor: Actor, target: Target): CellContext {
  const account = actor === 'anonymous' ? undefined : actor === 'owner' ? w.owner : w[actor];
  const token = actor === 'anonymous' ? undefined : actor === 'owner' ? (target.ownerToken ?? w.owner.token) : account!.token;
  return { actor, token, account, target };
}

type GraphQLErrorShape = { message: string; extensions?: Record<string, unknown> };

/** `CODE/REASON` of a refusal, after checking it says what happened in a sentence. */
function refusal(error: GraphQLErrorShape): string {
  expect(error.message, JSON.stringify(error)).toMatch(/^[A-Z].{20,}\.$/);
  return `${String(error.extensions?.code)}/${String(error.extensions?.reason)}`;
}

async function observeHttp(row: HttpRow, c: CellContext): Promise<string> {
  const result = await row.run(c);
  const error = result.body.errors?.[0];
  if (error) {
    // Refused: nothing of the field came back.
    const data = result.body.data as Record<string, unknown> | null | undefined;
    expect(data ? Object.values(data)[0] : null).toBeNull();
    return refusal(error);
  }
  const value = row.pick(result.body.data as Record<string, unknown>);
  if (value === null || (Array.isArray(value) && value.length === 0)) return HIDDEN;
  return (await row.ok(value as never, c)) ? ALLOWED : `unexpected: ${JSON.stringify(value).slice(0, 300)}`;
}

/** Polls until `condition` holds or `stop()` says to give up; resolves whether it held. */
async function until(condition: () => boolean, stop: () => boolean, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (stop() || Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return true;
}

async function observeSubscription(row: SubscriptionRow, c: CellContext): Promise<string> {
  const [routingKey, id] = row.topic(c);
  const listeners = () => w.t.app.events.subscriberCount(routingKey, id);
  const before = listeners();
  const conn = connectWs(w.t.wsUrl, { token: c.token });
  const sub = conn.subscribe(row.document, row.variables(c));
  let settled = false;
  const firstMessage = Promise.race([
    sub.results.next(10_000, `the first message of ${row.name}`).then((r: ExecutionResult<unknown>) => ({ errors: r.errors as GraphQLErrorShape[] | undefined, data: r.data })),
    sub.errored.then((errors) => ({ errors: errors as GraphQLErrorShape[], data: undefined })),
  ]).finally(() => {
    settled = true;
  });
  // Either the subscription is refused at once, or it starts listening on its topic.
  const listening = await until(() => listeners() > before, () => settled);
  if (!listening) {
    const message = await firstMessage;
    expect(message.errors?.length, `${row.name}: neither listening nor refused`).toBeGreaterThan(0);
    return refusal(message.errors![0]);
  }
  const { targetEventId, sentinelEventId } = await row.trigger(c);
  const message = await firstMessage;
  // Leave no listener behind for the next cell, which counts listeners on the same topic.
  await conn.client.dispose();
  expect(await until(() => listeners() <= before, () => false), `${row.name}: listener still attached`).toBe(true);
  if (message.errors?.length) return refusal(message.errors[0]);
  const eventId = row.eventId(message.data as Record<string, unknown>);
  if (eventId === targetEventId) return ALLOWED;
  if (eventId === sentinelEventId) return HIDDEN;
  return `unexpected event about ${eventId}`;
}

// ---- the tests -----------------------------------------------------------------------------------------

describe('cross-user access matrix', () => {
  const sharedTargets = new Map<Row, Promise<Target>>();
  for (const row of ROWS) {
    describe(`${row.domain}: ${row.name}${row.about ? ` (${row.about})` : ''}`, () => {
      for (const actor of ACTORS) {
        const expected = row.cells[actor];
        if (expected === NA) continue;
        it(`${ACTOR_TITLES[actor]} → ${expected}`, async () => {
          let target: Target;
          if (row.fresh) target = await row.target();
          else {
            if (!sharedTargets.has(row)) sharedTargets.set(row, row.target());
            target = await sharedTargets.get(row)!;
          }
          const c = contextFor(actor, target);
          const observed = row.kind === 'http' ? await observeHttp(row, c) : await observeSubscription(row, c);
          expect(observed).toBe(expected);
          if (row.kind === 'http' && expected !== ALLOWED && row.unchanged) await row.unchanged(target);
        });
      }
    });
  }
});

// ---- the README copy -------------------------------------------------------------------------------------

const SHORT: Record<Outcome, string> = {
  [ALLOWED]: '✅',
  [HIDDEN]: 'hidden',
  [NA]: '—',
  [MISSING_TOKEN]: '`MISSING_TOKEN`',
  [INVALID_CREDENTIALS]: '`INVALID_CREDENTIALS`',
  [ACCOUNT_PENDING]: '`ACCOUNT_PENDING`',
  [NOT_ADMIN]: '`NOT_ADMIN`',
  [NOT_OWNER]: '`NOT_OWNER`',
  [SESSION_NOT_FOUND]: '`SESSION_NOT_FOUND`',
};

/** The matrix as the Markdown table in README.md. */
export function accessMatrixMarkdown(): string {
  const header = `| Operation | ${ACTORS.map((a) => ACTOR_TITLES[a]).join(' | ')} |`;
  const rule = `|---|${ACTORS.map(() => '---').join('|')}|`;
  const lines = ROWS.map((row) => `| \`${row.name}\`${row.about ? ` (${row.about})` : ''} | ${ACTORS.map((a) => SHORT[row.cells[a]]).join(' | ')} |`);
  return [header, rule, ...lines].join('\n');
}

describe('README', () => {
  it('shows the same matrix as this test', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
    const block = /<!-- access-matrix:start -->\n([\s\S]*?)\n<!-- access-matrix:end -->/.exec(readme)?.[1];
    const expected = accessMatrixMarkdown();
    expect(block, `README.md needs this between <!-- access-matrix:start --> and <!-- access-matrix:end -->:\n${expected}\n`).toBe(expected);
  });
});
