import { describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { SignUpDocument } from '../generated/graphql.js';
import { gqlData, onCleanup, startTestApp } from '../utils/app.js';
import { openRawWs, type RawWs } from '../utils/raw-ws.js';
import { waitFor } from '../utils/queue.js';

const SESSION_EVENTS = 'subscription { sessionEvents { type } }';

async function signUp(url: string, email: string): Promise<string> {
  const data = await gqlData(url, SignUpDocument, { input: { email, password: 'socket-password-1', name: 'Sockets' } });
  return data.signUp.token;
}

function errorsOf(message: { payload?: unknown }) {
  return message.payload as { message: string; extensions: Record<string, unknown> }[];
}

describe('graphql-ws socket limits', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({ DATABASE_PATH: '/tmp/x.db' });
    expect([config.wsInitTimeout, config.wsMaxSubscriptionsPerSocket, config.wsMaxSocketsPerSession, config.wsMaxAnonymousSocketsPerIp]).toEqual([
      5, 50, 20, 20,
    ]);
  });

  it('caps sockets without a token per client IP: the extra one closes with 4429 TOO_MANY_ANONYMOUS_SOCKETS; token sockets do not count; closing one frees a slot', async () => {
    const t = await startTestApp({ WS_MAX_ANONYMOUS_SOCKETS_PER_IP: '3' });
    const token = await signUp(t.url, 'anonymous-cap@example.test');
    const anonymous: RawWs[] = [];
    for (let i = 0; i < 3; i++) {
      const ws = await openRawWs(t.wsUrl);
      await ws.init(); // GraphiQL style: no token
      anonymous.push(ws);
    }
    expect(t.app.anonymousSockets.counts('127.0.0.1')).toEqual({ pending: 0, anonymous: 3 });
    const extra = await openRawWs(t.wsUrl);
    extra.send({ type: 'connection_init' });
    expect(await extra.closed).toEqual({ code: 4429, reason: 'TOO_MANY_ANONYMOUS_SOCKETS' });

    // A socket with a token in connection_init, from the same IP, is not affected (it is capped per session).
    const authed = await openRawWs(t.wsUrl);
    await authed.init({ authorization: `Bearer ${token}` });
    expect((await authed.request('me', { query: '{ me { email } }' })).payload).toEqual({ data: { me: { email: 'anonymous-cap@example.test' } } });
    // The three anonymous sockets still work.
    for (const ws of anonymous) expect((await ws.request('h', { query: '{ health { status } }' })).payload).toEqual({ data: { health: { status: 'ok' } } });

    // Closing one frees its slot.
    anonymous[0].socket.close();
    await anonymous[0].closed;
    await waitFor(() => t.app.anonymousSockets.counts('127.0.0.1').anonymous === 2, 'the closed socket to free its slot');
    const again = await openRawWs(t.wsUrl);
    await again.init();
    expect(again.isOpen).toBe(true);
  });

  it('caps sockets still waiting for connection_init per client IP: the extra one closes with 4429 TOO_MANY_PENDING_SOCKETS', async () => {
    const t = await startTestApp({ WS_MAX_ANONYMOUS_SOCKETS_PER_IP: '2', WS_INIT_TIMEOUT: '30s' });
    const silent = [await openRawWs(t.wsUrl), await openRawWs(t.wsUrl)];
    const third = await openRawWs(t.wsUrl);
    expect(await third.closed).toEqual({ code: 4429, reason: 'TOO_MANY_PENDING_SOCKETS' });
    expect(t.app.anonymousSockets.counts('127.0.0.1')).toEqual({ pending: 2, anonymous: 0 });
    // Once one of them sends connection_init it is no longer pending, and a new socket may open.
    await silent[0].init();
    const next = await openRawWs(t.wsUrl);
    await next.init();
    expect(t.app.anonymousSockets.counts('127.0.0.1')).toEqual({ pending: 1, anonymous: 2 });
    expect(silent[1].isOpen).toBe(true);
  });

  it('counts anonymous sockets by the client IP that TRUST_PROXY gives (the right-most X-Forwarded-For entry)', async () => {
    const t = await startTestApp({ WS_MAX_ANONYMOUS_SOCKETS_PER_IP: '1', TRUST_PROXY: 'true' });
    const first = await openRawWs(t.wsUrl, { 'x-forwarded-for': '203.0.113.1' });
    await first.init();
    // Another client behind the same proxy has its own budget.
    const second = await openRawWs(t.wsUrl, { 'x-forwarded-for': '203.0.113.2' });
    await second.init();
    // The first client again, with a made-up entry in front of the one the proxy appended: still counted as 203.0.113.1.
    const forged = await openRawWs(t.wsUrl, { 'x-forwarded-for': '198.51.100.7, 203.0.113.1' });
    forged.send({ type: 'connection_init' });
    expect(await forged.closed).toEqual({ code: 4429, reason: 'TOO_MANY_ANONYMOUS_SOCKETS' });
    expect([t.app.anonymousSockets.counts('203.0.113.1'), t.app.anonymousSockets.counts('198.51.100.7')]).toEqual([
      { pending: 0, anonymous: 1 },
      { pending: 0, anonymous: 0 },
    ]);
  });

  it('closes a socket that never sends connection_init with 4408', async () => {
    const t = await startTestApp({ WS_INIT_TIMEOUT: '1s' });
    const ws = await openRawWs(t.wsUrl);
    const started = Date.now();
    expect(await ws.closed).toEqual({ code: 4408, reason: 'Connection initialisation timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    // A socket that does initialise in time is not affected.
    const ok = await openRawWs(t.wsUrl);
    await ok.init();
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(ok.isOpen).toBe(true);
  });

  it('caps operations per socket at 50 by default: the 51st gets RATE_LIMITED / TOO_MANY_SUBSCRIPTIONS and the socket stays open', async () => {
    const t = await startTestApp();
    const token = await signUp(t.url, 'many-subs@example.test');
    const ws = await openRawWs(t.wsUrl);
    await ws.init({ authorization: `Bearer ${token}` });
    for (let i = 1; i <= 50; i++) ws.send({ type: 'subscribe', id: `s${i}`, payload: { query: SESSION_EVENTS } });
    const refused = await ws.request('s51', { query: SESSION_EVENTS });
    expect(refused.type).toBe('error');
    expect(errorsOf(refused)).toEqual([
      {
        message: 'This connection already runs 50 operations, the most allowed. Complete one before starting another, or open another connection.',
        extensions: { code: 'RATE_LIMITED', reason: 'TOO_MANY_SUBSCRIPTIONS', limit: 50 },
      },
    ]);
    // None of the first 50 was refused.
    expect(ws.messages.pending).toEqual([]);
    expect(ws.isOpen).toBe(true);
    // Completing one frees a slot.
    ws.send({ type: 'complete', id: 's1' });
    await waitFor(() => true, 'tick');
    const health = await ws.request('q', { query: '{ health { status } }' });
    expect(health).toEqual({ id: 'q', type: 'next', payload: { data: { health: { status: 'ok' } } } });
  });

  it('caps sockets per session: the extra connection is closed with 4429 TOO_MANY_SOCKETS; a per-operation token gets a typed error', async () => {
    const t = await startTestApp({ WS_MAX_SOCKETS_PER_SESSION: '2' });
    const token = await signUp(t.url, 'many-sockets@example.test');
    const sockets: RawWs[] = [];
    for (let i = 0; i < 2; i++) {
      const ws = await openRawWs(t.wsUrl);
      await ws.init({ authorization: `Bearer ${token}` });
      sockets.push(ws);
    }
    const third = await openRawWs(t.wsUrl);
    third.send({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } });
    expect(await third.closed).toEqual({ code: 4429, reason: 'TOO_MANY_SOCKETS' });

    // GraphiQL style: empty connection_init, token per operation. The socket stays open.
    const graphiql = await openRawWs(t.wsUrl);
    await graphiql.init();
    const answer = await graphiql.request('1', { query: '{ me { email } }', extensions: { headers: { Authorization: `Bearer ${token}` } } });
    expect(answer.type).toBe('error');
    expect(errorsOf(answer)[0].extensions).toEqual({ code: 'RATE_LIMITED', reason: 'TOO_MANY_SOCKETS', limit: 2 });
    expect(graphiql.isOpen).toBe(true);

    // Closing one makes room again; other sessions were never limited.
    sockets[0].socket.close();
    await sockets[0].closed;
    await waitFor(() => t.app.sockets.socketCount === 1, 'the closed socket to unregister');
    const again = await openRawWs(t.wsUrl);
    await again.init({ authorization: `Bearer ${token}` });
    const other = await openRawWs(t.wsUrl);
    await other.init({ authorization: `Bearer ${await signUp(t.url, 'other-sockets@example.test')}` });
  });

  it('checks Origin against ALLOWED_ORIGINS at the upgrade: 403 for a foreign browser origin; listed, same-origin and absent pass', async () => {
    const t = await startTestApp({ ALLOWED_ORIGINS: 'https://app.example.test' });
    await expect(openRawWs(t.wsUrl, { origin: 'https://evil.example.test' })).rejects.toMatchObject({ status: 403 });
    await expect(openRawWs(t.wsUrl, { origin: 'null' })).rejects.toMatchObject({ status: 403 });
    const origins: Record<string, string>[] = [{ origin: 'https://app.example.test' }, { origin: new URL(t.url).origin }, {}];
    for (const headers of origins) {
      const ws = await openRawWs(t.wsUrl, headers);
      await ws.init();
      expect(ws.isOpen).toBe(true);
    }
    // Without ALLOWED_ORIGINS nothing is checked (tokens, not cookies, authenticate sockets).
    const open = await startTestApp();
    const ws = await openRawWs(open.wsUrl, { origin: 'https://anywhere.example.test' });
    await ws.init();
  });

  it('closes a socket sending a frame over 1 MiB with 1009', async () => {
    const t = await startTestApp();
    const ws = await openRawWs(t.wsUrl);
    await ws.init();
    ws.send({ type: 'subscribe', id: '1', payload: { query: `{ health { status } } #${'x'.repeat(1024 * 1024)}` } });
    expect((await ws.closed).code).toBe(1009);
    const after = await openRawWs(t.wsUrl);
    await after.init();
    expect((await after.request('1', { query: '{ health { status } }' })).type).toBe('next');
  });
});

