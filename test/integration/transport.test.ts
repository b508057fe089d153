import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { describe, expect, it } from 'vitest';
import {
  AccountStatusChangedDocument,
  HealthDocument,
  MeDocument,
  RevokeSessionDocument,
  SessionEventsDocument,
  SignInDocument,
  SignOutDocument,
  SignUpDocument,
} from '../generated/graphql.js';
import { connected, connectWs, onCleanup, errorOf, gql, gqlData, startTestApp, type Subscription, type TestApp, type WsConnection } from '../utils/app.js';

const PASSWORD = 'transport-password-1';
const UNKNOWN_TOKEN = `gh_${'A'.repeat(43)}`;
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

async function signUp(t: TestApp, email: string) {
  const data = await gqlData(t.url, SignUpDocument, { input: { email, password: PASSWORD, name: email.split('@')[0] } });
  return { token: data.signUp.token, sessionId: data.signUp.session.id, userId: data.signUp.user.id };
}

async function signIn(t: TestApp, email: string) {
  const data = await gqlData(t.url, SignInDocument, { input: { email, password: PASSWORD } });
  if (data.signIn.__typename !== 'AuthPayload') throw new Error('unexpected DeviceLimitReached');
  return { token: data.signIn.token, sessionId: data.signIn.session.id };
}

/** Resolves 'open' if the socket has not closed within `ms`. */
function stillOpen(ws: WsConnection, ms = 200) {
  return Promise.race([ws.closed, new Promise<'open'>((resolve) => setTimeout(() => resolve('open'), ms))]);
}

/** The first thing a subscription produced: a result, or the errors it was refused with. */
async function firstOutcome<T>(sub: Subscription<T>) {
  return Promise.race([
    sub.results.next(5000, 'first result').then((result) => ({ kind: 'result' as const, result })),
    sub.errored.then((errors) => ({ kind: 'error' as const, errors: errors as { message: string; extensions?: Record<string, unknown> }[] })),
  ]);
}

const withBearer = (token: string, name = 'Authorization') => ({ headers: { [name]: `Bearer ${token}` } });

describe('graphql-ws connection_init', () => {
  it('refuses a well-formed but unknown token with 4401 INVALID_TOKEN', async () => {
    const t = await startTestApp();
    const ws = connectWs(t.wsUrl, { token: UNKNOWN_TOKEN });
    expect(await ws.closed).toEqual({ code: 4401, reason: 'INVALID_TOKEN' });
  });

  it('refuses garbage with 4401 INVALID_TOKEN, under authorization or token', async () => {
    const t = await startTestApp();
    const a = connectWs(t.wsUrl, { connectionParams: { authorization: 'Bearer not-a-token' } });
    const b = connectWs(t.wsUrl, { connectionParams: { token: 'garbage' } });
    const c = connectWs(t.wsUrl, { connectionParams: { Authorization: `Bearer ${UNKNOWN_TOKEN}x` } });
    expect(await a.closed).toEqual({ code: 4401, reason: 'INVALID_TOKEN' });
    expect(await b.closed).toEqual({ code: 4401, reason: 'INVALID_TOKEN' });
    expect(await c.closed).toEqual({ code: 4401, reason: 'INVALID_TOKEN' });
  });

  it('refuses a revoked token with 4401 SESSION_REVOKED', async () => {
    const t = await startTestApp();
    const user = await signUp(t, 'revoked-ws@example.test');
    await gqlData(t.url, SignOutDocument, undefined, { token: user.token });
    const ws = connectWs(t.wsUrl, { token: user.token });
    expect(await ws.closed).toEqual({ code: 4401, reason: 'SESSION_REVOKED' });
    const viaTokenParam = connectWs(t.wsUrl, { connectionParams: { token: user.token } });
    expect(await viaTokenParam.closed).toEqual({ code: 4401, reason: 'SESSION_REVOKED' });
  });

  it('refuses an expired token with 4401 SESSION_EXPIRED, swept or not', async () => {
    const t = await startTestApp({ SESSION_IDLE_TIMEOUT: '1h' });
    const swept = await signUp(t, 'swept@example.test');
    const unswept = await signUp(t, 'unswept@example.test');
    t.clock.advance(3600);
    // Not yet swept: found past its idle deadline at connect.
    const a = connectWs(t.wsUrl, { token: unswept.token });
    expect(await a.closed).toEqual({ code: 4401, reason: 'SESSION_EXPIRED' });
    expect(await t.app.sweep()).toBe(1);
    const b = connectWs(t.wsUrl, { token: swept.token });
    expect(await b.closed).toEqual({ code: 4401, reason: 'SESSION_EXPIRED' });
  });

  it('accepts a good token, and an empty connection_init whose operations then need a token', async () => {
    const t = await startTestApp();
    const user = await signUp(t, 'good-ws@example.test');
    const good = connectWs(t.wsUrl, { token: user.token });
    await connected(good);
    const status = good.subscribe(AccountStatusChangedDocument);
    const first = await status.results.next(5000, 'initial status');
    expect(first.data?.accountStatusChanged).toMatchObject({ status: 'ACTIVE', user: { id: user.userId } });

    const anonymous = connectWs(t.wsUrl, { connectionParams: {} });
    await connected(anonymous);
    const refused = await firstOutcome(anonymous.subscribe(AccountStatusChangedDocument));
    expect(JSON.stringify(refused)).toContain('MISSING_TOKEN');
    expect(await stillOpen(anonymous)).toBe('open');
  });
});

