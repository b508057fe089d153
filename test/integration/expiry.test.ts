import { describe, expect, it } from 'vitest';
import {
  AccountStatusChangedDocument,
  CurrentSessionDocument,
  HealthDocument,
  MeDocument,
  RefreshSessionDocument,
  SessionEventsDocument,
  SignInDocument,
  SignOutDocument,
  SignUpDocument,
} from '../generated/graphql.js';
import { connected, connectWs, errorOf, gql, gqlData, startTestApp, type Subscription, type TestApp } from '../utils/app.js';
import type { SessionEventsSubscription } from '../generated/graphql.js';

const IDLE = 3600; // 1h
const LIFETIME = 3 * 3600; // 3h
const WRITE_INTERVAL = 60;
const ENV = {
  SESSION_IDLE_TIMEOUT: '1h',
  SESSION_MAX_LIFETIME: '3h',
  SESSION_ACTIVITY_WRITE_INTERVAL: '60s',
};

const PASSWORD = 'member-password-1';

async function signUp(t: TestApp, email: string) {
  const data = await gqlData(t.url, SignUpDocument, { input: { email, password: PASSWORD, name: 'Member' } });
  expect(data.signUp.user.status).toBe('ACTIVE');
  return { token: data.signUp.token, sessionId: data.signUp.session.id, userId: data.signUp.user.id };
}

/**
 * Proves a sessionEvents subscription is live (its topic listener attached) without sleeping: a second
 * device signs in (CREATED) and out again (REVOKED), and both notices must reach the subscriber.
 */
async function primeSessionEvents(t: TestApp, email: string, events: Subscription<SessionEventsSubscription>) {
  const other = await gqlData(t.url, SignInDocument, { input: { email, password: PASSWORD } });
  if (other.signIn.__typename !== 'AuthPayload') throw new Error('device limit while priming');
  const created = await events.results.next(5000, 'CREATED of the priming device');
  expect(created.data?.sessionEvents).toMatchObject({ type: 'CREATED', isCurrent: false, session: { id: other.signIn.session.id } });
  await gqlData(t.url, SignOutDocument, undefined, { token: other.signIn.token });
  const revoked = await events.results.next(5000, 'REVOKED of the priming device');
  expect(revoked.data?.sessionEvents).toMatchObject({
    type: 'REVOKED',
    reason: 'SIGNED_OUT',
    isCurrent: false,
    session: { id: other.signIn.session.id },
  });
}

function sessionRow(t: TestApp, id: string) {
  return t.app.db.prepare('SELECT * FROM sessions WHERE id = ?').get(id) as {
    last_activity_at: number;
    idle_expires_at: number;
    expires_at: number;
    created_at: number;
    revoked_at: number | null;
    revoked_reason: string | null;
    token_hash: string;
  };
}

const nowSeconds = (t: TestApp) => Math.floor(t.clock.now() / 1000);

/** Resolves 'open' if the socket has not closed within `ms`. */
function stillOpen(closed: Promise<{ code: number; reason: string }>, ms = 200) {
  return Promise.race([closed, new Promise<'open'>((resolve) => setTimeout(() => resolve('open'), ms))]);
}

describe('idle expiry', () => {
  it('expires an idle session in the sweeper, sends EXPIRED, closes the socket with 4401 and answers 401', async () => {
    const t = await startTestApp(ENV);
    const email = 'idle@example.test';
    const me = await signUp(t, email);
    const row = sessionRow(t, me.sessionId);
    expect(row.idle_expires_at - row.created_at).toBe(IDLE);
    expect(row.expires_at - row.created_at).toBe(LIFETIME);

    const ws = connectWs(t.wsUrl, { token: me.token });
    await connected(ws);
    const events = ws.subscribe(SessionEventsDocument);
    await primeSessionEvents(t, email, events);

    // One second before the idle deadline nothing is due.
    t.clock.advance(IDLE - 1);
    expect(await t.app.sweep()).toBe(0);
    expect(sessionRow(t, me.sessionId).revoked_at).toBeNull();

    t.clock.advance(2);
    expect(await t.app.sweep()).toBe(1);

    const expired = await events.results.next(5000, 'EXPIRED');
    expect(expired.errors).toBeUndefined();
    expect(expired.data?.sessionEvents).toEqual({
      type: 'EXPIRED',
      reason: 'EXPIRED',
      isCurrent: true,
      session: { id: me.sessionId, deviceName: 'Chrome on Windows 10', revokedReason: 'EXPIRED' },
    });
    expect(await ws.closed).toEqual({ code: 4401, reason: 'SESSION_EXPIRED' });
    expect(events.results.pending).toHaveLength(0);

    const after = sessionRow(t, me.sessionId);
    expect(after.revoked_reason).toBe('EXPIRED');
    expect(after.revoked_at).toBe(nowSeconds(t));

    const http = await gql(t.url, MeDocument, undefined, { token: me.token });
    expect(http.status).toBe(401);
    expect(http.headers.get('www-authenticate')).toContain('Bearer error="invalid_token"');
    expect(errorOf(http)).toEqual({ code: 'UNAUTHENTICATED', reason: 'SESSION_EXPIRED' });

    // Sweeping again finds nothing more to do.
    expect(await t.app.sweep()).toBe(0);
  });
});

