import { describe, expect, it } from 'vitest';
import {
  AccountStatusChangedDocument,
  ApproveUserDocument,
  MeDocument,
  PendingApprovalsDocument,
  RefreshSessionDocument,
  RejectUserDocument,
  SessionEventsDocument,
  SetUserRoleDocument,
  SignInDocument,
  SignUpDocument,
  UsersDocument,
} from '../generated/graphql.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, connectWs, errorOf, gql, gqlData, startTestApp } from '../utils/app.js';
import { waitFor } from '../utils/queue.js';

async function signInAdmin(url: string) {
  const data = await gqlData(url, SignInDocument, { input: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
  if (data.signIn.__typename !== 'AuthPayload') throw new Error('admin sign-in hit the device limit');
  return data.signIn;
}

describe('approval over a live subscription', () => {
  it('pushes ACTIVE to a pending stage manager, and refreshSession then returns the ACTIVE user', async () => {
    const { url, wsUrl } = await startTestApp();
    const signUp = await gqlData(url, SignUpDocument, {
      input: { email: 'stage@example.test', password: 'stage-password-1', name: 'Stage Manager', role: 'STAGE_MANAGER' },
    });
    expect(signUp.signUp.user.status).toBe('PENDING');
    expect(signUp.signUp.user.role).toBe('STAGE_MANAGER');
    const token = signUp.signUp.token;
    expect(token).toMatch(/^gh_[A-Za-z0-9_-]{43}$/);

    // A pending user may read itself...
    const me = await gql(url, MeDocument, undefined, { token });
    expect(me.status).toBe(200);
    expect(me.body.data?.me.status).toBe('PENDING');
    // ...but admin-only and active-only operations refuse it with a typed reason.
    const users = await gql(url, UsersDocument, {}, { token });
    expect(errorOf(users)).toEqual({ code: 'FORBIDDEN', reason: 'NOT_ADMIN' });

    const ws = connectWs(wsUrl, { token });
    const status = ws.subscribe(AccountStatusChangedDocument);
    const first = await status.results.next(5000, 'initial account state');
    expect(first.data?.accountStatusChanged.status).toBe('PENDING');

    const admin = await signInAdmin(url);
    const approved = await gqlData(url, ApproveUserDocument, { id: signUp.signUp.user.id }, { token: admin.token });
    expect(approved.approveUser.status).toBe('ACTIVE');

    const pushed = await status.results.next(5000, 'approval push');
    expect(pushed.data?.accountStatusChanged).toMatchObject({ status: 'ACTIVE', previousStatus: 'PENDING', role: 'STAGE_MANAGER' });

    // The same token now sees ACTIVE without any 401/403 in between...
    const meAfter = await gql(url, MeDocument, undefined, { token });
    expect(meAfter.status).toBe(200);
    expect(meAfter.body.data?.me.status).toBe('ACTIVE');
    // ...and refreshSession rotates the token and returns the fresh user.
    const refreshed = await gqlData(url, RefreshSessionDocument, undefined, { token });
    expect(refreshed.refreshSession.user.status).toBe('ACTIVE');
    expect(refreshed.refreshSession.token).not.toBe(token);
    expect(refreshed.refreshSession.session.id).toBe(signUp.signUp.session.id);
    const meNew = await gqlData(url, MeDocument, undefined, { token: refreshed.refreshSession.token });
    expect(meNew.me.status).toBe('ACTIVE');
  });

  it('tells a rejected user why, then revokes the session and closes its socket with 4401', async () => {
    const { url, wsUrl } = await startTestApp();
    const signUp = await gqlData(url, SignUpDocument, {
      input: { email: 'employer@example.test', password: 'employer-password', name: 'Employer', role: 'EMPLOYER' },
    });
    const token = signUp.signUp.token;
    const ws = connectWs(wsUrl, { token });
    const status = ws.subscribe(AccountStatusChangedDocument);
    const sessions = ws.subscribe(SessionEventsDocument);
    await status.results.next(5000, 'initial state');
    // Arrival order across the two subscriptions: the reason must come before the session's end.
    const arrivals: string[] = [];
    for (const [name, results] of [['status', status.results], ['sessions', sessions.results]] as const) {
      const push = results.push.bind(results) as (value: never) => void;
      (results as { push: (value: never) => void }).push = (value) => {
        arrivals.push(name);
        push(value);
      };
    }

    const admin = await signInAdmin(url);
    await gqlData(url, RejectUserDocument, { id: signUp.signUp.user.id, reason: 'Unknown company' }, { token: admin.token });

    const rejected = await status.results.next(5000, 'rejection push');
    expect(rejected.data?.accountStatusChanged).toMatchObject({ status: 'REJECTED', reason: 'Unknown company' });
    const revoked = await sessions.results.next(5000, 'REVOKED notice');
    expect(revoked.data?.sessionEvents).toMatchObject({ type: 'REVOKED', reason: 'ACCOUNT_REJECTED', isCurrent: true });
    expect(await ws.closed).toEqual({ code: 4401, reason: 'SESSION_REVOKED:ACCOUNT_REJECTED' });
    expect(arrivals).toEqual(['status', 'sessions']);

    const after = await gql(url, MeDocument, undefined, { token });
    expect(after.status).toBe(401);
    expect(errorOf(after)).toEqual({ code: 'UNAUTHENTICATED', reason: 'SESSION_REVOKED' });
    const signInAgain = await gql(url, SignInDocument, { input: { email: 'employer@example.test', password: 'employer-password' } });
    expect(errorOf(signInAgain)).toEqual({ code: 'FORBIDDEN', reason: 'ACCOUNT_REJECTED' });
    expect(signInAgain.body.errors?.[0].message).toContain('Unknown company');
  });

  it('feeds admins the approval queue and stops feeding an admin who is demoted', async () => {
    const { url, wsUrl, app } = await startTestApp();
    const admin = await signInAdmin(url);
    // A second admin, promoted by the first.
    const second = await gqlData(url, SignUpDocument, {
      input: { email: 'second@example.test', password: 'second-password', name: 'Second' },
    });
    await gqlData(url, SetUserRoleDocument, { id: second.signUp.user.id, role: 'ADMIN' }, { token: admin.token });

    const watcher = connectWs(wsUrl, { token: second.signUp.token });
    const queue = watcher.subscribe(PendingApprovalsDocument);
    await waitFor(() => app.events.subscriberCount('admins') === 1, 'the pendingApprovals subscription');
    const pending = await gqlData(url, SignUpDocument, {
      input: { email: 'pending1@example.test', password: 'pending-password', name: 'P1', role: 'EMPLOYER' },
    });
    const requested = await queue.results.next(5000, 'REQUESTED');
    expect(requested.data?.pendingApprovals).toMatchObject({ type: 'REQUESTED', user: { id: pending.signUp.user.id, status: 'PENDING' } });

    await gqlData(url, SetUserRoleDocument, { id: second.signUp.user.id, role: 'MEMBER' }, { token: admin.token });
    await gqlData(url, SignUpDocument, {
      input: { email: 'pending2@example.test', password: 'pending-password', name: 'P2', role: 'EMPLOYER' },
    });
    const refused = await queue.results.next(5000, 'refusal after demotion');
    expect(refused.data).toBeNull();
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_ADMIN' });
    await queue.completed;
    expect(queue.results.pending).toHaveLength(0);

    // A non-admin cannot start it at all.
    const member = connectWs(wsUrl, { token: pending.signUp.token });
    const refusedAtStart = member.subscribe(PendingApprovalsDocument);
    const firstResult = await Promise.race([
      refusedAtStart.results.next(5000, 'refusal'),
      refusedAtStart.errored.then((e) => ({ errors: e as { extensions?: unknown }[] })),
    ]);
    expect(JSON.stringify(firstResult)).toContain('NOT_ADMIN');
  });
});
