import { describe, expect, it, vi } from 'vitest';
import {
  AccountStatusChangedDocument,
  ApproveUserDocument,
  ChangePasswordDocument,
  CreateDebugSessionDocument,
  MeDocument,
  MySessionsDocument,
  ReactivateUserDocument,
  RejectUserDocument,
  RevokeAllSessionsDocument,
  RevokeOtherSessionsDocument,
  RevokeSessionDocument,
  SessionEventsDocument,
  SetUserRoleDocument,
  SignInDocument,
  SignOutDocument,
  SignUpDocument,
  StatsDocument,
  SuspendUserDocument,
  UserDocument,
  UserSessionsDocument,
  UsersDocument,
  type RevokedReason,
  type SessionEventsSubscription,
  type SignInMutation,
} from '../generated/graphql.js';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  connectWs,
  errorOf,
  gql,
  gqlData,
  startTestApp,
  recordOrder,
  type Subscription,
  type TestApp,
  type WsConnection,
} from '../utils/app.js';

const PASSWORD = 'original-password-1';
const NEW_PASSWORD = 'brand-new-password-2';

type AuthPayload = Extract<SignInMutation['signIn'], { __typename: 'AuthPayload' }>;
interface Device {
  token: string;
  id: string;
}

/** Live listener count of a topic on the server, so a test can wait until a subscription really listens. */
function trackTopics(t: TestApp) {
  return (topic: 'user:sessions', id: string) => t.app.events.subscriberCount(topic, id);
}
type TopicCounter = ReturnType<typeof trackTopics>;

async function signInOk(url: string, email: string, password: string, deviceName: string): Promise<AuthPayload> {
  const result = await gql(url, SignInDocument, { input: { email, password, device: { name: deviceName } } });
  expect(result.body.errors).toBeUndefined();
  const payload = result.body.data!.signIn;
  if (payload.__typename !== 'AuthPayload') throw new Error(`expected AuthPayload, got ${payload.__typename}`);
  return payload;
}

/** An admin, Alice with `aliceDevices` devices (a1 is her sign-up session) and Bob with one. */
async function world(options: { env?: Record<string, string>; aliceDevices?: number; sqlTrace?: (sql: string) => void } = {}) {
  const t = await startTestApp(options.env, { sqlTrace: options.sqlTrace });
  const count = trackTopics(t);
  const adminPayload = await signInOk(t.url, ADMIN_EMAIL, ADMIN_PASSWORD, 'Admin Console');
  const admin = { token: adminPayload.token, id: adminPayload.session.id, userId: adminPayload.user.id };

  const aliceUp = await gqlData(t.url, SignUpDocument, {
    input: { email: 'alice@example.test', password: PASSWORD, name: 'Alice', device: { name: 'Alice Laptop' } },
  });
  const alice = { id: aliceUp.signUp.user.id, email: 'alice@example.test' };
  const a: Device[] = [{ token: aliceUp.signUp.token, id: aliceUp.signUp.session.id }];
  const names = ['Alice Phone', 'Alice Tablet'];
  for (let i = 1; i < (options.aliceDevices ?? 3); i++) {
    const p = await signInOk(t.url, alice.email, PASSWORD, names[i - 1]);
    a.push({ token: p.token, id: p.session.id });
  }

  const bobUp = await gqlData(t.url, SignUpDocument, {
    input: { email: 'bob@example.test', password: PASSWORD, name: 'Bob', device: { name: 'Bob Laptop' } },
  });
  const bob = { id: bobUp.signUp.user.id, email: 'bob@example.test' };
  const b1: Device = { token: bobUp.signUp.token, id: bobUp.signUp.session.id };
  return { t, url: t.url, count, admin, alice, a, bob, b1 };
}

interface Watcher {
  conn: WsConnection;
  sub: Subscription<SessionEventsSubscription>;
  /** SessionEvents types as they arrived, and `closed:<code>:<reason>` when the socket closed. */
  order: string[];
}

/** A graphql-ws connection authenticated with `device`'s token, subscribed to its user's SessionEvents. */
async function watch(t: TestApp, count: TopicCounter, device: Device, userId: string): Promise<Watcher> {
  const conn = connectWs(t.wsUrl, { token: device.token });
  const before = count('user:sessions', userId);
  const sub = conn.subscribe(SessionEventsDocument, {});
  const order = recordOrder(conn, sub, 'sessionEvents');
  await vi.waitFor(() => expect(count('user:sessions', userId)).toBeGreaterThan(before), { timeout: 5000, interval: 5 });
  return { conn, sub, order };
}

/**
 * The watched session itself was ended: REVOKED with the reason (isCurrent) first, then close 4401
 * 'SESSION_REVOKED:<reason>'. When several sessions of the user end together, REVOKED notices about
 * the sibling sessions in `siblingIds` (isCurrent false, same reason) may come before its own.
 */