describe('idle expiry on other paths', () => {
  it('refuses the next subscribe on a socket whose session went idle, then closes it with 4401 SESSION_EXPIRED', async () => {
    const t = await startTestApp(ENV);
    const me = await signUp(t, 'idle-socket@example.test');
    const ws = connectWs(t.wsUrl, { token: me.token });
    await connected(ws);
    t.clock.advance(IDLE);
    const sub = ws.subscribe(AccountStatusChangedDocument);
    const refusal = await Promise.race([
      sub.errored,
      sub.results.next(5000, 'refusal').then((result) => result.errors),
    ]);
    expect((refusal as { extensions?: unknown }[])[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'SESSION_EXPIRED' });
    expect(await ws.closed).toEqual({ code: 4401, reason: 'SESSION_EXPIRED' });
    expect(sessionRow(t, me.sessionId).revoked_reason).toBe('EXPIRED');
    expect(await t.app.sweep()).toBe(0);
  });

  it('closes a GraphiQL-style socket (authorized per operation) when the sweeper expires its session', async () => {
    const t = await startTestApp(ENV);
    const me = await signUp(t, 'idle-graphiql@example.test');
    const ws = connectWs(t.wsUrl, { connectionParams: {} });
    await connected(ws);
    const status = ws.subscribe(AccountStatusChangedDocument, undefined, { headers: { Authorization: `Bearer ${me.token}` } });
    expect((await status.results.next(5000, 'initial status')).data?.accountStatusChanged.status).toBe('ACTIVE');
    t.clock.advance(IDLE);
    expect(await t.app.sweep()).toBe(1);
    expect(await ws.closed).toEqual({ code: 4401, reason: 'SESSION_EXPIRED' });
  });

  it('stops counting a session in health once it is past its deadline, before the sweeper runs', async () => {
    const t = await startTestApp(ENV);
    const me = await signUp(t, 'idle-health@example.test');
    expect((await gqlData(t.url, HealthDocument)).health.activeSessions).toBe(1);
    t.clock.advance(IDLE);
    expect((await gqlData(t.url, HealthDocument)).health.activeSessions).toBe(0);
    expect(sessionRow(t, me.sessionId).revoked_at).toBeNull();
    expect(await t.app.sweep()).toBe(1);
    expect((await gqlData(t.url, HealthDocument)).health.activeSessions).toBe(0);
  });
});

describe('activity', () => {
  it('keeps a session alive past the idle timeout, writing lastActivityAt at most once per interval', async () => {
    const t = await startTestApp(ENV);
    const me = await signUp(t, 'active@example.test');
    const createdAt = sessionRow(t, me.sessionId).created_at;

    // A request every idle/2 seconds, for twice the idle timeout.
    for (let i = 1; i <= 4; i++) {
      t.clock.advance(IDLE / 2);
      const res = await gql(t.url, MeDocument, undefined, { token: me.token });
      expect(res.status).toBe(200);
      expect(res.body.data?.me.email).toBe('active@example.test');
      const row = sessionRow(t, me.sessionId);
      expect(row.last_activity_at).toBe(nowSeconds(t));
      expect(row.idle_expires_at).toBe(nowSeconds(t) + IDLE);
      expect(await t.app.sweep()).toBe(0);
    }
    expect(nowSeconds(t) - createdAt).toBeGreaterThanOrEqual(2 * IDLE);
    expect(sessionRow(t, me.sessionId).revoked_at).toBeNull();

    // Within the write interval the row is not written again...
    const written = sessionRow(t, me.sessionId).last_activity_at;
    t.clock.advance(10);
    expect((await gql(t.url, MeDocument, undefined, { token: me.token })).status).toBe(200);
    expect(sessionRow(t, me.sessionId).last_activity_at).toBe(written);
    t.clock.advance(30);
    expect((await gql(t.url, CurrentSessionDocument, undefined, { token: me.token })).status).toBe(200);
    expect(sessionRow(t, me.sessionId).last_activity_at).toBe(written);
    expect(sessionRow(t, me.sessionId).idle_expires_at).toBe(written + IDLE);

    // ...and once the interval has passed it is.
    t.clock.advance(WRITE_INTERVAL - 40 + 5);
    const current = await gqlData(t.url, CurrentSessionDocument, undefined, { token: me.token });
    const row = sessionRow(t, me.sessionId);
    expect(row.last_activity_at).toBe(nowSeconds(t));
    expect(row.last_activity_at).toBe(written + WRITE_INTERVAL + 5);
    expect(row.idle_expires_at).toBe(nowSeconds(t) + IDLE);
    expect(current.currentSession.id).toBe(me.sessionId);
    expect(current.currentSession.isActive).toBe(true);
    expect(Date.parse(current.currentSession.lastActivityAt) / 1000).toBe(row.last_activity_at);
  });

  it('expires a session whose activity stopped, even one that was kept alive before', async () => {
    const t = await startTestApp(ENV);
    const me = await signUp(t, 'lapsed@example.test');
    t.clock.advance(IDLE / 2);
    expect((await gql(t.url, MeDocument, undefined, { token: me.token })).status).toBe(200);
    const lastWrite = sessionRow(t, me.sessionId).last_activity_at;
    // A request inside the write interval does not move the deadline.
    t.clock.advance(WRITE_INTERVAL - 1);
    expect((await gql(t.url, MeDocument, undefined, { token: me.token })).status).toBe(200);
    expect(sessionRow(t, me.sessionId).idle_expires_at).toBe(lastWrite + IDLE);
    // The idle deadline counts from the last written activity.
    t.clock.advance(IDLE - (WRITE_INTERVAL - 1));
    const res = await gql(t.url, MeDocument, undefined, { token: me.token });
    expect(res.status).toBe(401);
    expect(errorOf(res)).toEqual({ code: 'UNAUTHENTICATED', reason: 'SESSION_EXPIRED' });
  });
});

