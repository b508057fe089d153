import { createHash, createHmac, hkdfSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ClosePortalSessionDocument,
  CreatePortalDocument,
  DeletePortalDocument,
  OpenPortalSessionDocument,
  PortalCountsDocument,
  PortalSessionDocument,
  PortalSessionEventsDocument,
  PortalSessionNodeDocument,
  PortalSessionsDocument,
  PortalsDocument,
  PortalStatsDocument,
  RefreshPortalSessionDocument,
  UpdatePortalDocument,
  UsePortalSessionDocument,
  type PortalInput,
} from '../generated/graphql.js';
import { adminToken, connectWs, errorOf, gql, gqlData, onCleanup, signUpAccount, startTestApp, type TestApp } from '../utils/app.js';
import { waitFor } from '../utils/queue.js';
import { CLIENT_FIELD, LOGIN_PAGE_TEXT, startTestPortal, type TestPortal } from '../utils/test-portal.js';
import { SqlitePortalStore, type NewPortalSession } from '../../src/portal/store.js';
import { decrypt, derivePortalKeys, encrypt } from '../../src/portal/crypto.js';
import { loadOrCreateSecret } from '../../src/lib/secret.js';
import { openDatabase } from '../../src/db/open.js';
import { createRelayedEvents } from '../../src/relay/relay.js';
import { SqliteOutboxStore } from '../../src/relay/store.js';
import type { PortalSessionEvent } from '../../src/events.js';

const PASSWORD = 'alice-portal-pw';

function portalInput(upstream: TestPortal, overrides: Partial<PortalInput> = {}): PortalInput {
  return {
    name: 'Carrier Portal',
    connector: 'HTTP_FORM',
    loginUrl: upstream.loginUrl,
    usernameField: 'user',
    passwordField: 'pass',
    extraFields: CLIENT_FIELD,
    keepAliveUrl: upstream.keepAliveUrl,
    loggedOutPattern: LOGIN_PAGE_TEXT,
    refreshIntervalSeconds: 300,
    idleTimeoutSeconds: 1800,
    ...overrides,
  };
}


/** An app, a test portal with alice's account, the portal defined by the admin, and member alice. */
async function setup(
  options: {
    portalTimeoutMs?: number;
    portal?: Partial<PortalInput>;
    env?: Record<string, string>;
    sqlTrace?: (sql: string) => void;
    portalKeeperSleep?: (ms: number) => Promise<void>;
  } = {},
) {
  const t = await startTestApp(options.env ?? {}, {
    portalTimeoutMs: options.portalTimeoutMs,
    sqlTrace: options.sqlTrace,
    portalKeeperSleep: options.portalKeeperSleep,
  });
  const upstream = await startTestPortal({ alice: PASSWORD });
  onCleanup(() => upstream.stop());
  const admin = await adminToken(t.url);
  const portal = (await gqlData(t.url, CreatePortalDocument, { input: portalInput(upstream, options.portal) }, { token: admin })).createPortal;
  const alice = await signUpAccount(t.url, 'alice@example.test');
  const open = (token: string, overrides: { password?: string; keepAlive?: boolean; username?: string } = {}) =>
    gql(
      t.url,
      OpenPortalSessionDocument,
      { input: { portalId: portal.id, username: overrides.username ?? 'alice', password: overrides.password ?? PASSWORD, keepAlive: overrides.keepAlive } },
      { token },
    );
  return { ...t, t, upstream, admin, portal, alice, open };
}

async function openData(open: () => ReturnType<Awaited<ReturnType<typeof setup>>['open']>) {
  const result = await open();
  if (result.body.errors?.length || !result.body.data) throw new Error(`open failed: ${JSON.stringify(result.body.errors)}`);
  return result.body.data.openPortalSession;
}