describe('GraphiQL-style per-operation headers', () => {
  it('authorizes a subscription from extensions.headers.Authorization (any case) on an empty connection_init', async () => {
    const t = await startTestApp();
    const user = await signUp(t, 'graphiql@example.test');
    const ws = connectWs(t.wsUrl, { connectionParams: {} });
    await connected(ws);

    const upper = ws.subscribe(AccountStatusChangedDocument, undefined, withBearer(user.token, 'Authorization'));
    const upperFirst = await firstOutcome(upper);
    expect(upperFirst.kind).toBe('result');
    if (upperFirst.kind !== 'result') return;
    expect(upperFirst.result.errors).toBeUndefined();
    expect(upperFirst.result.data?.accountStatusChanged).toMatchObject({ status: 'ACTIVE', previousStatus: null, user: { id: user.userId } });

    const lower = ws.subscribe(AccountStatusChangedDocument, undefined, withBearer(user.token, 'authorization'));
    const lowerFirst = await firstOutcome(lower);
    expect(lowerFirst.kind).toBe('result');
    if (lowerFirst.kind !== 'result') return;
    expect(lowerFirst.result.data?.accountStatusChanged).toMatchObject({ status: 'ACTIVE', user: { id: user.userId } });

    // A sessionEvents subscription authorized the same way sees this user's new device.
    const events = ws.subscribe(SessionEventsDocument, undefined, withBearer(user.token));
    // (It is attached long before the sign-in below: the bad-token and second good subscribe come first.)
    const bad = ws.subscribe(AccountStatusChangedDocument, undefined, withBearer(UNKNOWN_TOKEN));
    const badOutcome = await firstOutcome(bad);
    expect(badOutcome.kind).toBe('error');
    if (badOutcome.kind !== 'error') return;
    expect(badOutcome.errors[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'INVALID_TOKEN' });
    expect(badOutcome.errors[0].message.length).toBeGreaterThan(10);

    const garbage = await firstOutcome(ws.subscribe(AccountStatusChangedDocument, undefined, { headers: { authorization: 'Bearer nope' } }));
    expect(garbage.kind).toBe('error');
    if (garbage.kind === 'error') expect(garbage.errors[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'INVALID_TOKEN' });

    // The socket stays open and another good subscription on it still works.
    expect(await stillOpen(ws)).toBe('open');
    const again = await firstOutcome(
      ws.subscribe(AccountStatusChangedDocument, undefined, withBearer(user.token)),
    );
    expect(again.kind).toBe('result');
    if (again.kind === 'result') expect(again.result.data?.accountStatusChanged.status).toBe('ACTIVE');

    const other = await signIn(t, 'graphiql@example.test');
    const created = await events.results.next(5000, 'CREATED');
    expect(created.data?.sessionEvents).toMatchObject({ type: 'CREATED', isCurrent: false, session: { id: other.sessionId } });

    // Revoking the session that authorized this socket's operations closes it with 4401.
    await gqlData(t.url, RevokeSessionDocument, { id: user.sessionId }, { token: other.token });
    const revoked = await events.results.next(5000, 'REVOKED');
    expect(revoked.data?.sessionEvents).toMatchObject({ type: 'REVOKED', reason: 'REVOKED_BY_USER', isCurrent: true, session: { id: user.sessionId } });
    expect(await ws.closed).toEqual({ code: 4401, reason: 'SESSION_REVOKED:REVOKED_BY_USER' });
  });

  it('answers a revoked token in the headers with SESSION_REVOKED errors and keeps the socket', async () => {
    const t = await startTestApp();
    const user = await signUp(t, 'graphiql-revoked@example.test');
    const second = await signIn(t, 'graphiql-revoked@example.test');
    await gqlData(t.url, SignOutDocument, undefined, { token: second.token });
    const ws = connectWs(t.wsUrl, { connectionParams: {} });
    await connected(ws);
    const refused = await firstOutcome(ws.subscribe(AccountStatusChangedDocument, undefined, withBearer(second.token)));
    expect(refused.kind).toBe('error');
    if (refused.kind === 'error') expect(refused.errors[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'SESSION_REVOKED' });
    const ok = await firstOutcome(
      ws.subscribe(AccountStatusChangedDocument, undefined, withBearer(user.token)),
    );
    expect(ok.kind).toBe('result');
    expect(await stillOpen(ws)).toBe('open');
  });

  it('signing out the header-authorized session closes the socket with SESSION_REVOKED:SIGNED_OUT', async () => {
    const t = await startTestApp();
    const user = await signUp(t, 'graphiql-signout@example.test');
    const ws = connectWs(t.wsUrl, { connectionParams: {} });
    await connected(ws);
    const status = ws.subscribe(AccountStatusChangedDocument, undefined, withBearer(user.token));
    expect((await status.results.next(5000, 'initial status')).data?.accountStatusChanged.status).toBe('ACTIVE');
    await gqlData(t.url, SignOutDocument, undefined, { token: user.token });
    expect(await ws.closed).toEqual({ code: 4401, reason: 'SESSION_REVOKED:SIGNED_OUT' });
  });
});