describe('bad subscribe messages', () => {
  it('answers a well-formed subscribe with bad GraphQL or variables by an error message and keeps the socket', async () => {
    const t = await startTestApp();
    const ws = await openRawWs(t.wsUrl);
    await ws.init();
    const cases: [Record<string, unknown>, string][] = [
      [{ query: '{ health { ' }, 'GRAPHQL_PARSE_FAILED'],
      [{ query: '' }, 'GRAPHQL_PARSE_FAILED'],
      [{ query: '{ nope }' }, 'GRAPHQL_VALIDATION_FAILED'],
      [{ query: 'query A { health { status } } query B { health { status } }' }, 'BAD_REQUEST'],
      [{ query: 'query A { health { status } }', operationName: 'Nope' }, 'BAD_REQUEST'],
      [{ query: 'query($id: ID!) { user(id: $id) { id } }', variables: { id: { a: 1 } } }, 'BAD_USER_INPUT'],
      [{ query: 'query($id: ID!) { user(id: $id) { id } }' }, 'BAD_USER_INPUT'],
      [{ query: '{ me { email } }', extensions: { headers: { authorization: 'Bearer gh_nope' } } }, 'UNAUTHENTICATED'],
      [{ query: '{ me { email } }', extensions: { headers: 'not an object' } }, 'UNAUTHENTICATED'],
    ];
    for (const [i, [payload, code]] of cases.entries()) {
      const answer = await ws.request(`bad${i}`, payload);
      const errors = answer.type === 'error' ? errorsOf(answer) : (answer.payload as { errors: ReturnType<typeof errorsOf> }).errors;
      expect(errors?.[0]?.extensions?.code, JSON.stringify(payload)).toBe(code);
      expect(ws.isOpen).toBe(true);
    }
    expect((await ws.request('fine', { query: '{ health { status } }' })).payload).toEqual({ data: { health: { status: 'ok' } } });
  });

  it('closes with 4400 on protocol-level garbage (not JSON, unknown or server-only message types, bad shapes) and nothing else', async () => {
    const t = await startTestApp();
    const garbage: unknown[] = [
      'not json',
      '[]',
      { type: 'bogus' },
      { type: 'next', id: '1', payload: { data: null } },
      { type: 'error', id: '1', payload: [{ message: 'x' }] },
      { type: 'connection_ack' },
      { type: 'subscribe', payload: { query: '{ health { status } }' } },
      { type: 'subscribe', id: 1, payload: { query: '{ health { status } }' } },
      { type: 'subscribe', id: 'x', payload: { query: 42 } },
      { type: 'subscribe', id: 'x', payload: { query: '{ health { status } }', variables: 'nope' } },
    ];
    for (const message of garbage) {
      const ws = await openRawWs(t.wsUrl);
      await ws.init();
      ws.send(message);
      expect(await ws.closed, JSON.stringify(message)).toEqual({ code: 4400, reason: 'Invalid message received' });
    }
    expect(t.logs.join('')).not.toContain('internal error in a graphql-ws message');
  });
  it('pings each socket about 12 s after it connected, not all sockets at once', async () => {
    const t = await startTestApp();
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    onCleanup(() => void vi.useRealTimers());
    const early = await openRawWs(t.wsUrl);
    await early.init();
    vi.advanceTimersByTime(6_000);
    const late = await openRawWs(t.wsUrl);
    await late.init();
    let earlyPings = 0;
    let latePings = 0;
    early.socket.on('ping', () => earlyPings++);
    late.socket.on('ping', () => latePings++);

    vi.advanceTimersByTime(6_100); // 12.1 s after the first socket, 6.1 s after the second
    await waitFor(() => earlyPings === 1, 'the first socket’s ping');
    await late.request('a', { query: '{ health { status } }' }); // a ping sent before this answer has arrived
    expect(latePings).toBe(0);

    vi.advanceTimersByTime(6_000); // 12.1 s after the second socket
    await waitFor(() => latePings === 1, 'the second socket’s ping');
    await early.request('b', { query: '{ health { status } }' });
    expect(earlyPings).toBe(1);
  });

  it('pings every socket every 12 s and terminates one that has not answered the previous ping by the next one', async () => {
    const t = await startTestApp();
    // Only the heartbeat's interval runs on fake time (it starts with the first socket); I/O and other timers stay real.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    onCleanup(() => void vi.useRealTimers());
    const silent = await openRawWs(t.wsUrl, {}, { autoPong: false });
    const answering = await openRawWs(t.wsUrl);
    await silent.init();
    await answering.init();
    let silentPings = 0;
    let answeringPings = 0;
    silent.socket.on('ping', () => silentPings++);
    answering.socket.on('ping', () => answeringPings++);
    // A round trip on a socket: a ping the server sent before answering has arrived by then.
    const roundTrip = async (ws: RawWs, id: string) =>
      expect((await ws.request(id, { query: '{ health { status } }' })).payload).toEqual({ data: { health: { status: 'ok' } } });

    vi.advanceTimersByTime(10_500);
    await roundTrip(silent, 'a');
    expect([silentPings, answeringPings]).toEqual([0, 0]); // not pinged before the interval

    vi.advanceTimersByTime(1_500);
    await waitFor(() => silentPings === 1 && answeringPings === 1, 'the first pings');
    await roundTrip(answering, 'b'); // its pong has reached the server
    expect(silent.isOpen).toBe(true); // an unanswered ping is not fatal before the next round

    vi.advanceTimersByTime(12_000);
    expect(await silent.closed).toEqual({ code: 1006, reason: '' }); // terminated: no close frame
    await waitFor(() => answeringPings === 2, 'the second ping');
    await roundTrip(answering, 'c');
    vi.advanceTimersByTime(12_000);
    await waitFor(() => answeringPings === 3, 'the third ping');
    expect(answering.isOpen).toBe(true);
    await roundTrip(answering, 'd');
  });
});
