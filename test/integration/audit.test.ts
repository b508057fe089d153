import { describe, expect, it } from 'vitest';
import {
  ApproveUserDocument,
  AuditLogDocument,
  ChangePasswordDocument,
  SetUserRoleDocument,
  SignInDocument,
  SignOutDocument,
  SignUpDocument,
} from '../generated/graphql.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, errorOf, gql, gqlData, startTestApp } from '../utils/app.js';

describe('auditLog', () => {
  it('records sign-ins, failures with IP, sign-outs, approvals, role and password changes; admins page and filter it', async () => {
    const { url } = await startTestApp();
    const adminSignIn = await gqlData(url, SignInDocument, { input: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
    if (adminSignIn.signIn.__typename !== 'AuthPayload') throw new Error('device limit');
    const admin = adminSignIn.signIn.token;
    const employer = await gqlData(url, SignUpDocument, { input: { email: 'audit@example.test', password: 'audit-password', name: 'A', role: 'EMPLOYER' } });
    const employerId = employer.signUp.user.id;
    const failed = await gql(url, SignInDocument, { input: { email: 'audit@example.test', password: 'wrong-password' } });
    expect(errorOf(failed)).toEqual({ code: 'UNAUTHENTICATED', reason: 'INVALID_CREDENTIALS' });
    await gqlData(url, ApproveUserDocument, { id: employerId }, { token: admin });
    await gqlData(url, SetUserRoleDocument, { id: employerId, role: 'STAGE_MANAGER' }, { token: admin });
    await gqlData(url, ChangePasswordDocument, { input: { currentPassword: 'audit-password', newPassword: 'audit-password-2' } }, { token: employer.signUp.token });
    await gqlData(url, SignOutDocument, undefined, { token: employer.signUp.token });

    const all = await gqlData(url, AuditLogDocument, { first: 50, filter: { userId: employerId } }, { token: admin });
    const actions = all.auditLog.edges.map((e) => e.node.action);
    expect(actions).toEqual([
      'user.signed_out',
      'user.password_changed',
      'user.role_changed',
      'user.approved',
      'user.sign_in_failed',
      'user.signed_up',
    ]);
    const failure = all.auditLog.edges.find((e) => e.node.action === 'user.sign_in_failed')!.node;
    expect(failure.ipAddress).toMatch(/127\.0\.0\.1/);
    expect(failure.targetId).toBe(employerId);
    const approval = all.auditLog.edges.find((e) => e.node.action === 'user.approved')!.node;
    expect(approval.actor?.email).toBe(ADMIN_EMAIL);
    expect(approval.detail).toEqual({ from: 'PENDING', to: 'ACTIVE', reason: null });
    expect(all.auditLog.edges.find((e) => e.node.action === 'user.role_changed')!.node.detail).toEqual({ from: 'EMPLOYER', to: 'STAGE_MANAGER' });
    expect(JSON.stringify(all)).not.toContain(employer.signUp.token);
    expect(JSON.stringify(all)).not.toContain('audit-password');

    // Filter by action and page through with cursors.
    const signIns = await gqlData(url, AuditLogDocument, { first: 1, filter: { action: 'user.signed_in' } }, { token: admin });
    expect(signIns.auditLog.edges).toHaveLength(1);
    expect(signIns.auditLog.pageInfo.hasNextPage).toBe(false);
    const page1 = await gqlData(url, AuditLogDocument, { first: 3 }, { token: admin });
    const page2 = await gqlData(url, AuditLogDocument, { first: 3, after: page1.auditLog.pageInfo.endCursor }, { token: admin });
    const ids = [...page1.auditLog.edges, ...page2.auditLog.edges].map((e) => Number(e.node.id));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(new Set(ids).size).toBe(6);

    const refused = await gql(url, AuditLogDocument, {}, { token: employer.signUp.token });
    expect(refused.status).toBe(401); // signed out above: the token is revoked
    const member = await gqlData(url, SignUpDocument, { input: { email: 'm@example.test', password: 'member-password', name: 'M' } });
    expect(errorOf(await gql(url, AuditLogDocument, {}, { token: member.signUp.token }))).toEqual({ code: 'FORBIDDEN', reason: 'NOT_ADMIN' });
  });
});