describe('HTTP authentication', () => {
  it('answers a bad bearer token with 401, WWW-Authenticate and a GraphQL body', async () => {
    const t = await startTestApp();
    const res = await gql(t.url, MeDocument, undefined, { token: UNKNOWN_TOKEN });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('Bearer error="invalid_token"');
    expect(res.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'INVALID_TOKEN' });
    expect(res.body.errors?.[0].message).toMatch(/sign in/i);

    // Garbage and a non-bearer scheme are bad tokens too, never anonymous.
    for (const authorization of ['Bearer garbage', 'Basic dXNlcjpwYXNz', UNKNOWN_TOKEN.slice(0, 20)]) {
      const other = await gql(t.url, MeDocument, undefined, { headers: { authorization } });
      expect(other.status, authorization).toBe(401);
      expect(errorOf(other), authorization).toEqual({ code: 'UNAUTHENTICATED', reason: 'INVALID_TOKEN' });
    }

    // urql's default GET queries are authenticated the same way.
    const get = await fetch(`${t.url}?query=${encodeURIComponent('{ health { status } }')}`, {
      headers: { accept: 'application/graphql-response+json', authorization: `Bearer ${UNKNOWN_TOKEN}` },
    });
    expect(get.status).toBe(401);
    expect(get.headers.get('www-authenticate')).toContain('Bearer error="invalid_token"');
    expect(((await get.json()) as { errors: { extensions: unknown }[] }).errors[0].extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'INVALID_TOKEN',
    });

    // A client that only accepts application/json still gets the 401 and the code.
    const legacy = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${UNKNOWN_TOKEN}` },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    expect(legacy.status).toBe(401);
    expect(legacy.headers.get('content-type')).toMatch(/^application\/json/);
    expect(legacy.headers.get('www-authenticate')).toContain('Bearer error="invalid_token"');
    const body = (await legacy.json()) as { errors: { extensions: Record<string, unknown> }[] };
    expect(body.errors[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'INVALID_TOKEN' });
  });

  it('fails the whole request for a bad token even on fields that need no sign-in', async () => {
    const t = await startTestApp();
    const res = await gql(t.url, HealthDocument, undefined, { token: UNKNOWN_TOKEN });
    expect(res.status).toBe(401);
    expect(res.body.data).toBeUndefined();
    expect(errorOf(res)).toEqual({ code: 'UNAUTHENTICATED', reason: 'INVALID_TOKEN' });
  });

  it('answers a revoked token with 401 SESSION_REVOKED', async () => {
    const t = await startTestApp();
    const user = await signUp(t, 'revoked-http@example.test');
    await gqlData(t.url, SignOutDocument, undefined, { token: user.token });
    const res = await gql(t.url, MeDocument, undefined, { token: user.token });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('Bearer error="invalid_token"');
    expect(errorOf(res)).toEqual({ code: 'UNAUTHENTICATED', reason: 'SESSION_REVOKED' });
  });

  it('answers anonymous `me` with HTTP 200 and a MISSING_TOKEN field error', async () => {
    const t = await startTestApp();
    const res = await gql(t.url, MeDocument);
    expect(res.status).toBe(200);
    expect(res.headers.get('www-authenticate')).toBeNull();
    expect(res.body.data).toBeNull();
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'MISSING_TOKEN' });
    expect((res.body.errors?.[0] as { path?: unknown }).path).toEqual(['me']);
  });

  it('serves anonymous `health` and introspection', async () => {
    const t = await startTestApp();
    const res = await gql(t.url, HealthDocument);
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.health).toMatchObject({ status: 'ok', version: VERSION, activeSessions: 0, activePortalSessions: 0, keepAlivePortalSessions: 0 });
    expect(res.body.data?.health.uptimeSeconds).toBeGreaterThanOrEqual(0);

    const introspection = parse('{ __schema { queryType { name } subscriptionType { name } } }') as TypedDocumentNode<{
      __schema: { queryType: { name: string }; subscriptionType: { name: string } };
    }>;
    const schema = await gql(t.url, introspection);
    expect(schema.status).toBe(200);
    expect(schema.body.data?.__schema).toEqual({ queryType: { name: 'Query' }, subscriptionType: { name: 'Subscription' } });
  });
});

describe('health, readiness and GraphiQL', () => {
  it('GET /health has the contract keys and counts live sessions', async () => {
    const t = await startTestApp();
    const healthUrl = t.url.replace(/\/graphql$/, '/health');
    const empty = await fetch(healthUrl);
    expect(empty.status).toBe(200);
    expect(empty.headers.get('content-type')).toMatch(/^application\/json/);
    const emptyBody = (await empty.json()) as Record<string, unknown>;
    expect(Object.keys(emptyBody).sort()).toEqual(
      ['activePortalSessions', 'activeSessions', 'keepAlivePortalSessions', 'status', 'uptimeSeconds', 'version'].sort(),
    );
    expect(emptyBody).toMatchObject({ status: 'ok', version: VERSION, activeSessions: 0, activePortalSessions: 0, keepAlivePortalSessions: 0 });
    expect(typeof emptyBody.uptimeSeconds).toBe('number');

    const a = await signUp(t, 'health-a@example.test');
    const b = await signUp(t, 'health-b@example.test');
    await signIn(t, 'health-a@example.test');
    await gqlData(t.url, SignOutDocument, undefined, { token: b.token });
    expect(a.token).toBeTruthy();

    const body = (await (await fetch(healthUrl)).json()) as Record<string, unknown>;
    const live = t.app.db.prepare('SELECT count(*) FROM sessions WHERE revoked_at IS NULL').pluck().get();
    expect(live).toBe(2);
    expect(body.activeSessions).toBe(2);
    // The GraphQL field shares the keys and the numbers.
    const viaGraphql = await gqlData(t.url, HealthDocument);
    expect(viaGraphql.health).toMatchObject({ ...body, uptimeSeconds: expect.any(Number) });
  });

  it('GET /ready answers 200 {ready: true}', async () => {
    const t = await startTestApp();
    const res = await fetch(t.url.replace(/\/graphql$/, '/ready'));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ready: true });
  });

  it('serves GraphiQL from /graphql for browsers, without a CDN, with subscriptions over WS', async () => {
    const t = await startTestApp();
    const res = await fetch(t.url, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toMatch(/graphiql/i);
    expect(html).not.toMatch(/unpkg\.com/i);
    expect(html).not.toMatch(/jsdelivr/i);
    expect(html).not.toMatch(/<script[^>]+src=["']https?:/i);
    expect(html).toContain('"subscriptionsProtocol":"WS"');
  });
});

describe('masked internal errors', () => {
  // A real fault: the sessions table disappears under the running server (restored after the test).
  function breakSessionsTable(t: TestApp) {
    t.app.db.exec('ALTER TABLE sessions RENAME TO sessions_moved');
    onCleanup(() => {
      t.app.db.exec('ALTER TABLE sessions_moved RENAME TO sessions');
    });
  }

  it('answers an unexpected error as INTERNAL_SERVER_ERROR with a request id that is in the log', async () => {
    const t = await startTestApp();
    breakSessionsTable(t);
    const res = await gql(t.url, HealthDocument);
    expect(res.status).toBe(200);
    expect(res.body.data).toBeNull();
    const error = res.body.errors?.[0];
    expect(error?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    const requestId = error?.extensions?.requestId;
    expect(typeof requestId).toBe('string');
    expect((requestId as string).length).toBeGreaterThan(4);
    expect(error?.message).toContain(requestId as string);
    expect(JSON.stringify(res.body)).not.toContain('no such table');
    expect(JSON.stringify(res.body)).not.toContain('stack');

    const line = t.logs.find((l) => l.includes(requestId as string) && l.includes('no such table: sessions'));
    expect(line).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({ level: 'error', requestId });
  });

  it('masks the same way over graphql-ws', async () => {
    const t = await startTestApp();
    const user = await signUp(t, 'masked-ws@example.test');
    const ws = connectWs(t.wsUrl, { token: user.token });
    await connected(ws);
    breakSessionsTable(t);
    const outcome = await firstOutcome(ws.subscribe(HealthDocument));
    const errors = (outcome.kind === 'result' ? outcome.result.errors : outcome.errors) as { message: string; extensions?: Record<string, unknown> }[];
    expect(errors?.[0].extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    const requestId = errors[0].extensions?.requestId as string;
    expect(typeof requestId).toBe('string');
    expect(JSON.stringify(errors)).not.toContain('no such table');
    expect(t.logs.some((l) => l.includes(requestId) && l.includes('no such table: sessions'))).toBe(true);
    expect(await stillOpen(ws)).toBe('open');
  });

  /** The log lines carrying the fault (the logger writes the original error's message and stack). */
  const faultLines = (t: TestApp) => t.logs.filter((l) => l.includes('no such table: sessions'));

  it('gives an HTTP masked error the request id of its x-request-id header, logged once', async () => {
    const t = await startTestApp();
    breakSessionsTable(t);
    const res = await gql(t.url, HealthDocument);
    const error = res.body.errors?.[0];
    expect(error?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(error?.extensions?.requestId).toBe(res.headers.get('x-request-id'));
    expect(faultLines(t)).toHaveLength(1);
    expect(JSON.parse(faultLines(t)[0])).toMatchObject({ level: 'error', requestId: res.headers.get('x-request-id'), msg: 'internal error' });
  });

  it('masks an internal error of the context factory (authenticating the token) with the request id, logged once without the token', async () => {
    const t = await startTestApp();
    const user = await signUp(t, 'masked-context@example.test');
    breakSessionsTable(t);
    const res = await gql(t.url, MeDocument, undefined, { token: user.token });
    const requestId = res.headers.get('x-request-id');
    expect(requestId).toMatch(/^req_[0-9a-f]{16}$/);
    expect(res.body.errors).toEqual([
      {
        message: `Something went wrong on our side. Try again; if it keeps happening, report request id ${requestId}.`,
        extensions: { code: 'INTERNAL_SERVER_ERROR', requestId },
      },
    ]);
    expect(faultLines(t)).toHaveLength(1);
    expect(JSON.parse(faultLines(t)[0])).toMatchObject({ level: 'error', requestId, msg: 'internal error' });
    expect(t.logs.join('')).not.toContain(user.token);
  });

  it('masks an execution error over graphql-ws with the operation request id, logged once', async () => {
    const t = await startTestApp();
    // No token: nothing reads the sessions table before the operation executes.
    const ws = connectWs(t.wsUrl);
    await connected(ws);
    breakSessionsTable(t);
    const outcome = await firstOutcome(ws.subscribe(HealthDocument));
    expect(outcome.kind).toBe('result');
    const errors = (outcome.kind === 'result' ? outcome.result.errors : undefined) ?? [];
    expect(errors).toHaveLength(1);
    expect(errors[0].extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    const requestId = errors[0].extensions?.requestId as string;
    expect(requestId).toMatch(/^req_[0-9a-f]{16}$/);
    expect(errors[0].message).toContain(requestId);
    expect(faultLines(t)).toHaveLength(1);
    expect(JSON.parse(faultLines(t)[0])).toMatchObject({ level: 'error', requestId, msg: 'internal error' });
    expect(await stillOpen(ws)).toBe('open');
  });
});
