import { describe, expect, it, vi } from 'vitest';
import {
  MeDocument,
  MySessionsDocument,
  SessionEventsDocument,
  SignInDocument,
  SignOutDocument,
  SignUpDocument,
  type SessionEventsSubscription,
  type SignInMutation,
} from '../generated/graphql.js';
import { connectWs, errorOf, recordOrder, gql, gqlData, startTestApp, type Subscription, type TestApp, type WsConnection } from '../utils/app.js';

const PASSWORD = 'device-password-1';

type SignInResult = SignInMutation['signIn'];
type AuthPayload = Extract<SignInResult, { __typename: 'AuthPayload' }>;
type DeviceLimitReached = Extract<SignInResult, { __typename: 'DeviceLimitReached' }>;

/** Live listener count of a topic on the server, so a test can wait until a subscription really listens. */
function trackTopics(t: TestApp) {
  return (topic: 'user:sessions', id: string) => t.app.events.subscriberCount(topic, id);
}

/** Subscribes to SessionEvents on `conn` and resolves once the server listens on the user's topic. */
async function watchSessions(
  count: ReturnType<typeof trackTopics>,
  conn: WsConnection,
  userId: string,
): Promise<Subscription<SessionEventsSubscription>> {
  const before = count('user:sessions', userId);
  const sub = conn.subscribe(SessionEventsDocument, {});
  await vi.waitFor(() => expect(count('user:sessions', userId)).toBeGreaterThan(before), { timeout: 5000, interval: 5 });
  return sub;
}

async function signIn(url: string, email: string, deviceName: string, replaceSessionId?: string) {
  return gql(url, SignInDocument, {
    input: { email, password: PASSWORD, device: { name: deviceName }, ...(replaceSessionId ? { replaceSessionId } : {}) },
  });
}

async function signInOk(url: string, email: string, deviceName: string, replaceSessionId?: string): Promise<AuthPayload> {
  const result = await signIn(url, email, deviceName, replaceSessionId);
  expect(result.body.errors).toBeUndefined();
  const payload = result.body.data!.signIn;
  if (payload.__typename !== 'AuthPayload') throw new Error(`expected AuthPayload, got ${payload.__typename}`);
  return payload;
}

/** A user with three devices: the sign-up session is device 1, then two sign-ins. */
async function userWithThreeDevices(url: string, email: string) {
  const signUp = await gqlData(url, SignUpDocument, {
    input: { email, password: PASSWORD, name: 'Device Owner', device: { name: 'Laptop One' } },
  });
  const d1 = { token: signUp.signUp.token, session: signUp.signUp.session };
  const d2 = await signInOk(url, email, 'Phone Two');
  const d3 = await signInOk(url, email, 'Tablet Three');
  return { user: signUp.signUp.user, d1, d2, d3 };
}

function liveCount(t: TestApp, userId: string): number {
  return t.app.db.prepare('select count(*) from sessions where user_id = ? and revoked_at is null').pluck().get(userId) as number;
}

function totalCount(t: TestApp, userId: string): number {
  return t.app.db.prepare('select count(*) from sessions where user_id = ?').pluck().get(userId) as number;
}


/** Resolves 'closed' if the socket closes within `ms`, else 'open'. */
function stillOpenAfter(conn: WsConnection, ms = 50): Promise<'open' | 'closed'> {
  return Promise.race([conn.closed.then(() => 'closed' as const), new Promise<'open'>((r) => setTimeout(() => r('open'), ms))]);
}

/** Device 1 got REVOKED (DEVICE_LIMIT, about itself) and then, and only then, close 4401. */
async function expectSignedOutByDeviceLimit(
  ws: WsConnection,
  sub: Subscription<SessionEventsSubscription>,
  order: string[],
  sessionId: string,
) {
  const revoked = await sub.results.next(5000, 'REVOKED on the signed-out device');
  expect(revoked.errors).toBeUndefined();
  expect(revoked.data?.sessionEvents).toEqual({
    type: 'REVOKED',
    reason: 'DEVICE_LIMIT',
    isCurrent: true,
    session: { id: sessionId, deviceName: 'Laptop One', revokedReason: 'DEVICE_LIMIT' },
  });
  expect(await ws.closed).toEqual({ code: 4401, reason: 'SESSION_REVOKED:DEVICE_LIMIT' });
  expect(order).toEqual(['REVOKED', 'closed:4401:SESSION_REVOKED:DEVICE_LIMIT']);
}