async function expectEndedLive(w: Watcher, sessionId: string, reason: RevokedReason, siblingIds: string[] = []) {
  let event = await w.sub.results.next(5000, `REVOKED ${reason}`);
  let siblingsFirst = 0;
  while (event.data?.sessionEvents.session.id !== sessionId && siblingsFirst < siblingIds.length) {
    expect(event.data?.sessionEvents).toMatchObject({ type: 'REVOKED', reason, isCurrent: false });
    expect(siblingIds).toContain(event.data?.sessionEvents.session.id);
    siblingsFirst += 1;
    event = await w.sub.results.next(5000, `REVOKED ${reason}`);
  }
  expect(event.errors).toBeUndefined();
  expect(event.data?.sessionEvents).toMatchObject({
    type: 'REVOKED',
    reason,
    isCurrent: true,
    session: { id: sessionId, revokedReason: reason },
  });
  expect(await w.conn.closed).toEqual({ code: 4401, reason: `SESSION_REVOKED:${reason}` });
  // Its own notice is the last thing before the close; nothing follows it.
  expect(w.order).toEqual([...Array(siblingsFirst + 1).fill('REVOKED'), `closed:4401:SESSION_REVOKED:${reason}`]);
}

/** The watcher (another device of the same user) saw `sessionId` revoked for `reason`. */
async function expectSawOtherRevoked(w: Watcher, sessionIds: string[], reason: RevokedReason) {
  const seen: string[] = [];
  for (let i = 0; i < sessionIds.length; i++) {
    const event = await w.sub.results.next(5000, `REVOKED ${reason} of another device`);
    expect(event.data?.sessionEvents).toMatchObject({ type: 'REVOKED', reason, isCurrent: false, session: { revokedReason: reason } });
    seen.push(event.data!.sessionEvents.session.id);
  }
  expect(new Set(seen)).toEqual(new Set(sessionIds));
}

/** The socket stays open and can still run a new subscription and receive its event. */
async function expectStillUsable(w: Watcher, status = 'ACTIVE') {
  const state = await Promise.race([
    w.conn.closed.then((c) => `closed ${c.code} ${c.reason}`),
    new Promise<string>((resolve) => setTimeout(() => resolve('open'), 50)),
  ]);
  expect(state).toBe('open');
  const sub = w.conn.subscribe(AccountStatusChangedDocument);
  const first = await sub.results.next(5000, 'account state on a socket that must stay open');
  expect(first.errors).toBeUndefined();
  expect(first.data?.accountStatusChanged.status).toBe(status);
  sub.dispose();
  expect(w.order.some((entry) => entry.startsWith('closed'))).toBe(false);
}

/** The token now answers HTTP 401 with WWW-Authenticate and UNAUTHENTICATED/SESSION_REVOKED. */
async function expectToken401(url: string, token: string) {
  const me = await gql(url, MeDocument, undefined, { token });
  expect(me.status).toBe(401);
  expect(me.headers.get('www-authenticate')).toContain('invalid_token');
  expect(errorOf(me)).toEqual({ code: 'UNAUTHENTICATED', reason: 'SESSION_REVOKED' });
}

async function expectTokenWorks(url: string, token: string, userId: string) {
  const me = await gql(url, MeDocument, undefined, { token });
  expect(me.status).toBe(200);
  expect(me.body.errors).toBeUndefined();
  expect(me.body.data?.me.id).toBe(userId);
}

function revokedReasonOf(t: TestApp, sessionId: string): string | null {
  const row = t.app.db.prepare('select revoked_at, revoked_reason from sessions where id = ?').get(sessionId) as {
    revoked_at: number | null;
    revoked_reason: string | null;
  };
  if (row.revoked_reason !== null) expect(row.revoked_at).not.toBeNull();
  return row.revoked_reason;
}