describe('absolute lifetime', () => {
  it('expires at SESSION_MAX_LIFETIME despite constant activity, on the spot without the sweeper', async () => {
    const t = await startTestApp(ENV);
    const email = 'lifetime@example.test';
    const me = await signUp(t, email);
    const { created_at: createdAt, expires_at: expiresAt } = sessionRow(t, me.sessionId);
    expect(expiresAt).toBe(createdAt + LIFETIME);

    const ws = connectWs(t.wsUrl, { token: me.token });
    await connected(ws);
    const events = ws.subscribe(SessionEventsDocument);
    await primeSessionEvents(t, email, events);

    // Constant activity: a request every idle/2 seconds up to one second before the absolute deadline.
    while (nowSeconds(t) + IDLE / 2 < expiresAt) {
      t.clock.advance(IDLE / 2);
      const res = await gql(t.url, MeDocument, undefined, { token: me.token });
      expect(res.status).toBe(200);
    }
    t.clock.advance(expiresAt - 1 - nowSeconds(t));
    expect(nowSeconds(t)).toBe(expiresAt - 1);
    const lastGood = await gql(t.url, MeDocument, undefined, { token: me.token });
    expect(lastGood.status).toBe(200);
    expect(lastGood.body.data?.me.email).toBe(email);
    // The idle deadline is never pushed past the absolute one in effect: the next second ends it.
    t.clock.advance(1);
    const res = await gql(t.url, MeDocument, undefined, { token: me.token });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('Bearer error="invalid_token"');
    expect(errorOf(res)).toEqual({ code: 'UNAUTHENTICATED', reason: 'SESSION_EXPIRED' });
    const row = sessionRow(t, me.sessionId);
    expect(row.revoked_reason).toBe('EXPIRED');
    expect(row.revoked_at).toBe(expiresAt);

    // Expiring it on the spot told the live subscribers and closed the socket, like the sweeper would.
    const expired = await events.results.next(5000, 'EXPIRED');
    expect(expired.data?.sessionEvents).toMatchObject({ type: 'EXPIRED', reason: 'EXPIRED', isCurrent: true, session: { id: me.sessionId } });
    expect(await ws.closed).toEqual({ code: 4401, reason: 'SESSION_EXPIRED' });
    // Nothing left for the sweeper.
    expect(await t.app.sweep()).toBe(0);
    // Still expired on the next call (now read from the row).
    const again = await gql(t.url, MeDocument, undefined, { token: me.token });
    expect(again.status).toBe(401);
    expect(errorOf(again)).toEqual({ code: 'UNAUTHENTICATED', reason: 'SESSION_EXPIRED' });
  });

  it('is also enforced by the sweeper for a session that was kept active', async () => {
    const t = await startTestApp(ENV);
    const me = await signUp(t, 'lifetime-sweep@example.test');
    const expiresAt = sessionRow(t, me.sessionId).expires_at;
    while (nowSeconds(t) + IDLE / 2 < expiresAt) {
      t.clock.advance(IDLE / 2);
      expect((await gql(t.url, MeDocument, undefined, { token: me.token })).status).toBe(200);
    }
    expect(await t.app.sweep()).toBe(0);
    t.clock.advance(expiresAt - nowSeconds(t));
    expect(await t.app.sweep()).toBe(1);
    expect(sessionRow(t, me.sessionId).revoked_reason).toBe('EXPIRED');
    const res = await gql(t.url, MeDocument, undefined, { token: me.token });
    expect(res.status).toBe(401);
    expect(errorOf(res)).toEqual({ code: 'UNAUTHENTICATED', reason: 'SESSION_EXPIRED' });
  });
});

