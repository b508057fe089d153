import { describe, expect, it } from 'vitest';
import {
  AccountStatusChangedDocument,
  ApproveUserDocument,
  CloseJobDocument,
  CreateDebugSessionDocument,
  CreateJobDocument,
  DeleteJobDocument,
  JobDocument,
  JobEventsDocument,
  JobsDocument,
  JobStatsDocument,
  MeDocument,
  MySessionsDocument,
  ReopenJobDocument,
  RevokeSessionDocument,
  SignInDocument,
  SignOutDocument,
  SignUpDocument,
  SuspendUserDocument,
  UpdateJobDocument,
  type JobInput,
} from '../generated/graphql.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, connectWs, errorOf, gql, gqlData, startTestApp } from '../utils/app.js';
import { waitFor } from '../utils/queue.js';

const JOB: JobInput = {
  title: 'Stage carpenter',
  description: 'Build and strike scenery for a touring opera production.',
  location: 'Berlin',
  employmentType: 'FULL_TIME',
  salaryMin: 40000,
  salaryMax: 52000,
};

async function adminToken(url: string) {
  const data = await gqlData(url, SignInDocument, { input: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
  if (data.signIn.__typename !== 'AuthPayload') throw new Error('admin hit the device limit');
  return data.signIn.token;
}

async function signUp(url: string, email: string, role: 'MEMBER' | 'EMPLOYER' | 'STAGE_MANAGER' = 'EMPLOYER') {
  const data = await gqlData(url, SignUpDocument, { input: { email, password: 'a-good-password', name: email.split('@')[0], role } });
  return { token: data.signUp.token, id: data.signUp.user.id, user: data.signUp.user };
}

describe('job board', () => {
  it('the employer story: pending refusal, live approval, posting with the same session, live POSTED, search', async () => {
    const { url, wsUrl, app } = await startTestApp();
    const employer = await signUp(url, 'hiring@opera.test');
    expect(employer.user).toMatchObject({ status: 'PENDING', canPostJobs: false });

    const refused = await gql(url, CreateJobDocument, { input: JOB }, { token: employer.token });
    expect(errorOf(refused)).toEqual({ code: 'FORBIDDEN', reason: 'ACCOUNT_PENDING' });
    expect(refused.body.errors?.[0].message).toBe(
      'Your employer account is awaiting approval; you can post jobs once an admin approves it.',
    );
    expect((await gqlData(url, JobsDocument, {})).jobs.edges).toHaveLength(0);

    const employerWs = connectWs(wsUrl, { token: employer.token });
    const status = employerWs.subscribe(AccountStatusChangedDocument);
    expect((await status.results.next()).data?.accountStatusChanged.status).toBe('PENDING');

    const admin = await adminToken(url);
    const watcher = connectWs(wsUrl, { token: admin });
    const jobEvents = watcher.subscribe(JobEventsDocument, {});
    await waitFor(() => app.events.subscriberCount('jobs') === 1, 'the jobEvents subscription');
    await gqlData(url, ApproveUserDocument, { id: employer.id }, { token: admin });
    expect((await status.results.next()).data?.accountStatusChanged.status).toBe('ACTIVE');
    expect((await gqlData(url, MeDocument, undefined, { token: employer.token })).me.canPostJobs).toBe(true);

    const created = await gqlData(url, CreateJobDocument, { input: JOB }, { token: employer.token });
    expect(created.createJob).toMatchObject({ title: 'Stage carpenter', status: 'OPEN', employer: { id: employer.id } });
    const posted = await jobEvents.results.next(5000, 'POSTED');
    expect(posted.data?.jobEvents).toEqual({ type: 'POSTED', job: { id: created.createJob.id, title: 'Stage carpenter', status: 'OPEN' } });

    // Anyone, signed in or not, finds it by a word from its description.
    const found = await gqlData(url, JobsDocument, { filter: { search: 'scenery' } });
    expect(found.jobs.edges.map((e) => e.node.id)).toEqual([created.createJob.id]);
    expect((await gqlData(url, JobsDocument, { filter: { search: 'violin' } })).jobs.edges).toHaveLength(0);
  });

  it('posting still works with the same token after a server restart', async () => {
    const first = await startTestApp();
    const admin = await adminToken(first.url);
    const employer = await signUp(first.url, 'restart@opera.test');
    await gqlData(first.url, ApproveUserDocument, { id: employer.id }, { token: admin });
    const second = await first.restart();
    const created = await gqlData(second.url, CreateJobDocument, { input: JOB }, { token: employer.token });
    expect(created.createJob.employer.id).toBe(employer.id);
  });

  it('only the employer or an admin may change a job', async () => {
    const { url } = await startTestApp();
    const admin = await adminToken(url);
    const a = await signUp(url, 'a@opera.test');
    const b = await signUp(url, 'b@opera.test');
    await gqlData(url, ApproveUserDocument, { id: a.id }, { token: admin });
    await gqlData(url, ApproveUserDocument, { id: b.id }, { token: admin });
    const job = (await gqlData(url, CreateJobDocument, { input: JOB }, { token: a.token })).createJob;

    for (const attempt of [
      gql(url, UpdateJobDocument, { id: job.id, input: { ...JOB, title: 'Hijacked' } }, { token: b.token }),
      gql(url, DeleteJobDocument, { id: job.id }, { token: b.token }),
      gql(url, CloseJobDocument, { id: job.id }, { token: b.token }),
    ]) {
      expect(errorOf(await attempt)).toEqual({ code: 'FORBIDDEN', reason: 'NOT_OWNER' });
    }
    expect((await gqlData(url, JobDocument, { id: job.id })).job).toMatchObject({ title: 'Stage carpenter', status: 'OPEN' });

    // The owner can, and so can an admin.
    const updated = await gqlData(url, UpdateJobDocument, { id: job.id, input: { ...JOB, title: 'Head carpenter' } }, { token: a.token });
    expect(updated.updateJob.title).toBe('Head carpenter');
    expect((await gqlData(url, CloseJobDocument, { id: job.id }, { token: admin })).closeJob.status).toBe('CLOSED');
    // A closed job is hidden from the public but not from its employer.
    expect((await gqlData(url, JobDocument, { id: job.id })).job).toBeNull();
    expect((await gqlData(url, JobDocument, { id: job.id }, { token: a.token })).job?.status).toBe('CLOSED');
    expect((await gqlData(url, ReopenJobDocument, { id: job.id }, { token: a.token })).reopenJob.status).toBe('OPEN');
    expect((await gqlData(url, DeleteJobDocument, { id: job.id }, { token: a.token })).deleteJob).toBe(true);
    expect(errorOf(await gql(url, DeleteJobDocument, { id: job.id }, { token: a.token }))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('rejects invalid input per field and stores nothing', async () => {
    const { url, app } = await startTestApp({ DEV_MODE: 'true' });
    const member = await signUp(url, 'member@opera.test', 'MEMBER');
    const bad = await gql(
      url,
      CreateJobDocument,
      { input: { ...JOB, title: '   ', salaryMin: 90000, salaryMax: 50000, location: 'x'.repeat(500) } },
      { token: member.token },
    );
    expect(errorOf(bad).code).toBe('BAD_USER_INPUT');
    const fields = (bad.body.errors?.[0].extensions?.fields as { path: string }[]).map((f) => f.path).sort();
    expect(fields).toEqual(['input.location', 'input.salaryMin', 'input.title']);
    const salary = await gql(url, CreateJobDocument, { input: { ...JOB, salaryMin: 90000, salaryMax: 50000 } }, { token: member.token });
    expect(salary.body.errors?.[0].extensions?.fields).toEqual([{ path: 'input.salaryMin', message: 'must not be greater than salaryMax' }]);
    expect(app.db.prepare('SELECT count(*) FROM jobs').pluck().get()).toBe(0);
  });

  it('loads the employers of a page of jobs with one batched query', async () => {
    const statements: string[] = [];
    const { url } = await startTestApp({ DEV_MODE: 'true' }, { sqlTrace: (sql) => statements.push(sql) });
    for (const name of ['e1', 'e2', 'e3', 'e4']) {
      const employer = await signUp(url, `${name}@opera.test`, 'MEMBER');
      await gqlData(url, CreateJobDocument, { input: { ...JOB, title: `Job by ${name}` } }, { token: employer.token });
      await gqlData(url, CreateJobDocument, { input: { ...JOB, title: `Second job by ${name}` } }, { token: employer.token });
    }
    statements.length = 0;
    const page = await gqlData(url, JobsDocument, { first: 8 });
    expect(page.jobs.edges).toHaveLength(8);
    expect(new Set(page.jobs.edges.map((e) => e.node.employer.id)).size).toBe(4);
    const userQueries = statements.filter((sql) => /FROM users/i.test(sql));
    expect(userQueries).toHaveLength(1);
    expect(userQueries[0].match(/'usr_[^']+'/g)).toHaveLength(4);
  });

  it('pages through results and ranks search hits', async () => {
    const { url } = await startTestApp({ DEV_MODE: 'true' });
    const employer = await signUp(url, 'pager@opera.test', 'MEMBER');
    for (let i = 0; i < 5; i++) {
      await gqlData(url, CreateJobDocument, { input: { ...JOB, title: `Usher ${i}`, description: 'Front of house.' } }, { token: employer.token });
    }
    await gqlData(url, CreateJobDocument, { input: { ...JOB, title: 'Lighting designer', description: 'Design lighting; usher training a plus.' } }, { token: employer.token });
    const seen: string[] = [];
    let after: string | null | undefined;
    for (;;) {
      const page = await gqlData(url, JobsDocument, { first: 4, after });
      seen.push(...page.jobs.edges.map((e) => e.node.title));
      if (!page.jobs.pageInfo.hasNextPage) break;
      after = page.jobs.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(6);
    expect(new Set(seen).size).toBe(6);
    const hits = await gqlData(url, JobsDocument, { filter: { search: 'usher' } });
    // A title match outranks a description match.
    expect(hits.jobs.edges).toHaveLength(6);
    expect(hits.jobs.edges.at(-1)?.node.title).toBe('Lighting designer');
    // Search text is never FTS syntax.
    const odd = await gql(url, JobsDocument, { filter: { search: '"unbalanced NEAR( title:' } });
    expect(odd.body.errors).toBeUndefined();
  });

  it('stops job events for a subscriber who signs out or is suspended', async () => {
    const { url, wsUrl, app } = await startTestApp({ DEV_MODE: 'true' });
    const admin = await adminToken(url);
    const poster = await signUp(url, 'poster@opera.test', 'MEMBER');
    const reader = await signUp(url, 'reader@opera.test', 'MEMBER');
    const quitter = await signUp(url, 'quitter@opera.test', 'MEMBER');

    const readerEvents = connectWs(wsUrl, { token: reader.token }).subscribe(JobEventsDocument, { filter: { employerId: poster.id } });
    const quitterConnection = connectWs(wsUrl, { token: quitter.token });
    const quitterEvents = quitterConnection.subscribe(JobEventsDocument, {});
    await waitFor(() => app.events.subscriberCount('jobs') === 1 && app.events.subscriberCount('jobs:employer', poster.id) === 1, 'both subscriptions');
    const job = (await gqlData(url, CreateJobDocument, { input: JOB }, { token: poster.token })).createJob;
    expect((await readerEvents.results.next()).data?.jobEvents.type).toBe('POSTED');
    expect((await quitterEvents.results.next()).data?.jobEvents.type).toBe('POSTED');

    await gqlData(url, SignOutDocument, undefined, { token: quitter.token });
    expect(await quitterConnection.closed).toEqual({ code: 4401, reason: 'SESSION_REVOKED:SIGNED_OUT' });
    await gqlData(url, SuspendUserDocument, { id: reader.id, reason: 'spam' }, { token: admin });
    await gqlData(url, CloseJobDocument, { id: job.id }, { token: poster.token });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(readerEvents.results.pending).toHaveLength(0);
    expect(quitterEvents.results.pending).toHaveLength(0);
  });
});

describe('job events', () => {
  it('are re-authorized for all their subscribers with one batched session+user read per event, still refusing a revoked one', async () => {
    const statements: string[] = [];
    const { url, wsUrl, app, clock } = await startTestApp({ DEV_MODE: 'true' }, { sqlTrace: (sql) => statements.push(sql) });
    const poster = await signUp(url, 'batch-poster@opera.test', 'MEMBER');
    const readers = [];
    for (let i = 0; i < 4; i++) readers.push(await signUp(url, `batch-reader-${i}@opera.test`, 'MEMBER'));
    const subs = readers.map((r) => connectWs(wsUrl, { token: r.token }).subscribe(JobEventsDocument, {}));
    // Two subscriptions of one session on one socket share its read too.
    const twice = connectWs(wsUrl, { token: readers[0].token });
    subs.push(twice.subscribe(JobEventsDocument, {}), twice.subscribe(JobEventsDocument, { filter: { location: 'berlin' } }));
    await waitFor(() => app.events.subscriberCount('jobs') === 6, 'six subscriptions');
    // Revoked behind this server's back (as another process would, before its event is relayed here),
    // a second before the job is posted: its delivery must be refused, not served from any copy.
    const revokedSession = app.db.prepare('SELECT id FROM sessions WHERE user_id = ?').pluck().get(readers[3].id) as string;
    app.db
      .prepare(`UPDATE sessions SET revoked_at = ?, revoked_reason = 'REVOKED_BY_ADMIN' WHERE id = ?`)
      .run(Math.floor(clock.now() / 1000) - 1, revokedSession);

    statements.length = 0;
    await gqlData(url, CreateJobDocument, { input: JOB }, { token: poster.token });
    for (const sub of [subs[0], subs[1], subs[2], subs[4], subs[5]]) {
      expect((await sub.results.next()).data?.jobEvents.type).toBe('POSTED');
    }
    const refused = await subs[3].results.next();
    expect(refused.data?.jobEvents ?? null).toBeNull();
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'SESSION_REVOKED' });

    const batched = statements.filter((sql) => /json_each/i.test(sql));
    expect(batched).toHaveLength(1);
    // The trace shortens long bound values ('…'/*+N bytes*/): the JSON array of the four readers' session ids.
    const sessionIds = readers.map((r) => app.db.prepare('SELECT id FROM sessions WHERE user_id = ?').pluck().get(r.id) as string);
    const bound = /json_each\('([^']*)'(?:\/\*\+(\d+) bytes\*\/)?\)/.exec(batched[0]);
    expect(bound).not.toBeNull();
    expect(bound![1].length + Number(bound![2] ?? 0)).toBe(JSON.stringify(sessionIds).length);
    if (!bound![2]) expect(new Set(JSON.parse(bound![1]))).toEqual(new Set(sessionIds));
    // No per-delivery point reads of sessions or users.
    expect(statements.filter((sql) => /FROM (sessions|users) WHERE id = /i.test(sql))).toHaveLength(0);
  });

  it('drop their listener as soon as the client unsubscribes, with no event needed', async () => {
    const { url, wsUrl, app } = await startTestApp();
    const member = await signUp(url, 'listener@opera.test', 'MEMBER');
    const ws = connectWs(wsUrl, { token: member.token });
    const sub = ws.subscribe(JobEventsDocument, {});
    await waitFor(() => app.events.subscriberCount('jobs') === 1, 'the subscription');
    sub.dispose();
    await waitFor(() => app.events.subscriberCount('jobs') === 0, 'the listener to go');
    await ws.client.dispose();
    await waitFor(() => app.sockets.socketCount === 0 && app.events.subscriberCount('session', member.id) === 0, 'the socket to be forgotten');
  });

  it('about a job others may not see reach only those who may, except the notice that it closed', async () => {
    const { url, wsUrl, app } = await startTestApp({ DEV_MODE: 'true' });
    const owner = await signUp(url, 'owner@opera.test', 'MEMBER');
    const other = await signUp(url, 'other@opera.test', 'MEMBER');
    const ownerEvents = connectWs(wsUrl, { token: owner.token }).subscribe(JobEventsDocument, {});
    const otherEvents = connectWs(wsUrl, { token: other.token }).subscribe(JobEventsDocument, {});
    await waitFor(() => app.events.subscriberCount('jobs') === 2, 'both subscriptions');
    const job = (await gqlData(url, CreateJobDocument, { input: JOB }, { token: owner.token })).createJob;
    await gqlData(url, CloseJobDocument, { id: job.id }, { token: owner.token });
    await gqlData(url, UpdateJobDocument, { id: job.id, input: { ...JOB, title: 'Secret revision' } }, { token: owner.token });
    await gqlData(url, DeleteJobDocument, { id: job.id }, { token: owner.token });
    const types = async (sub: typeof ownerEvents, n: number) => {
      const seen: string[] = [];
      for (let i = 0; i < n; i++) seen.push((await sub.results.next()).data!.jobEvents.type);
      return seen;
    };
    expect(await types(ownerEvents, 4)).toEqual(['POSTED', 'CLOSED', 'UPDATED', 'DELETED']);
    expect(await types(otherEvents, 2)).toEqual(['POSTED', 'CLOSED']);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(otherEvents.results.pending).toHaveLength(0);
  });
});

describe('dev mode', () => {
  it('off: members cannot post and debug sessions are refused', async () => {
    const { url } = await startTestApp();
    const admin = await adminToken(url);
    const member = await signUp(url, 'm@opera.test', 'MEMBER');
    expect(member.user.canPostJobs).toBe(false);
    expect(errorOf(await gql(url, CreateJobDocument, { input: JOB }, { token: member.token }))).toEqual({ code: 'FORBIDDEN', reason: 'CANNOT_POST_JOBS' });
    expect(errorOf(await gql(url, CreateDebugSessionDocument, { userId: member.id }, { token: admin }))).toEqual({ code: 'FORBIDDEN', reason: 'DEV_MODE_ONLY' });
  });

  it('on: any active member posts; admins open audited DEBUG sessions that show up and can be revoked', async () => {
    const { url, app, logs } = await startTestApp({ DEV_MODE: 'true' });
    expect(logs.some((line) => line.includes('DEV_MODE is on'))).toBe(true);
    const admin = await adminToken(url);
    const member = await signUp(url, 'dev@opera.test', 'MEMBER');
    expect(member.user.canPostJobs).toBe(true);
    expect((await gqlData(url, CreateJobDocument, { input: JOB }, { token: member.token })).createJob.status).toBe('OPEN');

    const debug = await gqlData(url, CreateDebugSessionDocument, { userId: member.id, ttlMinutes: 15 }, { token: admin });
    const debugSession = debug.createDebugSession.session;
    expect(debugSession.kind).toBe('DEBUG');
    expect(Date.parse(debugSession.expiresAt) - Date.parse(debugSession.createdAt)).toBe(15 * 60 * 1000);
    expect((await gqlData(url, MeDocument, undefined, { token: debug.createDebugSession.token })).me.id).toBe(member.id);
    const mine = await gqlData(url, MySessionsDocument, undefined, { token: member.token });
    expect(mine.mySessions.map((s) => s.kind).sort()).toEqual(['DEBUG', 'STANDARD']);
    const audit = app.db.prepare("SELECT actor_id, target_id FROM audit_events WHERE action = 'session.debug_created'").all();
    expect(audit).toEqual([{ actor_id: expect.stringMatching(/^usr_/), target_id: debugSession.id }]);
    await gqlData(url, RevokeSessionDocument, { id: debugSession.id }, { token: member.token });
    expect((await gql(url, MeDocument, undefined, { token: debug.createDebugSession.token })).status).toBe(401);
    // Out-of-range TTLs are refused per field.
    const bad = await gql(url, CreateDebugSessionDocument, { userId: member.id, ttlMinutes: 0 }, { token: admin });
    expect(bad.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ path: 'ttlMinutes', message: 'must be between 1 and 1440' }] });
  });
});

describe('stats', () => {
  it('match a known fixture', async () => {
    const { url, clock } = await startTestApp({ DEV_MODE: 'true' });
    const admin = await adminToken(url); // session 1 (WEB)
    const pending = await signUp(url, 'p@opera.test', 'EMPLOYER'); // session 2, PENDING
    const member = await signUp(url, 'member@opera.test', 'MEMBER'); // session 3
    const suspended = await signUp(url, 's@opera.test', 'MEMBER'); // session 4, revoked by suspension
    await gqlData(url, SuspendUserDocument, { id: suspended.id }, { token: admin });
    const old = await gqlData(url, CreateJobDocument, { input: JOB }, { token: member.token });
    await gqlData(url, CloseJobDocument, { id: old.createJob.id }, { token: member.token });
    clock.advance(8 * 86400); // the first job is now older than 7 days; sessions are older than 24h
    const fresh = await signUp(url, 'fresh@opera.test', 'MEMBER'); // session 5
    await gqlData(url, CreateJobDocument, { input: JOB }, { token: fresh.token });
    await gqlData(url, CreateJobDocument, { input: JOB }, { token: fresh.token });
    void pending;
    // The first admin session idled out during the 8 days; sign in again (session 6).
    expect((await gql(url, MeDocument, undefined, { token: admin })).status).toBe(401);
    const admin2 = await adminToken(url);

    const stats = (await gqlData(url, JobStatsDocument, undefined, { token: admin2 })).stats;
    expect(stats.users).toEqual({
      total: 5,
      pending: 1,
      active: 3,
      rejected: 0,
      suspended: 1,
      byRole: [
        { role: 'ADMIN', count: 1 },
        { role: 'EMPLOYER', count: 1 },
        { role: 'MEMBER', count: 3 },
      ],
    });
    expect(stats.jobs).toEqual({ total: 3, open: 2, closed: 1, postedLast7d: 2 });
    // Only the two sessions created after the 8 days are live; the rest idled out; the suspension was 8 days ago.
    expect(stats.sessions).toEqual({
      active: 2,
      createdLast24h: 2,
      revokedLast24h: 0, // the first admin session expired on sight just now: an expiry is not a revocation
      byDeviceType: [{ deviceType: 'WEB', count: 2 }],
    });
  });
});