describe('every revoke path ends the right session with the right reason, live', () => {
  it('signOut: ends only the current session (SIGNED_OUT) and closes only its socket', async () => {
    const { t, url, count, alice, a, bob, b1 } = await world({ aliceDevices: 2 });
    const w1 = await watch(t, count, a[0], alice.id);
    const w2 = await watch(t, count, a[1], alice.id);
    const wb = await watch(t, count, b1, bob.id);

    expect(await gqlData(url, SignOutDocument, undefined, { token: a[0].token })).toEqual({ signOut: true });

    await expectEndedLive(w1, a[0].id, 'SIGNED_OUT');
    await expectSawOtherRevoked(w2, [a[0].id], 'SIGNED_OUT');
    await expectStillUsable(w2);
    await expectStillUsable(wb);
    expect(wb.order).toEqual([]); // Bob hears nothing about Alice's sessions
    await expectToken401(url, a[0].token);
    await expectTokenWorks(url, a[1].token, alice.id);
    expect(revokedReasonOf(t, a[0].id)).toBe('SIGNED_OUT');
    expect(revokedReasonOf(t, a[1].id)).toBeNull();
  });

  it('revokeSession on an own other device: REVOKED_BY_USER for that device only', async () => {
    const { t, url, count, alice, a, bob, b1 } = await world();
    const w1 = await watch(t, count, a[0], alice.id);
    const w2 = await watch(t, count, a[1], alice.id);
    const wb = await watch(t, count, b1, bob.id);

    const revoked = await gqlData(url, RevokeSessionDocument, { id: a[1].id }, { token: a[0].token });
    expect(revoked.revokeSession).toMatchObject({
      id: a[1].id,
      deviceName: 'Alice Phone',
      revokedReason: 'REVOKED_BY_USER',
      isActive: false,
      isCurrent: false,
    });
    expect(revoked.revokeSession.revokedAt).not.toBeNull();

    await expectEndedLive(w2, a[1].id, 'REVOKED_BY_USER');
    await expectSawOtherRevoked(w1, [a[1].id], 'REVOKED_BY_USER');
    await expectStillUsable(w1);
    await expectStillUsable(wb);
    await expectToken401(url, a[1].token);
    await expectTokenWorks(url, a[0].token, alice.id);
    await expectTokenWorks(url, a[2].token, alice.id);
    expect(revokedReasonOf(t, a[1].id)).toBe('REVOKED_BY_USER');
    expect(revokedReasonOf(t, a[2].id)).toBeNull();
  });

  it('revokeOtherSessions: returns the count, ends the others (REVOKED_BY_USER), keeps the current one usable', async () => {
    const { t, url, count, alice, a, bob, b1 } = await world();
    const w1 = await watch(t, count, a[0], alice.id);
    const w2 = await watch(t, count, a[1], alice.id);
    const w3 = await watch(t, count, a[2], alice.id);
    const wb = await watch(t, count, b1, bob.id);

    expect(await gqlData(url, RevokeOtherSessionsDocument, undefined, { token: a[0].token })).toEqual({ revokeOtherSessions: 2 });

    await expectEndedLive(w2, a[1].id, 'REVOKED_BY_USER', [a[2].id]);
    await expectEndedLive(w3, a[2].id, 'REVOKED_BY_USER', [a[1].id]);
    await expectSawOtherRevoked(w1, [a[1].id, a[2].id], 'REVOKED_BY_USER');
    await expectStillUsable(w1);
    await expectStillUsable(wb);
    await expectToken401(url, a[1].token);
    await expectToken401(url, a[2].token);
    await expectTokenWorks(url, a[0].token, alice.id);
    const mine = await gqlData(url, MySessionsDocument, undefined, { token: a[0].token });
    expect(mine.mySessions.map((s) => [s.id, s.isCurrent])).toEqual([[a[0].id, true]]);
    await expectTokenWorks(url, b1.token, bob.id);
  });

  it('revokeAllSessions without userId: ends every session of the caller, current included (REVOKED_BY_USER)', async () => {
    const { t, url, count, admin, alice, a, bob, b1 } = await world();
    const w1 = await watch(t, count, a[0], alice.id);
    const w2 = await watch(t, count, a[1], alice.id);
    const wb = await watch(t, count, b1, bob.id);

    expect(await gqlData(url, RevokeAllSessionsDocument, {}, { token: a[0].token })).toEqual({ revokeAllSessions: 3 });

    await expectEndedLive(w1, a[0].id, 'REVOKED_BY_USER', [a[1].id, a[2].id]);
    await expectEndedLive(w2, a[1].id, 'REVOKED_BY_USER', [a[0].id, a[2].id]);
    for (const device of a) {
      await expectToken401(url, device.token);
      expect(revokedReasonOf(t, device.id)).toBe('REVOKED_BY_USER');
    }
    await expectStillUsable(wb);
    await expectTokenWorks(url, b1.token, bob.id);
    await expectTokenWorks(url, admin.token, admin.userId);
  });

  it('admin revokeAllSessions(userId): ends every session of that user with REVOKED_BY_ADMIN', async () => {
    const { t, url, count, admin, alice, a, bob, b1 } = await world();
    const w1 = await watch(t, count, a[0], alice.id);
    const w3 = await watch(t, count, a[2], alice.id);
    const wb = await watch(t, count, b1, bob.id);

    expect(await gqlData(url, RevokeAllSessionsDocument, { userId: alice.id }, { token: admin.token })).toEqual({
      revokeAllSessions: 3,
    });

    await expectEndedLive(w1, a[0].id, 'REVOKED_BY_ADMIN', [a[1].id, a[2].id]);
    await expectEndedLive(w3, a[2].id, 'REVOKED_BY_ADMIN', [a[0].id, a[1].id]);
    for (const device of a) {
      await expectToken401(url, device.token);
      expect(revokedReasonOf(t, device.id)).toBe('REVOKED_BY_ADMIN');
    }
    await expectStillUsable(wb);
    await expectTokenWorks(url, admin.token, admin.userId);
    const left = await gqlData(url, UserSessionsDocument, { userId: alice.id }, { token: admin.token });
    expect(left.userSessions).toEqual([]);
    const bobs = await gqlData(url, UserSessionsDocument, { userId: bob.id }, { token: admin.token });
    expect(bobs.userSessions.map((s) => s.id)).toEqual([b1.id]);
  });

  it("admin revokeSession on someone's session: REVOKED_BY_ADMIN for that session only", async () => {
    const { t, url, count, admin, alice, a } = await world();
    const w1 = await watch(t, count, a[0], alice.id);
    const w2 = await watch(t, count, a[1], alice.id);

    const revoked = await gqlData(url, RevokeSessionDocument, { id: a[1].id }, { token: admin.token });
    expect(revoked.revokeSession).toMatchObject({ id: a[1].id, revokedReason: 'REVOKED_BY_ADMIN', isActive: false });

    await expectEndedLive(w2, a[1].id, 'REVOKED_BY_ADMIN');
    await expectSawOtherRevoked(w1, [a[1].id], 'REVOKED_BY_ADMIN');
    await expectStillUsable(w1);
    await expectToken401(url, a[1].token);
    await expectTokenWorks(url, a[0].token, alice.id);
    await expectTokenWorks(url, a[2].token, alice.id);
    await expectTokenWorks(url, admin.token, admin.userId);
    expect(revokedReasonOf(t, a[1].id)).toBe('REVOKED_BY_ADMIN');
  });

  it('suspendUser ends every session (ACCOUNT_SUSPENDED) and refuses sign-in until reactivateUser', async () => {
    const { t, url, count, admin, alice, a, bob, b1 } = await world();
    const w1 = await watch(t, count, a[0], alice.id);
    const w2 = await watch(t, count, a[1], alice.id);
    const wb = await watch(t, count, b1, bob.id);

    const suspended = await gqlData(url, SuspendUserDocument, { id: alice.id, reason: 'Policy violation' }, { token: admin.token });
    expect(suspended.suspendUser).toMatchObject({ id: alice.id, status: 'SUSPENDED', statusReason: 'Policy violation' });

    await expectEndedLive(w1, a[0].id, 'ACCOUNT_SUSPENDED', [a[1].id, a[2].id]);
    await expectEndedLive(w2, a[1].id, 'ACCOUNT_SUSPENDED', [a[0].id, a[2].id]);
    for (const device of a) {
      await expectToken401(url, device.token);
      expect(revokedReasonOf(t, device.id)).toBe('ACCOUNT_SUSPENDED');
    }
    await expectStillUsable(wb);
    await expectTokenWorks(url, b1.token, bob.id);

    const refused = await gql(url, SignInDocument, { input: { email: alice.email, password: PASSWORD } });
    expect(refused.body.data?.signIn ?? null).toBeNull();
    expect(errorOf(refused)).toEqual({ code: 'FORBIDDEN', reason: 'ACCOUNT_SUSPENDED' });
    const live = t.app.db.prepare('select count(*) from sessions where user_id = ? and revoked_at is null').pluck().get(alice.id);
    expect(live).toBe(0);

    const reactivated = await gqlData(url, ReactivateUserDocument, { id: alice.id }, { token: admin.token });
    expect(reactivated.reactivateUser).toMatchObject({ id: alice.id, status: 'ACTIVE', statusReason: null });
    const back = await signInOk(url, alice.email, PASSWORD, 'Alice Laptop');
    expect(back.user).toMatchObject({ id: alice.id, status: 'ACTIVE' });
    await expectTokenWorks(url, back.token, alice.id);
    // The old tokens stay dead after reactivation.
    await expectToken401(url, a[0].token);
  });

  it('changePassword: wrong current password is BAD_USER_INPUT; by default the other sessions end (PASSWORD_CHANGED)', async () => {
    const { t, url, count, alice, a, bob, b1 } = await world();
    const w1 = await watch(t, count, a[0], alice.id);
    const w2 = await watch(t, count, a[1], alice.id);
    const wb = await watch(t, count, b1, bob.id);

    const wrong = await gql(
      url,
      ChangePasswordDocument,
      { input: { currentPassword: 'not-my-password', newPassword: NEW_PASSWORD } },
      { token: a[0].token },
    );
    expect(errorOf(wrong).code).toBe('BAD_USER_INPUT');
    const fields = wrong.body.errors?.[0].extensions?.fields as { path: string; message: string }[];
    expect(fields[0].path).toBe('input.currentPassword');
    // Nothing changed: the other devices still work and the old password still signs in.
    await expectTokenWorks(url, a[1].token, alice.id);
    expect(w2.order).toEqual([]);

    const changed = await gqlData(
      url,
      ChangePasswordDocument,
      { input: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD } },
      { token: a[0].token },
    );
    expect(changed).toEqual({ changePassword: true });

    await expectEndedLive(w2, a[1].id, 'PASSWORD_CHANGED', [a[2].id]);
    await expectSawOtherRevoked(w1, [a[1].id, a[2].id], 'PASSWORD_CHANGED');
    await expectStillUsable(w1);
    await expectStillUsable(wb);
    await expectToken401(url, a[1].token);
    await expectToken401(url, a[2].token);
    expect(revokedReasonOf(t, a[1].id)).toBe('PASSWORD_CHANGED');
    expect(revokedReasonOf(t, a[2].id)).toBe('PASSWORD_CHANGED');
    await expectTokenWorks(url, a[0].token, alice.id);
    const mine = await gqlData(url, MySessionsDocument, undefined, { token: a[0].token });
    expect(mine.mySessions.map((s) => s.id)).toEqual([a[0].id]);

    const withNew = await signInOk(url, alice.email, NEW_PASSWORD, 'Alice New Phone');
    expect(withNew.user.id).toBe(alice.id);
    const withOld = await gql(url, SignInDocument, { input: { email: alice.email, password: PASSWORD } });
    expect(withOld.body.data?.signIn ?? null).toBeNull();
    expect(errorOf(withOld)).toEqual({ code: 'UNAUTHENTICATED', reason: 'INVALID_CREDENTIALS' });
  });

  it('changePassword with signOutOtherSessions:false keeps the other sessions and their sockets', async () => {
    const { t, url, count, alice, a } = await world({ aliceDevices: 2 });
    const w2 = await watch(t, count, a[1], alice.id);

    const changed = await gqlData(
      url,
      ChangePasswordDocument,
      { input: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD, signOutOtherSessions: false } },
      { token: a[0].token },
    );
    expect(changed).toEqual({ changePassword: true });

    await expectStillUsable(w2);
    expect(w2.order).toEqual([]);
    await expectTokenWorks(url, a[0].token, alice.id);
    await expectTokenWorks(url, a[1].token, alice.id);
    expect(revokedReasonOf(t, a[1].id)).toBeNull();
    const mine = await gqlData(url, MySessionsDocument, undefined, { token: a[1].token });
    expect(new Set(mine.mySessions.map((s) => s.id))).toEqual(new Set([a[0].id, a[1].id]));

    const withNew = await signInOk(url, alice.email, NEW_PASSWORD, 'Alice Tablet');
    expect(withNew.user.id).toBe(alice.id);
    const withOld = await gql(url, SignInDocument, { input: { email: alice.email, password: PASSWORD } });
    expect(errorOf(withOld)).toEqual({ code: 'UNAUTHENTICATED', reason: 'INVALID_CREDENTIALS' });
  });
});