describe('refreshSession grace window', () => {
  it('honours the old token for SESSION_REFRESH_GRACE, keeps the session id and the sockets, and announces REFRESHED', async () => {
    const t = await startTestApp(ENV);
    expect(t.config.sessionRefreshGrace).toBe(30);
    const email = 'refresh@example.test';
    const me = await signUp(t, email);

    const ws = connectWs(t.wsUrl, { token: me.token });
    await connected(ws);
    const events = ws.subscribe(SessionEventsDocument);
    await primeSessionEvents(t, email, events);

    const refreshed = await gqlData(t.url, RefreshSessionDocument, undefined, { token: me.token });
    const newToken = refreshed.refreshSession.token;
    expect(newToken).toMatch(/^gh_[A-Za-z0-9_-]{43}$/);
    expect(newToken).not.toBe(me.token);
    expect(refreshed.refreshSession.session.id).toBe(me.sessionId);
    expect(refreshed.refreshSession.user).toMatchObject({ id: me.userId, email, status: 'ACTIVE' });

    const notice = await events.results.next(5000, 'REFRESHED');
    expect(notice.data?.sessionEvents).toMatchObject({ type: 'REFRESHED', reason: null, isCurrent: true, session: { id: me.sessionId } });

    // Inside the grace window both tokens work and name the same session.
    for (const token of [me.token, newToken]) {
      const current = await gqlData(t.url, CurrentSessionDocument, undefined, { token });
      expect(current.currentSession.id).toBe(me.sessionId);
    }
    t.clock.advance(29);
    const late = await gql(t.url, MeDocument, undefined, { token: me.token });
    expect(late.status).toBe(200);
    expect(late.body.data?.me.id).toBe(me.userId);

    // After it the old token is refused as unknown; the new one keeps working.
    t.clock.advance(2);
    const old = await gql(t.url, MeDocument, undefined, { token: me.token });
    expect(old.status).toBe(401);
    expect(old.headers.get('www-authenticate')).toContain('Bearer error="invalid_token"');
    expect(errorOf(old)).toEqual({ code: 'UNAUTHENTICATED', reason: 'INVALID_TOKEN' });
    const fresh = await gqlData(t.url, CurrentSessionDocument, undefined, { token: newToken });
    expect(fresh.currentSession).toMatchObject({ id: me.sessionId, isActive: true, isCurrent: true, revokedAt: null });

    // The socket opened with the old token is still open and still serves this session.
    expect(await stillOpen(ws.closed)).toBe('open');
    const status = ws.subscribe(AccountStatusChangedDocument);
    const first = await status.results.next(5000, 'account status over the old socket');
    expect(first.data?.accountStatusChanged).toMatchObject({ status: 'ACTIVE', user: { id: me.userId } });
    const another = await gqlData(t.url, SignInDocument, { input: { email, password: PASSWORD } });
    if (another.signIn.__typename !== 'AuthPayload') throw new Error('device limit');
    const created = await events.results.next(5000, 'CREATED after the grace window');
    expect(created.data?.sessionEvents).toMatchObject({ type: 'CREATED', isCurrent: false, session: { id: another.signIn.session.id } });
    expect(await stillOpen(ws.closed)).toBe('open');
  });

  it('a refreshed session can still be expired and revoked by id (the old token does not outlive it)', async () => {
    const t = await startTestApp(ENV);
    const me = await signUp(t, 'refresh-revoke@example.test');
    const refreshed = await gqlData(t.url, RefreshSessionDocument, undefined, { token: me.token });
    const newToken = refreshed.refreshSession.token;
    // Signing out with the new token inside the grace window also ends the old token.
    expect((await gqlData(t.url, SignOutDocument, undefined, { token: newToken })).signOut).toBe(true);
    const old = await gql(t.url, MeDocument, undefined, { token: me.token });
    expect(old.status).toBe(401);
    // The rotated-away token is dropped with the session; DESIGN.md leaves its reason open.
    expect(errorOf(old).code).toBe('UNAUTHENTICATED');
    expect(['SESSION_REVOKED', 'INVALID_TOKEN']).toContain(errorOf(old).reason);
    const current = await gql(t.url, MeDocument, undefined, { token: newToken });
    expect(current.status).toBe(401);
    expect(errorOf(current)).toEqual({ code: 'UNAUTHENTICATED', reason: 'SESSION_REVOKED' });
  });
});