function countRows(t: TestApp, where = '1 = 1'): number {
  return t.app.db.prepare(`SELECT count(*) FROM portal_sessions WHERE ${where}`).pluck().get() as number;
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();
const nowSeconds = (clock: { now(): number }): number => Math.floor(clock.now() / 1000);

describe('portal login rate limit', () => {
  it('counts new upstream logins per user, not reuses, and answers RATE_LIMITED when the window is full', async () => {
    const { open, alice, clock, upstream } = await setup({ env: { PORTAL_LOGIN_RATE_LIMIT: '2/10m' } });
    expect((await openData(() => open(alice.token))).isNew).toBe(true);
    expect(errorOf(await open(alice.token, { username: 'bob' })).code).toBe('PORTAL_LOGIN_FAILED');
    expect((await openData(() => open(alice.token))).isNew).toBe(false); // reuse is free
    const attempts = upstream.loginAttempts;
    const limited = await open(alice.token, { username: 'carol' });
    expect(errorOf(limited)).toEqual({ code: 'RATE_LIMITED', reason: 'TOO_MANY_PORTAL_LOGINS' });
    expect(limited.body.errors?.[0].extensions?.retryAfterSeconds).toBe(600);
    expect(upstream.loginAttempts).toBe(attempts); // refused before any upstream call
    clock.advance(601);
    expect(errorOf(await open(alice.token, { username: 'carol' })).code).toBe('PORTAL_LOGIN_FAILED');
  });
});

describe('portal definitions', () => {
  it('admins create, list, update and delete portals with defaults; input is validated per field', async () => {
    const { url, upstream, admin, alice } = await setup();
    const minimal = await gqlData(
      url,
      CreatePortalDocument,
      { input: { name: 'Terminal', loginUrl: `${upstream.origin}/login`, keepAliveUrl: `${upstream.origin}/keepalive` } },
      { token: admin },
    );
    expect(minimal.createPortal).toMatchObject({
      name: 'Terminal',
      connector: 'HTTP_FORM',
      usernameField: 'username',
      passwordField: 'password',
      extraFields: {},
      loggedOutPattern: null,
      refreshIntervalSeconds: 300,
      idleTimeoutSeconds: 1800,
    });
    expect(minimal.createPortal.id).toMatch(/^prt_/);

    const bad = await gql(
      url,
      CreatePortalDocument,
      {
        input: {
          name: ' ',
          loginUrl: 'ftp://portal.example/login',
          keepAliveUrl: 'not a url',
          refreshIntervalSeconds: 0,
          idleTimeoutSeconds: 99_999_999,
          extraFields: ['not', 'an', 'object'],
        },
      },
      { token: admin },
    );
    expect(errorOf(bad).code).toBe('BAD_USER_INPUT');
    const fields = bad.body.errors?.[0].extensions?.fields as { path: string; message: string }[];
    expect(Object.fromEntries(fields.map((f) => [f.path, f.message]))).toEqual({
      'input.name': 'must not be empty',
      'input.loginUrl': 'must be an http:// or https:// URL',
      'input.keepAliveUrl': 'must be an http:// or https:// URL',
      'input.refreshIntervalSeconds': 'must be between 10 and 86400',
      'input.idleTimeoutSeconds': 'must be between 60 and 2592000',
      'input.extraFields': 'must be a JSON object of field names to strings, numbers or booleans',
    });

    // Members see portals (without the static form fields) but cannot define them.
    const seen = await gqlData(url, PortalsDocument, undefined, { token: alice.token });
    expect(seen.portals.map((p) => [p.name, p.extraFields])).toEqual([
      ['Carrier Portal', null],
      ['Terminal', null],
    ]);
    expect(errorOf(await gql(url, CreatePortalDocument, { input: portalInput(upstream) }, { token: alice.token }))).toEqual({ code: 'FORBIDDEN', reason: 'NOT_ADMIN' });
    expect(errorOf(await gql(url, DeletePortalDocument, { id: minimal.createPortal.id }, { token: alice.token }))).toEqual({ code: 'FORBIDDEN', reason: 'NOT_ADMIN' });

    const updated = await gqlData(
      url,
      UpdatePortalDocument,
      { id: minimal.createPortal.id, input: portalInput(upstream, { name: 'Terminal 2', refreshIntervalSeconds: 120 }) },
      { token: admin },
    );
    expect(updated.updatePortal).toMatchObject({ id: minimal.createPortal.id, name: 'Terminal 2', refreshIntervalSeconds: 120, extraFields: CLIENT_FIELD });
    expect((await gqlData(url, DeletePortalDocument, { id: minimal.createPortal.id }, { token: admin })).deletePortal).toBe(true);
    expect(errorOf(await gql(url, DeletePortalDocument, { id: minimal.createPortal.id }, { token: admin }))).toMatchObject({ code: 'NOT_FOUND' });
    expect((await gqlData(url, PortalsDocument, undefined, { token: admin })).portals.map((p) => p.name)).toEqual(['Carrier Portal']);
  });

  it('refuses pending accounts with ACCOUNT_PENDING and anonymous callers with MISSING_TOKEN', async () => {
    const { url, open } = await setup();
    const pending = await signUpAccount(url, 'pending@example.test', 'EMPLOYER');
    expect(errorOf(await gql(url, PortalsDocument, undefined, { token: pending.token }))).toEqual({ code: 'FORBIDDEN', reason: 'ACCOUNT_PENDING' });
    expect(errorOf(await open(pending.token))).toEqual({ code: 'FORBIDDEN', reason: 'ACCOUNT_PENDING' });
    expect(errorOf(await gql(url, PortalSessionsDocument, {}))).toEqual({ code: 'UNAUTHENTICATED', reason: 'MISSING_TOKEN' });
  });
});

describe('opening portal sessions', () => {
  it('reuses a live session by credentials: isNew false and exactly one upstream login', async () => {
    const { url, upstream, alice, portal, open, clock } = await setup();
    const first = await openData(() => open(alice.token));
    expect(first.isNew).toBe(true);
    expect(first.session).toMatchObject({
      username: 'alice',
      keepAlive: true,
      state: 'ACTIVE',
      expiresAt: null,
      failureReason: null,
      owner: { id: alice.id },
      portal: { id: portal.id, name: 'Carrier Portal' },
    });
    expect(first.session.id).toMatch(/^pss_/);
    expect(upstream.logins).toBe(1);
    // The form carried the portal's field names and its static extra field.
    expect(Object.fromEntries(upstream.lastLoginForm!)).toEqual({ client: 'gatehouse-test', user: 'alice', pass: PASSWORD });

    clock.advance(30);
    const again = await openData(() => open(alice.token));
    expect(again.isNew).toBe(false);
    expect(again.session.id).toBe(first.session.id);
    expect(again.session.lastUsedAt).toBe(iso(nowSeconds(clock)));
    expect(upstream.logins).toBe(1);
    expect(upstream.loginAttempts).toBe(1);

    // usePortalSession hands out the upstream cookies (the deleted tracking cookie is gone).
    clock.advance(60);
    const used = await gqlData(url, UsePortalSessionDocument, { id: first.session.id }, { token: alice.token });
    expect(used.usePortalSession.cookieHeader).toBe(`sid=${upstream.liveCookies[0]}; lang=en`);
    expect(used.usePortalSession.session.lastUsedAt).toBe(iso(nowSeconds(clock)));
    expect(used.usePortalSession.session.createdAt).toBe(first.session.createdAt);

    // A different password is a different key: a new login (the portal refuses it).
    const other = await open(alice.token, { password: 'something-else' });
    expect(errorOf(other).code).toBe('PORTAL_LOGIN_FAILED');
    expect(upstream.loginAttempts).toBe(2);
    expect((await gqlData(url, PortalSessionsDocument, {}, { token: alice.token })).portalSessions.map((s) => s.id)).toEqual([first.session.id]);
  });

  it('10 concurrent opens with the same credentials share exactly one upstream login', async () => {
    const { app, upstream, alice, open } = await setup();
    const release = upstream.holdLogins();
    const opens = Array.from({ length: 10 }, () => open(alice.token));
    // One login reached the portal and the other nine opens are waiting on it in the server.
    await waitFor(() => upstream.loginAttempts === 1 && app.services.portal.flightStats().joined === 9, 'nine opens joining the first');
    release();
    const results = await Promise.all(opens);
    for (const result of results) expect(result.body.errors).toBeUndefined();
    const payloads = results.map((r) => r.body.data!.openPortalSession);
    expect(new Set(payloads.map((p) => p.session.id)).size).toBe(1);
    expect(payloads.filter((p) => p.isNew)).toHaveLength(1);
    expect(upstream.logins).toBe(1);
    expect(upstream.loginAttempts).toBe(1);
    expect(app.services.portal.flightStats()).toEqual({ opening: 0, joined: 0, refreshing: 0 });
  });

  it('a wrong password answers PORTAL_LOGIN_FAILED and stores nothing', async () => {
    const t = await setup();
    const wrong = await t.open(t.alice.token, { password: 'not-the-password' });
    expect(errorOf(wrong).code).toBe('PORTAL_LOGIN_FAILED');
    expect(wrong.body.errors?.[0].message).toBe(
      'The portal did not accept the login. The portal sent the login form back instead of signing in. Check the username and password and try again; nothing was stored.',
    );
    expect(wrong.body.data).toBeNull();
    expect(countRows(t)).toBe(0);
    expect(t.upstream.loginAttempts).toBe(1);
    const audit = t.app.db.prepare("SELECT actor_id, target_id, detail FROM audit_events WHERE action = 'portal.session_failed'").all() as { detail: string }[];
    expect(audit).toEqual([{ actor_id: t.alice.id, target_id: t.portal.id, detail: expect.stringContaining('"status":"LOGIN_FAILED"') }]);
    expect(audit[0].detail).not.toContain('not-the-password');
  });

  it('an unreachable or too slow portal answers PORTAL_UNAVAILABLE and stores nothing', async () => {
    const down = await setup();
    await down.upstream.stop();
    const refused = await down.open(down.alice.token);
    expect(errorOf(refused).code).toBe('PORTAL_UNAVAILABLE');
    expect(refused.body.errors?.[0].message).toMatch(
      /^The portal is not reachable right now\. Could not connect to the portal at 127\.0\.0\.1:\d+ \(ECONNREFUSED\)\. Try again in a few minutes\.$/,
    );
    expect(countRows(down)).toBe(0);

    const slow = await setup({ portalTimeoutMs: 150 });
    slow.upstream.delayLogins(2000);
    const timedOut = await slow.open(slow.alice.token);
    expect(errorOf(timedOut).code).toBe('PORTAL_UNAVAILABLE');
    expect(timedOut.body.errors?.[0].message).toContain('did not answer within 150 ms.');
    expect(countRows(slow)).toBe(0);
  });

  it('keeps owners apart: the same credentials give another user another session they cannot reach across', async () => {
    const { url, upstream, admin, alice, open } = await setup();
    const bob = await signUpAccount(url, 'bob@example.test');
    const aliceSession = (await openData(() => open(alice.token))).session;
    const bobOpen = await openData(() => open(bob.token));
    expect(bobOpen.isNew).toBe(true);
    expect(bobOpen.session.id).not.toBe(aliceSession.id);
    expect(bobOpen.session.owner.id).toBe(bob.id);
    expect(upstream.logins).toBe(2);

    const id = aliceSession.id;
    expect(errorOf(await gql(url, UsePortalSessionDocument, { id }, { token: bob.token }))).toEqual({ code: 'FORBIDDEN', reason: 'NOT_OWNER' });
    expect(errorOf(await gql(url, ClosePortalSessionDocument, { id }, { token: bob.token }))).toEqual({ code: 'FORBIDDEN', reason: 'NOT_OWNER' });
    expect(errorOf(await gql(url, RefreshPortalSessionDocument, { id }, { token: bob.token }))).toEqual({ code: 'FORBIDDEN', reason: 'NOT_OWNER' });
    expect((await gqlData(url, PortalSessionDocument, { id }, { token: bob.token })).portalSession).toBeNull();
    expect((await gqlData(url, PortalSessionNodeDocument, { id }, { token: bob.token })).node).toBeNull();
    expect((await gqlData(url, PortalSessionsDocument, {}, { token: bob.token })).portalSessions.map((s) => s.id)).toEqual([bobOpen.session.id]);
    expect(errorOf(await gql(url, PortalSessionsDocument, { all: true }, { token: bob.token }))).toEqual({ code: 'FORBIDDEN', reason: 'NOT_ADMIN' });
    expect(errorOf(await gql(url, UsePortalSessionDocument, { id: 'pss_doesnotexist' }, { token: bob.token }))).toMatchObject({ code: 'NOT_FOUND' });

    // Admins see everyone's sessions but still cannot take someone's cookies.
    const all = await gqlData(url, PortalSessionsDocument, { all: true }, { token: admin });
    expect(all.portalSessions.map((s) => s.owner.id).sort()).toEqual([alice.id, bob.id].sort());
    expect((await gqlData(url, PortalSessionDocument, { id }, { token: admin })).portalSession?.owner.id).toBe(alice.id);
    expect(errorOf(await gql(url, UsePortalSessionDocument, { id }, { token: admin }))).toEqual({ code: 'FORBIDDEN', reason: 'NOT_OWNER' });

    // Alice's session is untouched.
    const mine = await gqlData(url, UsePortalSessionDocument, { id }, { token: alice.token });
    expect(mine.usePortalSession.session.state).toBe('ACTIVE');
    expect(mine.usePortalSession.session.owner.id).toBe(alice.id);
  });

  it('closing wipes the stored secrets and publishes CLOSED; deleting a portal closes its live sessions', async () => {
    const t = await setup();
    const { url, wsUrl, app, admin, alice, portal, open } = t;
    const events = connectWs(wsUrl, { token: alice.token }).subscribe(PortalSessionEventsDocument);
    await waitFor(() => app.events.subscriberCount('portal', alice.id) === 1, 'the portalSessionEvents subscription');
    const first = (await openData(() => open(alice.token))).session;
    expect((await events.results.next()).data?.portalSessionEvents).toMatchObject({ type: 'OPENED', session: { id: first.id, state: 'ACTIVE' } });

    const closed = await gqlData(url, ClosePortalSessionDocument, { id: first.id }, { token: alice.token });
    expect(closed.closePortalSession).toMatchObject({ id: first.id, state: 'CLOSED', failureReason: null });
    expect((await events.results.next()).data?.portalSessionEvents).toMatchObject({ type: 'CLOSED', session: { id: first.id, state: 'CLOSED' } });
    expect(app.db.prepare('SELECT encrypted_password, encrypted_cookies FROM portal_sessions WHERE id = ?').get(first.id)).toEqual({
      encrypted_password: null,
      encrypted_cookies: null,
    });
    const reuse = await gql(url, UsePortalSessionDocument, { id: first.id }, { token: alice.token });
    expect(errorOf(reuse)).toEqual({ code: 'CONFLICT', reason: 'PORTAL_SESSION_ENDED' });
    // Closing twice is harmless.
    expect((await gqlData(url, ClosePortalSessionDocument, { id: first.id }, { token: alice.token })).closePortalSession.state).toBe('CLOSED');
    expect(app.db.prepare("SELECT count(*) FROM audit_events WHERE action = 'portal.session_closed'").pluck().get()).toBe(1);

    // A closed session does not block a new one with the same credentials.
    const second = await openData(() => open(alice.token));
    expect(second.isNew).toBe(true);
    expect((await events.results.next()).data?.portalSessionEvents.type).toBe('OPENED');
    expect((await gqlData(url, DeletePortalDocument, { id: portal.id }, { token: admin })).deletePortal).toBe(true);
    expect((await events.results.next()).data?.portalSessionEvents).toMatchObject({
      type: 'CLOSED',
      session: { id: second.session.id, state: 'CLOSED', failureReason: 'The portal was deleted by an administrator.' },
    });
    expect(countRows(t)).toBe(0);
  });
});

describe('encryption at rest', () => {
  it('stores neither the password nor the cookie in the database files; the credential key is an HMAC under the secret', async () => {
    const t = await setup();
    const { session } = await openData(() => t.open(t.alice.token));
    const cookie = t.upstream.liveCookies[0];
    expect(cookie).toMatch(/^[0-9a-f]{32}$/);
    // Make sure both secrets have been written to the WAL and checkpointed into the main file too.
    await gqlData(t.url, UsePortalSessionDocument, { id: session.id }, { token: t.alice.token });
    const row = t.app.db.prepare('SELECT * FROM portal_sessions WHERE id = ?').get(session.id) as Record<string, unknown>;
    const rowText = JSON.stringify(row, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('latin1') : v));
    expect(rowText).not.toContain(PASSWORD);
    expect(rowText).not.toContain(cookie);
    const dbPath = join(t.dir, 'gatehouse.db');
    const scan = () => {
      for (const path of [dbPath, `${dbPath}-wal`]) {
        const bytes = readFileSync(path);
        expect(bytes.indexOf(PASSWORD), path).toBe(-1);
        expect(bytes.indexOf(cookie), path).toBe(-1);
      }
    };
    scan();
    t.app.db.pragma('wal_checkpoint(PASSIVE)');
    scan();

    // The ciphertexts are AES-256-GCM under a key derived from the server secret, bound to their row and column.
    const secret = Buffer.from(readFileSync(join(t.dir, 'secret'), 'utf8').trim(), 'hex');
    const keys = derivePortalKeys(secret);
    expect(decrypt(keys.encryption, row.encrypted_password as Buffer, `${session.id}:password`)).toBe(PASSWORD);
    expect(JSON.parse(decrypt(keys.encryption, row.encrypted_cookies as Buffer, `${session.id}:cookies`))).toEqual({ sid: cookie, lang: 'en' });
    expect(() => decrypt(keys.encryption, row.encrypted_password as Buffer, `${session.id}:cookies`)).toThrow();
    expect((row.encrypted_password as Buffer).length).toBe(1 + 12 + 16 + PASSWORD.length);

    // credential_key = HMAC-SHA256(HKDF(secret), [owner, portal, username, password]); not a bare hash.
    const key = row.credential_key as string;
    const hmacKey = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'gatehouse/portal/credential-key/v1', 32));
    expect(key).toBe(createHmac('sha256', hmacKey).update(JSON.stringify([t.alice.id, t.portal.id, 'alice', PASSWORD])).digest('hex'));
    const parts = [t.alice.id, t.portal.id, 'alice', PASSWORD];
    for (const input of [parts.join(''), parts.join(':'), parts.join('\n'), JSON.stringify(parts), `alice${PASSWORD}`, PASSWORD]) {
      expect(key).not.toBe(createHash('sha256').update(input).digest('hex'));
    }
  });
});