/**
 * The write statements of `statements` (each index), and the explicit transactions (BEGIN … COMMIT,
 * as better-sqlite3's verbose trace shows them).
 */
function writesAndTransactions(statements: string[]) {
  const writes = statements.flatMap((sql, i) => (/^(INSERT|UPDATE|DELETE)\b/.test(sql) ? [i] : []));
  const begins = statements.flatMap((sql, i) => (sql.startsWith('BEGIN') ? [i] : []));
  const commits = statements.flatMap((sql, i) => (sql === 'COMMIT' ? [i] : []));
  /** Each write as its first three words ("UPDATE sessions SET", "INSERT INTO audit_events"). */
  const kinds = writes.map((i) => statements[i].split(/\s+/).slice(0, 3).join(' '));
  return { writes, begins, commits, kinds };
}

/** Local deliveries go into the SQL trace as `publish <routing key>`, to see where they fall against the COMMIT. */
function tracePublishes(t: TestApp, statements: string[]) {
  const metricsHook = t.app.events.onPublish;
  t.app.events.onPublish = (routingKey) => {
    statements.push(`publish ${routingKey}`);
    metricsHook?.(routingKey);
  };
}

describe('a revocation is durable with one commit', () => {
  it('revokeSession: the session row, the audit row and both outbox rows in one transaction; events delivered after it, in order', async () => {
    const statements: string[] = [];
    const { t, url, count, admin, alice, a } = await world({ sqlTrace: (sql) => statements.push(sql) });
    const w1 = await watch(t, count, a[0], alice.id);
    const w2 = await watch(t, count, a[1], alice.id);
    tracePublishes(t, statements);

    statements.length = 0;
    const revoked = await gqlData(url, RevokeSessionDocument, { id: a[1].id }, { token: admin.token });
    expect(revoked.revokeSession).toMatchObject({ id: a[1].id, revokedReason: 'REVOKED_BY_ADMIN', isActive: false });
    const request = [...statements];

    const { writes, begins, commits, kinds } = writesAndTransactions(request);
    expect(begins).toHaveLength(1);
    expect(commits).toHaveLength(1);
    const [begin, commit] = [begins[0], commits[0]];
    expect(request[begin]).toBe('BEGIN IMMEDIATE');
    // Every write of the request is inside that one transaction: nothing else commits (and fsyncs).
    expect(writes.every((i) => i > begin && i < commit)).toBe(true);
    expect(request[writes[0]]).toContain('SET revoked_at = ');
    expect(kinds).toEqual([
      'UPDATE sessions SET',
      'INSERT INTO audit_events',
      'INSERT INTO event_outbox',
      'INSERT INTO event_outbox',
    ]);
    // Delivered locally only after the commit, in the order of the outbox rows.
    expect(request.filter((sql) => sql.startsWith('publish '))).toEqual(['publish user:sessions', 'publish session']);
    expect(request.indexOf('publish user:sessions')).toBeGreaterThan(commit);

    // The outbox holds user:sessions then session, as subscribers get them; the audit row as before.
    const outbox = t.app.db.prepare('SELECT topic, key FROM event_outbox ORDER BY id DESC LIMIT 2').all().reverse();
    expect(outbox).toEqual([
      { topic: 'user:sessions', key: alice.id },
      { topic: 'session', key: a[1].id },
    ]);
    const audit = t.app.db.prepare('SELECT action, actor_id AS actorId, target_id AS targetId, detail FROM audit_events ORDER BY id DESC LIMIT 1').get() as {
      action: string;
      actorId: string;
      targetId: string;
      detail: string;
    };
    expect(audit).toMatchObject({ action: 'session.revoked', actorId: admin.userId, targetId: a[1].id });
    expect(JSON.parse(audit.detail)).toEqual({ reason: 'REVOKED_BY_ADMIN', userId: alice.id, device: 'Alice Phone' });

    await expectEndedLive(w2, a[1].id, 'REVOKED_BY_ADMIN');
    await expectSawOtherRevoked(w1, [a[1].id], 'REVOKED_BY_ADMIN');
    await expectStillUsable(w1);
  });

  it('revokeAllSessions and suspendUser: every session row, audit row and outbox row of the request in one transaction', async () => {
    const statements: string[] = [];
    const { t, url, count, admin, alice, a, bob, b1 } = await world({ sqlTrace: (sql) => statements.push(sql) });
    const w1 = await watch(t, count, a[0], alice.id);

    statements.length = 0;
    expect(await gqlData(url, RevokeAllSessionsDocument, { userId: alice.id }, { token: admin.token })).toEqual({ revokeAllSessions: 3 });
    let request = [...statements];
    let { writes, begins, commits, kinds } = writesAndTransactions(request);
    expect([begins.length, commits.length]).toEqual([1, 1]);
    expect(writes.every((i) => i > begins[0] && i < commits[0])).toBe(true);
    // One UPDATE for the three sessions, an audit row per session, then two outbox rows per session.
    expect(kinds).toEqual([
      'UPDATE sessions SET',
      ...Array(3).fill('INSERT INTO audit_events'),
      ...Array(6).fill('INSERT INTO event_outbox'),
    ]);
    await expectEndedLive(w1, a[0].id, 'REVOKED_BY_ADMIN', [a[1].id, a[2].id]);

    // Suspension: the user row, its audit row and status event, and the sessions it ends, one commit.
    const wb = await watch(t, count, b1, bob.id);
    statements.length = 0;
    const suspended = await gqlData(url, SuspendUserDocument, { id: bob.id, reason: 'Policy violation' }, { token: admin.token });
    expect(suspended.suspendUser).toMatchObject({ id: bob.id, status: 'SUSPENDED' });
    request = [...statements];
    ({ writes, begins, commits, kinds } = writesAndTransactions(request));
    expect([begins.length, commits.length]).toEqual([1, 1]);
    expect(writes.every((i) => i > begins[0] && i < commits[0])).toBe(true);
    expect(kinds).toEqual([
      'UPDATE users SET',
      'INSERT INTO audit_events',
      'UPDATE sessions SET',
      'INSERT INTO audit_events',
      'INSERT INTO event_outbox', // user:status
      'INSERT INTO event_outbox', // user:sessions
      'INSERT INTO event_outbox', // session
    ]);
    const topics = t.app.db.prepare('SELECT topic FROM event_outbox ORDER BY id DESC LIMIT 3').pluck().all().reverse();
    expect(topics).toEqual(['user:status', 'user:sessions', 'session']);
    await expectEndedLive(wb, b1.id, 'ACCOUNT_SUSPENDED');
  });
});

