import { describe, expect, it } from 'vitest';
import {
  AccountStatusChangedDocument,
  ApproveUserDocument,
  CreateJobDocument,
  JobEventsDocument,
  JobEventsWithEmployerDocument,
  SetUserRoleDocument,
  type JobInput,
} from '../generated/graphql.js';
import { adminToken, connectWs, gqlData, onCleanup, signUpAccount, startTestApp } from '../utils/app.js';
import { waitFor } from '../utils/queue.js';

const JOB: JobInput = {
  title: 'Lighting technician',
  description: 'Rig and focus the lights for a summer festival.',
  location: 'Vienna',
  employmentType: 'CONTRACT',
};


/** An approved employer, the admin's token, and a way to post a job as that employer. */
async function jobBoard(url: string) {
  const admin = await adminToken(url);
  const employer = await signUpAccount(url, 'hiring@festival.test', 'EMPLOYER');
  await gqlData(url, ApproveUserDocument, { id: employer.id }, { token: admin });
  const post = async () => (await gqlData(url, CreateJobDocument, { input: JOB }, { token: employer.token })).createJob.id;
  return { admin, employer, post };
}

describe('subscription results shared between graphql-ws subscribers', () => {
  it('executes a payload that does not depend on the viewer once per event, and every subscriber gets it', async () => {
    const { url, wsUrl, app } = await startTestApp();
    const { post } = await jobBoard(url);
    const subscribers = await Promise.all(['a', 'b', 'c', 'd'].map((name) => signUpAccount(url, `${name}@festival.test`)));
    const subs = subscribers.map((s) => connectWs(wsUrl, { token: s.token }).subscribe(JobEventsDocument, {}));
    await waitFor(() => app.events.subscriberCount('jobs') === subscribers.length, 'the subscriptions');

    for (let round = 0; round < 2; round++) {
      const before = app.sharedResults.executions;
      const jobId = await post();
      for (const sub of subs) {
        expect((await sub.results.next()).data?.jobEvents).toEqual({ type: 'POSTED', job: { id: jobId, title: JOB.title, status: 'OPEN' } });
      }
      expect(app.sharedResults.executions - before).toBe(1);
    }
  });

  it('gives each subscriber its own result when the payload depends on who is watching', async () => {
    const { url, wsUrl, app } = await startTestApp();
    const { admin, employer, post } = await jobBoard(url);
    const other = await signUpAccount(url, 'other@festival.test');
    // The one who may not see the email subscribes first, so the first execution is theirs.
    const otherSub = connectWs(wsUrl, { token: other.token }).subscribe(JobEventsWithEmployerDocument);
    await waitFor(() => app.events.subscriberCount('jobs') === 1, 'the first subscription');
    const ownerSub = connectWs(wsUrl, { token: employer.token }).subscribe(JobEventsWithEmployerDocument);
    const adminSub = connectWs(wsUrl, { token: admin }).subscribe(JobEventsWithEmployerDocument);
    await waitFor(() => app.events.subscriberCount('jobs') === 3, 'the subscriptions');

    const before = app.sharedResults.executions;
    const jobId = await post();
    const seen = { type: 'POSTED', job: { id: jobId, employer: { id: employer.id, email: 'hiring@festival.test' } } };
    expect((await ownerSub.results.next()).data?.jobEvents).toEqual(seen);
    expect((await adminSub.results.next()).data?.jobEvents).toEqual(seen);
    const refused = await otherSub.results.next();
    expect(refused.data).toBeNull();
    expect(refused.errors?.map((e) => [e.path?.join('.'), e.extensions?.reason])).toEqual([['jobEvents.job.employer.email', 'NOT_OWNER']]);
    expect(app.sharedResults.executions - before).toBe(3);
  });

  it('resolves every event against the viewer as it is now, not as it was when the subscription started', async () => {
    const { url, wsUrl, app } = await startTestApp();
    const { admin, employer, post } = await jobBoard(url);
    const deputy = await signUpAccount(url, 'deputy@festival.test');
    await gqlData(url, ApproveUserDocument, { id: deputy.id }, { token: admin });
    await gqlData(url, SetUserRoleDocument, { id: deputy.id, role: 'ADMIN' }, { token: admin });
    const sub = connectWs(wsUrl, { token: deputy.token }).subscribe(JobEventsWithEmployerDocument);
    await waitFor(() => app.events.subscriberCount('jobs') === 1, 'the subscription');

    await post();
    expect((await sub.results.next()).data?.jobEvents.job.employer.email).toBe('hiring@festival.test');

    // Demoted while subscribed: the subscription (any signed-in user may keep it) stays, the email goes.
    await gqlData(url, SetUserRoleDocument, { id: deputy.id, role: 'MEMBER' }, { token: admin });
    await post();
    const after = await sub.results.next();
    expect(after.data).toBeNull();
    expect(after.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_OWNER' });
    expect(employer.id).toMatch(/^usr_/);
  });

  it('masks an internal error while delivering with the operation request id, logged once, and ends only that operation', async () => {
    const { url, wsUrl, app, logs } = await startTestApp();
    const user = await signUpAccount(url, 'fault@festival.test');
    const ws = connectWs(wsUrl, { token: user.token });
    const status = ws.subscribe(AccountStatusChangedDocument);
    expect((await status.results.next()).data?.accountStatusChanged.status).toBe('ACTIVE');
    // A real fault: re-authorizing the delivery reads a table that is gone (restored after the test).
    app.db.exec('ALTER TABLE sessions RENAME TO sessions_moved');
    onCleanup(() => {
      app.db.exec('ALTER TABLE sessions_moved RENAME TO sessions');
    });
    app.events.publish('user:status', user.id, { userId: user.id, status: 'ACTIVE', previousStatus: 'ACTIVE', role: 'MEMBER', reason: null, at: 0 });
    const failed = await status.results.next();
    const requestId = failed.errors?.[0].extensions?.requestId as string;
    expect(requestId).toMatch(/^req_[0-9a-f]{16}$/);
    expect(failed.errors?.map((e) => [e.message, e.extensions?.code])).toEqual([
      [`Something went wrong on our side. Try again; if it keeps happening, report request id ${requestId}.`, 'INTERNAL_SERVER_ERROR'],
    ]);
    await status.completed;
    const faultLines = logs.filter((l) => l.includes('no such table: sessions'));
    expect(faultLines).toHaveLength(1);
    expect(JSON.parse(faultLines[0])).toMatchObject({ level: 'error', requestId, msg: 'internal error' });
    expect(faultLines[0]).not.toContain(user.token);
  });
});