describe('keeper', () => {
  it('refreshes keep-alive sessions once their interval passed and pushes REFRESHED over graphql-ws', async () => {
    const { app, wsUrl, clock, upstream, alice, open } = await setup();
    const events = connectWs(wsUrl, { token: alice.token }).subscribe(PortalSessionEventsDocument);
    await waitFor(() => app.events.subscriberCount('portal', alice.id) === 1, 'the portalSessionEvents subscription');
    const { session } = await openData(() => open(alice.token));
    const opened = (await events.results.next()).data?.portalSessionEvents;
    expect(opened).toMatchObject({ type: 'OPENED', session: { id: session.id, state: 'ACTIVE' } });

    clock.advance(299);
    expect(await app.portalKeeper.sweep()).toMatchObject({ refreshed: 0, reloggedIn: 0, failed: 0, expired: 0 });
    expect(upstream.keepAlives).toBe(0);

    clock.advance(1);
    expect(await app.portalKeeper.sweep()).toMatchObject({ refreshed: 1, reloggedIn: 0, failed: 0, unavailable: 0 });
    expect(upstream.keepAlives).toBe(1);
    expect(upstream.logins).toBe(1);
    const refreshed = (await events.results.next()).data?.portalSessionEvents;
    expect(refreshed).toMatchObject({ type: 'REFRESHED', session: { id: session.id, state: 'ACTIVE', lastRefreshAt: iso(nowSeconds(clock)) } });

    // Not due again until another full interval.
    clock.advance(200);
    expect((await app.portalKeeper.sweep()).refreshed).toBe(0);
    // A portal that cannot be reached changes nothing and is retried on the next sweep.
    clock.advance(100);
    await upstream.stop();
    expect(await app.portalKeeper.sweep()).toMatchObject({ refreshed: 0, unavailable: 1, failed: 0 });
    expect(events.results.pending).toHaveLength(0);
  });

  it('logs in again once when the portal logged the session out (redirect, text marker or 401) and publishes REFRESHED', async () => {
    const { app, url, wsUrl, clock, upstream, alice, open } = await setup();
    const { session } = await openData(() => open(alice.token));
    const events = connectWs(wsUrl, { token: alice.token }).subscribe(PortalSessionEventsDocument);
    await waitFor(() => app.events.subscriberCount('portal', alice.id) === 1, 'the portalSessionEvents subscription');
    let logins = 1;
    for (const style of ['redirect', 'text', 'status'] as const) {
      upstream.loggedOutStyle = style;
      const oldCookie = upstream.liveCookies[0];
      upstream.logoutAll();
      clock.advance(300);
      expect(await app.portalKeeper.sweep(), style).toMatchObject({ refreshed: 0, reloggedIn: 1, failed: 0 });
      expect(upstream.logins).toBe(++logins);
      const event = (await events.results.next()).data?.portalSessionEvents;
      expect(event).toMatchObject({ type: 'REFRESHED', session: { id: session.id, state: 'ACTIVE', failureReason: null } });
      const used = await gqlData(url, UsePortalSessionDocument, { id: session.id }, { token: alice.token });
      expect(used.usePortalSession.cookieHeader).toBe(`sid=${upstream.liveCookies[0]}; lang=en`);
      expect(upstream.liveCookies[0]).not.toBe(oldCookie);
    }
    // refreshPortalSession does the same on demand.
    upstream.logoutAll();
    const now = await gqlData(url, RefreshPortalSessionDocument, { id: session.id }, { token: alice.token });
    expect(now.refreshPortalSession).toMatchObject({ state: 'ACTIVE', lastRefreshAt: iso(nowSeconds(clock)) });
    expect(upstream.logins).toBe(logins + 1);
  });

  it('a keep-alive that works neither opens the stored password nor re-seals unchanged cookies; only a re-login needs the password', async () => {
    const { app, url, clock, upstream, alice, open } = await setup();
    const { session } = await openData(() => open(alice.token));
    const sealed = () =>
      app.db.prepare('SELECT encrypted_password, encrypted_cookies FROM portal_sessions WHERE id = ?').get(session.id) as {
        encrypted_password: Buffer | null;
        encrypted_cookies: Buffer | null;
      };
    // Corrupt the stored password: any attempt to open it fails from now on.
    const corrupted = Buffer.from(sealed().encrypted_password!);
    corrupted[corrupted.length - 1] ^= 1;
    app.db.prepare('UPDATE portal_sessions SET encrypted_password = ? WHERE id = ?').run(corrupted, session.id);
    const store = new SqlitePortalStore(app.db);
    const cookieHeaderNow = async () => (await gqlData(url, UsePortalSessionDocument, { id: session.id }, { token: alice.token })).usePortalSession.cookieHeader;
    const sid = upstream.liveCookies[0];

    // The portal changes no cookie: refreshed, with the very same ciphertext kept.
    const before = sealed().encrypted_cookies!;
    clock.advance(300);
    expect(await app.portalKeeper.sweep()).toMatchObject({ refreshed: 1, reloggedIn: 0, failed: 0, unavailable: 0 });
    expect(upstream.keepAlives).toBe(1);
    expect(sealed().encrypted_cookies!.equals(before)).toBe(true);
    expect(await store.findSession(session.id)).toMatchObject({ state: 'ACTIVE', lastRefreshAt: nowSeconds(clock) });
    expect(await cookieHeaderNow()).toBe(`sid=${sid}; lang=en`);

    // The portal renews a cookie: sealed anew, and handed out from then on.
    upstream.keepAliveSetCookie = 'lang=de; Path=/';
    clock.advance(300);
    expect(await app.portalKeeper.sweep()).toMatchObject({ refreshed: 1, reloggedIn: 0, failed: 0 });
    expect(sealed().encrypted_cookies!.equals(before)).toBe(false);
    expect(await cookieHeaderNow()).toBe(`sid=${sid}; lang=de`);

    // Logged out upstream: the re-login needs the password, which cannot be opened: FAILED, no login sent.
    upstream.logoutAll();
    clock.advance(300);
    expect(await app.portalKeeper.sweep()).toMatchObject({ refreshed: 0, reloggedIn: 0, failed: 1 });
    expect(upstream.loginAttempts).toBe(1);
    expect(await store.findSession(session.id)).toMatchObject({
      state: 'FAILED',
      failureReason: expect.stringContaining('cannot be decrypted') as unknown as string,
    });
  });

  it('marks the session FAILED with the reason and publishes REFRESH_FAILED when the re-login is refused; cleans it up a day later', async () => {
    const t = await setup();
    const { app, url, wsUrl, clock, upstream, alice, open } = t;
    const { session } = await openData(() => open(alice.token));
    const events = connectWs(wsUrl, { token: alice.token }).subscribe(PortalSessionEventsDocument);
    await waitFor(() => app.events.subscriberCount('portal', alice.id) === 1, 'the portalSessionEvents subscription');
    upstream.setPassword('alice', 'changed-upstream');
    upstream.logoutAll();
    clock.advance(300);
    expect(await app.portalKeeper.sweep()).toMatchObject({ refreshed: 0, reloggedIn: 0, failed: 1 });
    expect(upstream.loginAttempts).toBe(2); // the first login, and exactly one re-login
    const reason = 'The portal logged the session out and logging in again failed: The portal sent the login form back instead of signing in.';
    const event = (await events.results.next()).data?.portalSessionEvents;
    expect(event).toMatchObject({ type: 'REFRESH_FAILED', session: { id: session.id, state: 'FAILED', failureReason: reason } });
    expect((await gqlData(url, PortalSessionDocument, { id: session.id }, { token: alice.token })).portalSession).toMatchObject({ state: 'FAILED', failureReason: reason });
    expect(app.db.prepare('SELECT encrypted_password, encrypted_cookies FROM portal_sessions WHERE id = ?').get(session.id)).toEqual({
      encrypted_password: null,
      encrypted_cookies: null,
    });
    const use = await gql(url, UsePortalSessionDocument, { id: session.id }, { token: alice.token });
    expect(errorOf(use)).toEqual({ code: 'CONFLICT', reason: 'PORTAL_SESSION_ENDED' });
    expect(use.body.errors?.[0].message).toBe(`This portal session is FAILED (${reason}). Open a new one with openPortalSession.`);

    // No further attempts on a failed session.
    clock.advance(300);
    await app.portalKeeper.sweep();
    expect(upstream.loginAttempts).toBe(2);

    // The user opens a new one with the new password; the failed one is deleted after a day.
    const fresh = await openData(() => open(alice.token, { password: 'changed-upstream' }));
    expect(fresh.isNew).toBe(true);
    // It failed 300 s ago; dead sessions are kept for a day.
    clock.advance(86400 - 300 - 1);
    expect((await app.portalKeeper.sweep()).deleted).toBe(0);
    clock.advance(1);
    expect((await app.portalKeeper.sweep()).deleted).toBe(1);
    expect((await gqlData(url, PortalSessionsDocument, {}, { token: alice.token })).portalSessions.map((s) => s.id)).toEqual([fresh.session.id]);
  });

  it('expires idle non-keep-alive sessions after the idle timeout since last use (EXPIRED event)', async () => {
    const { app, url, wsUrl, clock, upstream, alice, open } = await setup();
    const events = connectWs(wsUrl, { token: alice.token }).subscribe(PortalSessionEventsDocument);
    await waitFor(() => app.events.subscriberCount('portal', alice.id) === 1, 'the portalSessionEvents subscription');
    const { session } = await openData(() => open(alice.token, { keepAlive: false }));
    expect((await events.results.next()).data?.portalSessionEvents.type).toBe('OPENED');
    const openedAt = nowSeconds(clock);
    expect(session).toMatchObject({ keepAlive: false, expiresAt: iso(openedAt + 1800) });

    clock.advance(1000);
    const used = await gqlData(url, UsePortalSessionDocument, { id: session.id }, { token: alice.token });
    expect(used.usePortalSession.session.expiresAt).toBe(iso(openedAt + 1000 + 1800));
    clock.advance(1799);
    expect(await app.portalKeeper.sweep()).toMatchObject({ expired: 0, refreshed: 0 });
    clock.advance(1);
    expect(await app.portalKeeper.sweep()).toMatchObject({ expired: 1, refreshed: 0 });
    expect(upstream.keepAlives).toBe(0); // non-keep-alive sessions are never pinged
    const expired = (await events.results.next()).data?.portalSessionEvents;
    expect(expired).toMatchObject({ type: 'EXPIRED', session: { id: session.id, state: 'EXPIRED' } });
    expect(errorOf(await gql(url, UsePortalSessionDocument, { id: session.id }, { token: alice.token }))).toEqual({ code: 'CONFLICT', reason: 'PORTAL_SESSION_ENDED' });

    // A session past its deadline expires on sight too, before any sweep.
    const second = (await openData(() => open(alice.token, { keepAlive: false }))).session;
    expect((await events.results.next()).data?.portalSessionEvents.type).toBe('OPENED');
    clock.advance(1800);
    expect(errorOf(await gql(url, UsePortalSessionDocument, { id: second.id }, { token: alice.token }))).toEqual({ code: 'CONFLICT', reason: 'PORTAL_SESSION_ENDED' });
    expect((await events.results.next()).data?.portalSessionEvents).toMatchObject({ type: 'EXPIRED', session: { id: second.id } });
  });

  it('keeps state across a restart: sessions stay usable and reusable, and the keeper carries on', async () => {
    const first = await setup();
    const { session } = await openData(() => first.open(first.alice.token));
    const cookieHeader = (await gqlData(first.url, UsePortalSessionDocument, { id: session.id }, { token: first.alice.token })).usePortalSession.cookieHeader;
    // A login the server never finished (it stopped mid-login) is left OPENING.
    const interruptedId = 'pss_interrupted';
    first.app.db
      .prepare(
        `INSERT INTO portal_sessions (id, owner_id, portal_id, username, credential_key, keep_alive, state, encrypted_password, created_at, last_used_at, last_refresh_at)
         VALUES (?, ?, ?, 'alice', 'k-interrupted', 1, 'OPENING', x'00', 0, 0, 0)`,
      )
      .run(interruptedId, first.alice.id, first.portal.id);

    const second = await first.restart();
    const again = await gqlData(second.url, PortalSessionDocument, { id: session.id }, { token: first.alice.token });
    expect(again.portalSession).toMatchObject({ id: session.id, state: 'ACTIVE' });
    const used = await gqlData(second.url, UsePortalSessionDocument, { id: session.id }, { token: first.alice.token });
    expect(used.usePortalSession.cookieHeader).toBe(cookieHeader);
    const reopened = await gql(
      second.url,
      OpenPortalSessionDocument,
      { input: { portalId: first.portal.id, username: 'alice', password: PASSWORD } },
      { token: first.alice.token },
    );
    expect(reopened.body.data?.openPortalSession).toMatchObject({ isNew: false, session: { id: session.id } });
    expect(first.upstream.logins).toBe(1);

    second.clock.advance(300);
    expect(await second.app.portalKeeper.sweep()).toMatchObject({ refreshed: 1, interrupted: 1, failed: 0 });
    expect(first.upstream.keepAlives).toBe(1);
    const interrupted = await gqlData(second.url, PortalSessionDocument, { id: interruptedId }, { token: first.alice.token });
    expect(interrupted.portalSession).toMatchObject({
      state: 'FAILED',
      failureReason: 'The server stopped before the portal login finished. Open the session again.',
    });
  });

  it('/health and admin stats count active and keep-alive portal sessions', async () => {
    const { url, clock, admin, alice, open } = await setup();
    const bob = await signUpAccount(url, 'bob@example.test');
    const healthUrl = url.replace(/\/graphql$/, '/health');
    const counts = async () => {
      const http = (await (await fetch(healthUrl)).json()) as { activePortalSessions: number; keepAlivePortalSessions: number };
      const query = (await gqlData(url, PortalCountsDocument)).health;
      const stats = (await gqlData(url, PortalStatsDocument, undefined, { token: admin })).stats.portalSessions;
      expect(query).toEqual({ activePortalSessions: http.activePortalSessions, keepAlivePortalSessions: http.keepAlivePortalSessions });
      expect(stats).toEqual({ active: http.activePortalSessions, keepAlive: http.keepAlivePortalSessions });
      return stats;
    };
    expect(await counts()).toEqual({ active: 0, keepAlive: 0 });
    const kept = (await openData(() => open(alice.token))).session;
    await openData(() => open(bob.token, { keepAlive: false }));
    expect(await counts()).toEqual({ active: 2, keepAlive: 1 });
    // Bob's idle session stops counting at its deadline, even before a sweep marks it EXPIRED.
    clock.advance(1800);
    expect(await counts()).toEqual({ active: 1, keepAlive: 1 });
    await gqlData(url, ClosePortalSessionDocument, { id: kept.id }, { token: alice.token });
    expect(await counts()).toEqual({ active: 0, keepAlive: 0 });
  });

  it('sweeps 2,000 due sessions in chunks of 200 while /health keeps answering', async () => {
    const t = await setup();
    const { app, url, clock, upstream, alice } = t;
    const real = (await openData(() => t.open(alice.token))).session;
    const now = nowSeconds(clock);
    await insertBulk(t, 2000, 'bulk', (i) => now - (i % 50));
    clock.advance(300);

    let finished = false;
    const sweep = app.portalKeeper.sweep().then((result) => {
      finished = true;
      return result;
    });
    await waitFor(() => upstream.keepAlives > 0, 'the sweep to start calling the portal');
    const health = (await (await fetch(url.replace(/\/graphql$/, '/health'))).json()) as { status: string; activePortalSessions: number };
    expect(health).toMatchObject({ status: 'ok', activePortalSessions: 2001 });
    // /health answered while the sweep was still going.
    expect(finished).toBe(false);
    expect(upstream.keepAlives).toBeLessThan(2001);

    const result = await sweep;
    expect(result).toEqual({ expired: 0, refreshed: 2001, reloggedIn: 0, failed: 0, unavailable: 0, interrupted: 0, deleted: 0, chunks: 12, stopped: false });
    expect(upstream.keepAlives).toBe(2001);
    expect(countRows(t, `state = 'ACTIVE' AND last_refresh_at = ${now + 300}`)).toBe(2001);
    expect((await gqlData(url, PortalSessionDocument, { id: real.id }, { token: alice.token })).portalSession?.lastRefreshAt).toBe(iso(now + 300));
  });

  it('stop() lets the running chunk finish and ends the sweep early', async () => {
    const t = await setup();
    const { app, clock, upstream, alice } = t;
    await openData(() => t.open(alice.token));
    const now = nowSeconds(clock);
    await insertBulk(t, 999, 'stop');
    clock.advance(300);
    const sweep = app.portalKeeper.sweep();
    await waitFor(() => upstream.keepAlives > 0, 'the sweep to start');
    await app.portalKeeper.stop();
    const result = await sweep;
    expect(result.stopped).toBe(true);
    expect(result.refreshed % 200).toBe(0);
    expect(result.refreshed).toBeGreaterThanOrEqual(200);
    expect(result.refreshed).toBeLessThan(1000);
    // Nothing is left half-done: every session is ACTIVE, refreshed now or still due.
    expect(countRows(t, `state = 'ACTIVE' AND last_refresh_at = ${now + 300}`)).toBe(result.refreshed);
    expect(countRows(t, `state = 'ACTIVE' AND last_refresh_at = ${now}`)).toBe(1000 - result.refreshed);
  });
});