describe("a user cannot see or end another user's sessions (IDOR), and admin operations need an admin", () => {
  it("refuses Bob every way into Alice's sessions and account", async () => {
    const { t, url, count, admin, alice, a, bob, b1 } = await world({ aliceDevices: 2 });
    const wa = await watch(t, count, a[0], alice.id);

    const revoke = await gql(url, RevokeSessionDocument, { id: a[0].id }, { token: b1.token });
    expect(revoke.body.data?.revokeSession ?? null).toBeNull();
    expect(errorOf(revoke)).toEqual({ code: 'FORBIDDEN', reason: 'NOT_OWNER' });
    await expectTokenWorks(url, a[0].token, alice.id);
    expect(revokedReasonOf(t, a[0].id)).toBeNull();

    const list = await gql(url, UserSessionsDocument, { userId: alice.id, includeInactive: true }, { token: b1.token });
    expect(list.body.data?.userSessions ?? null).toBeNull();
    expect(errorOf(list)).toEqual({ code: 'FORBIDDEN', reason: 'NOT_ADMIN' });

    const revokeAll = await gql(url, RevokeAllSessionsDocument, { userId: alice.id }, { token: b1.token });
    expect(revokeAll.body.data?.revokeAllSessions ?? null).toBeNull();
    expect(errorOf(revokeAll)).toEqual({ code: 'FORBIDDEN', reason: 'NOT_ADMIN' });
    await expectTokenWorks(url, a[0].token, alice.id);
    await expectTokenWorks(url, a[1].token, alice.id);

    const user = await gql(url, UserDocument, { id: alice.id }, { token: b1.token });
    expect(user.body.data?.user ?? null).toBeNull();
    expect(errorOf(user)).toEqual({ code: 'FORBIDDEN', reason: 'NOT_ADMIN' });
    const users = await gql(url, UsersDocument, {}, { token: b1.token });
    expect(users.body.data?.users ?? null).toBeNull();
    expect(errorOf(users)).toEqual({ code: 'FORBIDDEN', reason: 'NOT_ADMIN' });

    // sessionEvents for another user over graphql-ws.
    const bobWs = connectWs(t.wsUrl, { token: b1.token });
    const spy = bobWs.subscribe(SessionEventsDocument, { userId: alice.id });
    const refusal = await Promise.race([
      spy.results.next(5000, 'refusal of sessionEvents(userId: alice)'),
      spy.errored.then((errors) => ({ data: null, errors: errors as { message: string; extensions?: Record<string, unknown> }[] })),
    ]);
    expect(refusal.data ?? null).toBeNull();
    expect(refusal.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_ADMIN' });
    // Even when Alice's sessions change afterwards, nothing of hers reaches Bob.
    await gqlData(url, SignOutDocument, undefined, { token: a[1].token });
    await expectSawOtherRevoked(wa, [a[1].id], 'SIGNED_OUT');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(spy.results.pending).toHaveLength(0);

    // mySessions only ever lists the caller's own sessions.
    const bobs = await gqlData(url, MySessionsDocument, undefined, { token: b1.token });
    expect(bobs.mySessions.map((s) => [s.id, s.isCurrent])).toEqual([[b1.id, true]]);
    const alices = await gqlData(url, MySessionsDocument, undefined, { token: a[0].token });
    expect(alices.mySessions.map((s) => s.id)).toEqual([a[0].id]);
    const admins = await gqlData(url, MySessionsDocument, undefined, { token: admin.token });
    expect(admins.mySessions.map((s) => s.id)).toEqual([admin.id]);
  });

  it('answers FORBIDDEN / NOT_ADMIN to a non-admin on every admin operation and changes nothing', async () => {
    // DEV_MODE on, so createDebugSession is refused for being non-admin, not for DEV_MODE.
    const { t, url, admin, alice, bob, b1 } = await world({ env: { DEV_MODE: 'true' }, aliceDevices: 1 });
    const token = b1.token;
    const attempts = {
      approveUser: await gql(url, ApproveUserDocument, { id: alice.id }, { token }),
      rejectUser: await gql(url, RejectUserDocument, { id: alice.id, reason: 'no' }, { token }),
      suspendUser: await gql(url, SuspendUserDocument, { id: alice.id, reason: 'no' }, { token }),
      reactivateUser: await gql(url, ReactivateUserDocument, { id: alice.id }, { token }),
      setUserRole: await gql(url, SetUserRoleDocument, { id: bob.id, role: 'ADMIN' }, { token }),
      userSessions: await gql(url, UserSessionsDocument, { userId: alice.id }, { token }),
      users: await gql(url, UsersDocument, {}, { token }),
      user: await gql(url, UserDocument, { id: alice.id }, { token }),
      stats: await gql(url, StatsDocument, undefined, { token }),
      createDebugSession: await gql(url, CreateDebugSessionDocument, { userId: alice.id, ttlMinutes: 5 }, { token }),
    };
    for (const [operation, result] of Object.entries(attempts)) {
      expect({ operation, ...errorOf(result) }).toEqual({ operation, code: 'FORBIDDEN', reason: 'NOT_ADMIN' });
      expect({ operation, data: (result.body.data as Record<string, unknown> | null | undefined)?.[operation] ?? null }).toEqual({
        operation,
        data: null,
      });
    }

    // Nothing changed: Bob is still a member, Alice still active, no debug session was opened.
    const bobMe = await gqlData(url, MeDocument, undefined, { token });
    expect(bobMe.me).toMatchObject({ id: bob.id, role: 'MEMBER', status: 'ACTIVE' });
    const aliceNow = await gqlData(url, UserDocument, { id: alice.id }, { token: admin.token });
    expect(aliceNow.user).toMatchObject({ id: alice.id, status: 'ACTIVE', role: 'MEMBER' });
    const debug = t.app.db.prepare("select count(*) from sessions where kind = 'DEBUG'").pluck().get();
    expect(debug).toBe(0);
  });

  it('answers UNAUTHENTICATED / MISSING_TOKEN to anonymous callers of me, mySessions and signOut', async () => {
    const t = await startTestApp();
    const results = {
      me: await gql(t.url, MeDocument),
      mySessions: await gql(t.url, MySessionsDocument),
      signOut: await gql(t.url, SignOutDocument),
    };
    for (const [operation, result] of Object.entries(results)) {
      expect({ operation, ...errorOf(result) }).toEqual({ operation, code: 'UNAUTHENTICATED', reason: 'MISSING_TOKEN' });
      // A missing token is a field error, not the 401 reserved for a presented but bad token.
      expect({ operation, status: result.status }).not.toEqual({ operation, status: 401 });
      expect(result.headers.get('www-authenticate')).toBeNull();
    }
  });
});

describe('admin userSessions', () => {
  it('lists revoked sessions with their reason only with includeInactive: true', async () => {
    const { url, admin, alice, a, b1 } = await world();
    await gqlData(url, RevokeSessionDocument, { id: a[1].id }, { token: a[0].token });
    await gqlData(url, RevokeSessionDocument, { id: a[2].id }, { token: admin.token });

    const all = await gqlData(url, UserSessionsDocument, { userId: alice.id, includeInactive: true }, { token: admin.token });
    const byId = new Map(all.userSessions.map((s) => [s.id, s]));
    expect(new Set(byId.keys())).toEqual(new Set(a.map((d) => d.id)));
    expect(byId.has(b1.id)).toBe(false);
    expect(byId.get(a[0].id)).toMatchObject({ isActive: true, revokedAt: null, revokedReason: null, deviceName: 'Alice Laptop' });
    expect(byId.get(a[1].id)).toMatchObject({ isActive: false, revokedReason: 'REVOKED_BY_USER', deviceName: 'Alice Phone' });
    expect(byId.get(a[2].id)).toMatchObject({ isActive: false, revokedReason: 'REVOKED_BY_ADMIN', deviceName: 'Alice Tablet' });
    expect(byId.get(a[1].id)?.revokedAt).not.toBeNull();
    expect(byId.get(a[2].id)?.revokedAt).not.toBeNull();
    for (const s of all.userSessions) expect(s.isCurrent).toBe(false);

    const live = await gqlData(url, UserSessionsDocument, { userId: alice.id }, { token: admin.token });
    expect(live.userSessions.map((s) => [s.id, s.revokedReason, s.isActive])).toEqual([[a[0].id, null, true]]);
    const liveExplicit = await gqlData(url, UserSessionsDocument, { userId: alice.id, includeInactive: false }, { token: admin.token });
    expect(liveExplicit.userSessions.map((s) => s.id)).toEqual([a[0].id]);
  });
});

describe('a sign-in is durable with one commit', () => {
  it('the session row, its audit row and its CREATED outbox row in one transaction; the event delivered after it', async () => {
    const statements: string[] = [];
    const { t, count, alice, a } = await world({ aliceDevices: 1, sqlTrace: (sql) => statements.push(sql) });
    const w = await watch(t, count, a[0], alice.id);
    tracePublishes(t, statements);

    statements.length = 0;
    const phone = await signInOk(t.url, alice.email, PASSWORD, 'Alice Phone');
    const request = [...statements];
    const { writes, begins, commits, kinds } = writesAndTransactions(request);
    expect([begins.length, commits.length]).toEqual([1, 1]);
    const inTransaction = writes.map((i) => i > begins[0] && i < commits[0]);
    expect(kinds.filter((_, k) => inTransaction[k])).toEqual(['INSERT INTO sessions', 'INSERT INTO audit_events', 'INSERT INTO event_outbox']);
    // Outside it only the sign-in lock's clean-up (it writes nothing when there was no failure).
    expect(kinds.filter((_, k) => !inTransaction[k])).toEqual(['DELETE FROM signin_failures']);
    expect(request.indexOf('publish user:sessions')).toBeGreaterThan(commits[0]);

    const audit = t.app.db.prepare('SELECT action, target_id AS targetId FROM audit_events ORDER BY id DESC LIMIT 1').get();
    expect(audit).toEqual({ action: 'user.signed_in', targetId: phone.session.id });
    const created = await w.sub.results.next(5000, 'CREATED');
    expect(created.data?.sessionEvents).toMatchObject({ type: 'CREATED', session: { id: phone.session.id } });
  });
});