/**
 * Ten concurrent sign-ins for one user, sampling the live session count on every turn of the
 * event loop while they race; returns the answers and the highest count seen.
 */
async function raceSignIns(t: TestApp, userId: string, email: string) {
  let maxLive = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      maxLive = Math.max(maxLive, liveCount(t, userId));
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  const results = await Promise.all(Array.from({ length: 10 }, (_, i) => signIn(t.url, email, `Racing Device ${i}`)));
  sampling = false;
  await sampler;
  return { results, maxLive };
}

describe('device cap (policy reject, default 3)', () => {
  it('answers the fourth sign-in with DeviceLimitReached listing the three devices, and creates nothing', async () => {
    const t = await startTestApp();
    const { user, d1, d2, d3 } = await userWithThreeDevices(t.url, 'four@example.test');
    expect([d1.session.deviceName, d2.session.deviceName, d3.session.deviceName]).toEqual(['Laptop One', 'Phone Two', 'Tablet Three']);

    const fourth = await signIn(t.url, 'four@example.test', 'Desktop Four');
    expect(fourth.status).toBe(200);
    expect(fourth.body.errors).toBeUndefined();
    const limit = fourth.body.data!.signIn as DeviceLimitReached;
    expect(limit.__typename).toBe('DeviceLimitReached');
    expect(limit.limit).toBe(3);
    expect(limit.message).toContain('3');
    expect(limit.activeSessions).toHaveLength(3);
    expect(new Set(limit.activeSessions.map((s) => s.id))).toEqual(new Set([d1.session.id, d2.session.id, d3.session.id]));
    expect(new Set(limit.activeSessions.map((s) => s.deviceName))).toEqual(new Set(['Laptop One', 'Phone Two', 'Tablet Three']));
    for (const s of limit.activeSessions) {
      expect(s.isActive).toBe(true);
      expect(s.revokedAt).toBeNull();
      // The refused caller has no session, so none of them is "current".
      expect(s.isCurrent).toBe(false);
    }

    // Nothing new was created, and nothing was revoked.
    const mine = await gqlData(t.url, MySessionsDocument, undefined, { token: d1.token });
    expect(mine.mySessions).toHaveLength(3);
    expect(new Set(mine.mySessions.map((s) => s.id))).toEqual(new Set([d1.session.id, d2.session.id, d3.session.id]));
    expect(mine.mySessions.filter((s) => s.isCurrent).map((s) => s.id)).toEqual([d1.session.id]);
    expect(mine.mySessions.some((s) => s.deviceName === 'Desktop Four')).toBe(false);
    expect(liveCount(t, user.id)).toBe(3);
    expect(totalCount(t, user.id)).toBe(3);
  });

  it('replaceSessionId signs device 1 out live (REVOKED, then close 4401) and signs the new device in; others get the new-device alert', async () => {
    const t = await startTestApp();
    const count = trackTopics(t);
    const { user, d1, d2, d3 } = await userWithThreeDevices(t.url, 'replace@example.test');

    const ws1 = connectWs(t.wsUrl, { token: d1.token });
    const sub1 = await watchSessions(count, ws1, user.id);
    const ws2 = connectWs(t.wsUrl, { token: d2.token });
    const sub2 = await watchSessions(count, ws2, user.id);
    const order1 = recordOrder(ws1, sub1, 'sessionEvents');

    const refused = await signIn(t.url, 'replace@example.test', 'Desktop Four');
    expect(refused.body.data?.signIn.__typename).toBe('DeviceLimitReached');

    const replaced = await signInOk(t.url, 'replace@example.test', 'Desktop Four', d1.session.id);
    expect(replaced.__typename).toBe('AuthPayload');
    expect(replaced.session.deviceName).toBe('Desktop Four');
    expect(replaced.session.id).not.toBe(d1.session.id);
    expect(replaced.token).toMatch(/^gh_[A-Za-z0-9_-]{43}$/);
    expect(replaced.user.id).toBe(user.id);

    // Device 1: REVOKED (DEVICE_LIMIT, about itself) arrives, then the socket closes with 4401.
    await expectSignedOutByDeviceLimit(ws1, sub1, order1, d1.session.id);

    // Device 1's token over HTTP: 401 + WWW-Authenticate, and a readable GraphQL error.
    const me1 = await gql(t.url, MeDocument, undefined, { token: d1.token });
    expect(me1.status).toBe(401);
    expect(me1.headers.get('www-authenticate')).toContain('invalid_token');
    expect(me1.body.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'SESSION_REVOKED' });

    // Device 2 (still signed in) sees device 1 go, then the new-device alert, and stays connected.
    const seenRevoked = await sub2.results.next(5000, 'REVOKED on device 2');
    expect(seenRevoked.data?.sessionEvents).toMatchObject({
      type: 'REVOKED',
      reason: 'DEVICE_LIMIT',
      isCurrent: false,
      session: { id: d1.session.id },
    });
    const created = await sub2.results.next(5000, 'CREATED on device 2');
    expect(created.data?.sessionEvents).toEqual({
      type: 'CREATED',
      reason: null,
      isCurrent: false,
      session: { id: replaced.session.id, deviceName: 'Desktop Four', revokedReason: null },
    });
    expect(await stillOpenAfter(ws2)).toBe('open');

    const mine = await gqlData(t.url, MySessionsDocument, undefined, { token: replaced.token });
    expect(new Set(mine.mySessions.map((s) => s.id))).toEqual(new Set([d2.session.id, d3.session.id, replaced.session.id]));
    expect(mine.mySessions.find((s) => s.isCurrent)?.id).toBe(replaced.session.id);
    const row = t.app.db.prepare('select revoked_reason from sessions where id = ?').get(d1.session.id) as { revoked_reason: string };
    expect(row.revoked_reason).toBe('DEVICE_LIMIT');
    expect(liveCount(t, user.id)).toBe(3);
    expect(totalCount(t, user.id)).toBe(4);

    // The other devices still work.
    expect((await gql(t.url, MeDocument, undefined, { token: d2.token })).status).toBe(200);
    expect((await gqlData(t.url, MeDocument, undefined, { token: d3.token })).me.id).toBe(user.id);
  });

  it('refuses a replaceSessionId that belongs to another user with NOT_FOUND and creates nothing', async () => {
    const t = await startTestApp();
    const { user, d1, d2, d3 } = await userWithThreeDevices(t.url, 'owner@example.test');
    const other = await gqlData(t.url, SignUpDocument, {
      input: { email: 'other@example.test', password: PASSWORD, name: 'Other', device: { name: 'Other Phone' } },
    });

    const attempt = await signIn(t.url, 'owner@example.test', 'Desktop Four', other.signUp.session.id);
    expect(attempt.body.data?.signIn ?? null).toBeNull();
    expect(errorOf(attempt).code).toBe('NOT_FOUND');

    // The other user's session is untouched and still works.
    const otherMe = await gql(t.url, MeDocument, undefined, { token: other.signUp.token });
    expect(otherMe.status).toBe(200);
    expect(otherMe.body.data?.me.id).toBe(other.signUp.user.id);
    expect(liveCount(t, other.signUp.user.id)).toBe(1);
    // The caller got no new session and lost none.
    const mine = await gqlData(t.url, MySessionsDocument, undefined, { token: d1.token });
    expect(new Set(mine.mySessions.map((s) => s.id))).toEqual(new Set([d1.session.id, d2.session.id, d3.session.id]));
    expect(liveCount(t, user.id)).toBe(3);
    expect(totalCount(t, user.id)).toBe(3);

    // An id that does not exist at all is NOT_FOUND too.
    const unknown = await signIn(t.url, 'owner@example.test', 'Desktop Four', 'ses_doesnotexist');
    expect(errorOf(unknown).code).toBe('NOT_FOUND');
    expect(totalCount(t, user.id)).toBe(3);
  });

  it('never lets ten concurrent sign-ins exceed the cap: exactly 3 succeed and 7 get DeviceLimitReached', async () => {
    const t = await startTestApp();
    const signUp = await gqlData(t.url, SignUpDocument, {
      input: { email: 'race@example.test', password: PASSWORD, name: 'Racer' },
    });
    const userId = signUp.signUp.user.id;
    expect(await gqlData(t.url, SignOutDocument, undefined, { token: signUp.signUp.token })).toEqual({ signOut: true });
    expect(liveCount(t, userId)).toBe(0);

    const { results, maxLive } = await raceSignIns(t, userId, 'race@example.test');

    for (const r of results) {
      expect(r.status).toBe(200);
      expect(r.body.errors).toBeUndefined();
    }
    const outcomes = results.map((r) => r.body.data!.signIn);
    const winners = outcomes.filter((o): o is AuthPayload => o.__typename === 'AuthPayload');
    const losers = outcomes.filter((o): o is DeviceLimitReached => o.__typename === 'DeviceLimitReached');
    expect(winners).toHaveLength(3);
    expect(losers).toHaveLength(7);
    const winnerIds = new Set(winners.map((w) => w.session.id));
    for (const loser of losers) {
      expect(loser.limit).toBe(3);
      expect(loser.activeSessions.length).toBeLessThanOrEqual(3);
      for (const s of loser.activeSessions) expect(winnerIds.has(s.id)).toBe(true);
    }

    expect(maxLive).toBeLessThanOrEqual(3);
    expect(liveCount(t, userId)).toBe(3);
    expect(totalCount(t, userId)).toBe(4); // the signed-out sign-up session + the 3 winners
    const mine = await gqlData(t.url, MySessionsDocument, undefined, { token: winners[0].token });
    expect(mine.mySessions).toHaveLength(3);
    expect(new Set(mine.mySessions.map((s) => s.id))).toEqual(winnerIds);
  });
});