/** Inserts `count` keep-alive sessions of alice sharing the test portal's live cookie, last refreshed now unless `lastRefreshAt` says (a time, or one per index). */
async function insertBulk(
  t: Awaited<ReturnType<typeof setup>>,
  count: number,
  prefix: string,
  lastRefreshAt?: number | ((i: number) => number),
): Promise<string[]> {
  const keys = derivePortalKeys(loadOrCreateSecret(t.config));
  const now = nowSeconds(t.clock);
  const rows: NewPortalSession[] = Array.from({ length: count }, (_, i) => {
    const id = `pss_${prefix}${String(i).padStart(5, '0')}`;
    return {
      id,
      ownerId: t.alice.id,
      portalId: t.portal.id,
      username: `${prefix}${i}`,
      credentialKey: `${prefix}-key-${i}`,
      keepAlive: true,
      state: 'ACTIVE',
      encryptedPassword: encrypt(keys.encryption, PASSWORD, `${id}:password`),
      encryptedCookies: encrypt(keys.encryption, JSON.stringify({ sid: t.upstream.liveCookies[0] }), `${id}:cookies`),
      createdAt: now,
      lastUsedAt: now,
      lastRefreshAt: typeof lastRefreshAt === 'function' ? lastRefreshAt(i) : (lastRefreshAt ?? now),
      expiresAt: null,
      endedAt: null,
      failureReason: null,
    };
  });
  await new SqlitePortalStore(t.app.db).insertSessions(rows);
  return rows.map((r) => r.id);
}