describe('device cap (policy evict-oldest)', () => {
  it('signs the fourth device in and revokes the least recently active one with DEVICE_LIMIT, live', async () => {
    const t = await startTestApp({ DEVICE_LIMIT_POLICY: 'evict-oldest' });
    const count = trackTopics(t);
    const email = 'evict@example.test';
    // Device 2 is created first, device 1 second, device 3 last: device 1 is not the oldest by
    // creation, only by activity, so the test tells "least recently active" from "oldest".
    const signUp = await gqlData(t.url, SignUpDocument, {
      input: { email, password: PASSWORD, name: 'Evictee', device: { name: 'Phone Two' } },
    });
    const user = signUp.signUp.user;
    const d2 = { token: signUp.signUp.token, session: signUp.signUp.session };
    t.clock.advance(10);
    const d1 = await signInOk(t.url, email, 'Laptop One');
    t.clock.advance(10);
    const d3 = await signInOk(t.url, email, 'Tablet Three');

    const ws1 = connectWs(t.wsUrl, { token: d1.token });
    const sub1 = await watchSessions(count, ws1, user.id);
    const order1 = recordOrder(ws1, sub1, 'sessionEvents');

    // Past SESSION_ACTIVITY_WRITE_INTERVAL (60s), devices 2 and 3 make requests; device 1 does not.
    t.clock.advance(61);
    expect((await gqlData(t.url, MeDocument, undefined, { token: d2.token })).me.id).toBe(user.id);
    expect((await gqlData(t.url, MeDocument, undefined, { token: d3.token })).me.id).toBe(user.id);
    const activity = t.app.db
      .prepare('select id, last_activity_at from sessions where user_id = ? order by last_activity_at, created_at')
      .all(user.id) as { id: string; last_activity_at: number }[];
    expect(activity[0].id).toBe(d1.session.id);
    expect(activity[1].last_activity_at).toBeGreaterThan(activity[0].last_activity_at);

    const fourth = await signInOk(t.url, email, 'Desktop Four');
    expect(fourth.session.deviceName).toBe('Desktop Four');

    await expectSignedOutByDeviceLimit(ws1, sub1, order1, d1.session.id);

    const me1 = await gql(t.url, MeDocument, undefined, { token: d1.token });
    expect(me1.status).toBe(401);
    expect(errorOf(me1)).toEqual({ code: 'UNAUTHENTICATED', reason: 'SESSION_REVOKED' });

    const mine = await gqlData(t.url, MySessionsDocument, undefined, { token: fourth.token });
    expect(new Set(mine.mySessions.map((s) => s.id))).toEqual(new Set([d2.session.id, d3.session.id, fourth.session.id]));
    expect(liveCount(t, user.id)).toBe(3);
    const row = t.app.db.prepare('select revoked_reason from sessions where id = ?').get(d1.session.id) as { revoked_reason: string };
    expect(row.revoked_reason).toBe('DEVICE_LIMIT');
  });

  it('after the cap is lowered, one sign-in evicts every live session over it, least recently active first', async () => {
    const before = await startTestApp({ DEVICE_LIMIT_POLICY: 'evict-oldest', MAX_SESSIONS_PER_USER: '5' });
    const email = 'lowered-cap@example.test';
    const signUp = await gqlData(before.url, SignUpDocument, {
      input: { email, password: PASSWORD, name: 'Many Devices', device: { name: 'Device 1' } },
    });
    const userId = signUp.signUp.user.id;
    const ids = [signUp.signUp.session.id];
    let last = { token: signUp.signUp.token };
    for (const n of [2, 3, 4, 5]) {
      before.clock.advance(10);
      const payload = await signInOk(before.url, email, `Device ${n}`);
      ids.push(payload.session.id);
      last = payload;
    }
    // Device 5 signs out: a revoked session neither counts against the cap nor gets revoked again.
    await gqlData(before.url, SignOutDocument, undefined, { token: last.token });
    expect(liveCount(before, userId)).toBe(4);

    const t = await before.restart({ MAX_SESSIONS_PER_USER: '2' });
    t.clock.advance(10);
    const newest = await signInOk(t.url, email, 'Device 6');

    const reasons = t.app.db.prepare('select id, revoked_reason from sessions where user_id = ?').all(userId) as { id: string; revoked_reason: string | null }[];
    const reasonOf = new Map(reasons.map((r) => [r.id, r.revoked_reason]));
    expect(ids.map((id) => reasonOf.get(id))).toEqual(['DEVICE_LIMIT', 'DEVICE_LIMIT', 'DEVICE_LIMIT', null, 'SIGNED_OUT']);
    expect(reasonOf.get(newest.session.id)).toBeNull();
    expect(liveCount(t, userId)).toBe(2);
  });

  it('keeps ten concurrent sign-ins within the cap by evicting', async () => {
    const t = await startTestApp({ DEVICE_LIMIT_POLICY: 'evict-oldest' });
    const signUp = await gqlData(t.url, SignUpDocument, {
      input: { email: 'evict-race@example.test', password: PASSWORD, name: 'Racer' },
    });
    const userId = signUp.signUp.user.id;
    await gqlData(t.url, SignOutDocument, undefined, { token: signUp.signUp.token });

    const { results, maxLive } = await raceSignIns(t, userId, 'evict-race@example.test');

    const outcomes = results.map((r) => r.body.data?.signIn.__typename);
    expect(outcomes).toEqual(Array(10).fill('AuthPayload'));
    expect(maxLive).toBeLessThanOrEqual(3);
    expect(liveCount(t, userId)).toBe(3);
    const evicted = t.app.db
      .prepare("select count(*) from sessions where user_id = ? and revoked_reason = 'DEVICE_LIMIT'")
      .pluck()
      .get(userId) as number;
    expect(evicted).toBe(7);
  });
});