describe('keeper writes and pacing', () => {
  it('writes a chunk of refreshes and their outbox rows in one commit; live subscribers and other processes get every event in order', async () => {
    const statements: string[] = [];
    const t = await setup({ sqlTrace: (sql) => statements.push(sql) });
    const { app, wsUrl, clock, alice, open } = t;
    await openData(() => open(alice.token));
    const ids = await insertBulk(t, 249, 'one'); // with the opened one: 250 due = a chunk of 200 and one of 50
    // Another process on the same database file, replaying the outbox as a second server would.
    const otherDb = openDatabase(app.db.name);
    onCleanup(() => {
      otherDb.close();
    });
    const other = createRelayedEvents(new SqliteOutboxStore(otherDb), clock);
    const relayed = other.subscribe('portal', alice.id);
    const firstRelayed = relayed.next();
    const live = connectWs(wsUrl, { token: alice.token }).subscribe(PortalSessionEventsDocument);
    await waitFor(() => app.events.subscriberCount('portal', alice.id) === 1, 'the portalSessionEvents subscription');
    clock.advance(300);

    statements.length = 0;
    const result = await app.portalKeeper.sweep();
    expect(result).toMatchObject({ refreshed: 250, unavailable: 0, failed: 0 });
    // A refresh's row write: markKeptAlive for an ACTIVE row (markRefreshed after a re-login).
    const refreshes = statements.flatMap((sql, i) => (/^UPDATE portal_sessions SET (state = 'ACTIVE'|encrypted_cookies = coalesce)/.test(sql) ? [i] : []));
    const outbox = statements.flatMap((sql, i) => (sql.startsWith('INSERT INTO event_outbox') ? [i] : []));
    // Transactions that wrote refreshes (the idle-expiry step has its own, empty here).
    const begins = statements.flatMap((sql, i) =>
      sql === 'BEGIN' && refreshes.some((r) => r > i && r < statements.indexOf('COMMIT', i)) ? [i] : [],
    );
    expect(begins).toHaveLength(2);
    const inTransaction = (i: number) => begins.some((b) => b < i && statements.indexOf('COMMIT', b) > i);
    expect(refreshes).toHaveLength(250);
    expect(outbox).toHaveLength(250);
    expect([...refreshes, ...outbox].every(inTransaction)).toBe(true);
    // The first chunk: 200 row updates and 200 outbox rows between one BEGIN and its COMMIT.
    const firstCommit = statements.indexOf('COMMIT', begins[0]);
    expect(refreshes.filter((i) => i > begins[0] && i < firstCommit)).toHaveLength(200);
    expect(outbox.filter((i) => i > begins[0] && i < firstCommit)).toHaveLength(200);

    // Live: 250 REFRESHED events, each session once.
    const liveOrder: string[] = [];
    for (let i = 0; i < 250; i++) {
      const event = (await live.results.next()).data?.portalSessionEvents;
      expect(event?.type).toBe('REFRESHED');
      expect(event?.session.state).toBe('ACTIVE');
      liveOrder.push(event!.session.id);
    }
    expect(new Set(liveOrder).size).toBe(250);
    expect(liveOrder).toEqual(expect.arrayContaining(ids));
    // Relayed: the same events in the same order.
    expect(other.pollOnce()).toBe(250);
    const relayedOrder: string[] = [];
    for (let i = 0; i < 250; i++) {
      const event = (i === 0 ? await firstRelayed : await relayed.next()).value as PortalSessionEvent;
      expect(event.type).toBe('REFRESHED');
      relayedOrder.push(event.session.id);
    }
    expect(relayedOrder).toEqual(liveOrder);
    await relayed.return(undefined);
  });

  it('a refused re-login is written with the chunk: FAILED, REFRESH_FAILED live and relayed, audited', async () => {
    const statements: string[] = [];
    const t = await setup({ sqlTrace: (sql) => statements.push(sql) });
    const { app, clock, upstream, alice, open } = t;
    const { session } = await openData(() => open(alice.token));
    const other = createRelayedEvents(new SqliteOutboxStore(app.db), clock);
    upstream.setPassword('alice', 'changed-upstream');
    upstream.logoutAll();
    clock.advance(300);
    statements.length = 0;
    expect(await app.portalKeeper.sweep()).toMatchObject({ failed: 1, refreshed: 0 });
    // REFRESHING before the re-login, then the FAILED row and its outbox row in one transaction.
    const refreshing = statements.findIndex((sql) => sql.includes("SET state = 'REFRESHING'"));
    expect(refreshing).toBeGreaterThan(0);
    const begin = statements.indexOf('BEGIN', refreshing);
    expect(begin).toBeGreaterThan(refreshing);
    const commit = statements.indexOf('COMMIT', begin);
    const inside = statements.slice(begin, commit);
    expect(inside.filter((sql) => sql.includes('encrypted_password = NULL'))).toHaveLength(1);
    expect(inside.filter((sql) => sql.startsWith('INSERT INTO event_outbox'))).toHaveLength(1);
    const rows = app.db.prepare("SELECT payload FROM event_outbox WHERE topic = 'portal' ORDER BY id DESC LIMIT 1").pluck().all() as string[];
    expect(JSON.parse(rows[0])).toMatchObject({ type: 'REFRESH_FAILED', session: { id: session.id, state: 'FAILED' } });
    expect(other.origin).not.toBe((app.relay as { origin: string }).origin);
    expect(app.db.prepare("SELECT count(*) FROM audit_events WHERE action = 'portal.session_failed' AND target_id = ?").pluck().get(session.id)).toBe(1);
  });

  it('auto pacing spreads a sweep over half the tick, using the injected clock and sleep', async () => {
    const slept: number[] = [];
    let clock: { advance(seconds: number): void } | undefined;
    const sleep = (ms: number) => {
      slept.push(ms);
      clock!.advance(ms / 1000);
      return new Promise<void>((resolve) => setImmediate(resolve));
    };
    const t = await setup({ env: { PORTAL_KEEPER_MAX_RATE: 'auto' }, portalKeeperSleep: sleep });
    clock = t.clock;
    await openData(() => t.open(t.alice.token));
    await insertBulk(t, 399, 'pace');
    t.clock.advance(300);
    const started = t.clock.now();
    const result = await t.app.portalKeeper.sweep();
    expect(result).toMatchObject({ refreshed: 400, unavailable: 0 });
    // PORTAL_KEEPER_TICK 60 s, refresh interval 300 s: 400 refreshes spread over ~30 s (13–14/s) ...
    const spent = (t.clock.now() - started) / 1000;
    expect(spent).toBeGreaterThan(27);
    expect(spent).toBeLessThan(32);
    expect(Math.max(...slept)).toBeLessThan(200);
    // ... in chunks of about a quarter second of work each, but at least 8 (the concurrency cap); each one commit.
    expect(result.chunks).toBe(1 + 400 / 8);
    expect(t.upstream.keepAlives).toBe(400);
  });

  it('auto pacing keeps up with sessions that fall due during the sweep and still ends within the half tick', async () => {
    let clock: { advance(seconds: number): void } | undefined;
    const sleep = (ms: number) => {
      clock!.advance(ms / 1000);
      return new Promise<void>((resolve) => setImmediate(resolve));
    };
    const t = await setup({ env: { PORTAL_KEEPER_MAX_RATE: 'auto' }, portalKeeperSleep: sleep });
    clock = t.clock;
    await openData(() => t.open(t.alice.token));
    const now = nowSeconds(t.clock);
    await insertBulk(t, 199, 'early'); // due with the opened one at the start: 200
    await insertBulk(t, 200, 'late', now + 10); // due 10 s into the sweep
    t.clock.advance(300);
    const started = t.clock.now();
    const result = await t.app.portalKeeper.sweep();
    expect(result).toMatchObject({ refreshed: 400, unavailable: 0 });
    // 200 over 30 s would be the floor of 10/s; the late 200 are counted when they show up and share the rest.
    expect((t.clock.now() - started) / 1000).toBeLessThan(32);
  });

  it('a fixed PORTAL_KEEPER_MAX_RATE paces at that rate; stop() ends a paced wait at once', async () => {
    const slept: number[] = [];
    let clock: { advance(seconds: number): void } | undefined;
    let hold = false;
    const sleep = (ms: number) => {
      slept.push(ms);
      if (hold) return new Promise<void>(() => {}); // never ends by itself
      clock!.advance(ms / 1000);
      return new Promise<void>((resolve) => setImmediate(resolve));
    };
    const t = await setup({ env: { PORTAL_KEEPER_MAX_RATE: '50' }, portalKeeperSleep: sleep });
    clock = t.clock;
    await openData(() => t.open(t.alice.token));
    await insertBulk(t, 99, 'fixed');
    t.clock.advance(300);
    const started = t.clock.now();
    expect(await t.app.portalKeeper.sweep()).toMatchObject({ refreshed: 100 });
    expect((t.clock.now() - started) / 1000).toBeCloseTo(99 / 50, 1);

    // A sweep waiting for its next slot stops at once: the running chunk (8: a tenth of a second at
    // 50/s is 5, and a chunk holds at least the 8 calls run at once) finishes without further waits
    // and is written.
    t.clock.advance(300);
    hold = true;
    const sweep = t.app.portalKeeper.sweep();
    await waitFor(() => t.upstream.keepAlives > 100 && slept.length > 99, 'the paced sweep to wait');
    await t.app.portalKeeper.stop();
    const result = await sweep;
    expect(result.stopped).toBe(true);
    expect(result.refreshed).toBe(8);
    expect(countRows(t, `state = 'ACTIVE' AND last_refresh_at = ${nowSeconds(t.clock)}`)).toBe(8);
  });
});
