import { describe, expect, it } from 'vitest';
import { MeDocument, SessionEventsDocument, SignInDocument, SignOutDocument, SignUpDocument } from '../generated/graphql.js';
import { connectWs, gql, gqlData, startTestApp } from '../utils/app.js';
import { waitFor } from '../utils/queue.js';

async function scrape(url: string) {
  const response = await fetch(url.replace('/graphql', '/metrics'));
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return response.text();
}

/** The value of the sample of `name` whose labels include all of `labels` (in any order). */
function labelled(text: string, name: string, labels: Record<string, string>): number | undefined {
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

/** The value of one sample line, e.g. `name{label="x"} 3`. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(labels ? `${name}{${labels}` : `${name} `));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

describe('/metrics', () => {
  it('exposes request and error counts by operation, sessions, sockets, subscriptions, events and sign-in failures', async () => {
    const { url, wsUrl, app } = await startTestApp();
    const user = await gqlData(url, SignUpDocument, { input: { email: 'metrics@example.test', password: 'metrics-password', name: 'M' } });
    await gqlData(url, MeDocument, undefined, { token: user.signUp.token });
    await gql(url, MeDocument); // MISSING_TOKEN error
    await gql(url, SignInDocument, { input: { email: 'metrics@example.test', password: 'wrong-password' } });
    await gql(url, SignInDocument, { input: { email: 'nobody@example.test', password: 'wrong-password' } });
    const ws = connectWs(wsUrl, { token: user.signUp.token });
    ws.subscribe(SessionEventsDocument);
    await waitFor(() => app.events.subscriberCount('user:sessions', user.signUp.user.id) === 1, 'the subscription');

    const text = await scrape(url);
    expect(sample(text, 'gatehouse_active_sessions')).toBe(1);
    expect(sample(text, 'gatehouse_ws_sockets')).toBe(1);
    expect(sample(text, 'gatehouse_ws_session_sockets')).toBe(1);
    expect(sample(text, 'gatehouse_subscriptions', 'topic="user:sessions"')).toBe(1);
    expect(sample(text, 'gatehouse_sign_in_failures_total')).toBe(2);
    expect(sample(text, 'gatehouse_events_published_total', 'topic="user:sessions"')).toBe(1); // CREATED at sign-up
    expect(text).toMatch(/graphql_envelop_request\{[^}]*operationName="Me"[^}]*\} 2/);
    expect(text).toMatch(/graphql_envelop_error_result\{[^}]*operationName="Me"[^}]*\} 1/);
    expect(text).toContain('gatehouse_process_resident_memory_bytes');
    expect(text).toContain('gatehouse_nodejs_eventloop_lag_p99_seconds');
    expect(text).toMatch(/graphql_envelop_request_duration_count\{[^}]*operationName="Me"[^}]*\} 2/);
    expect(labelled(text, 'graphql_envelop_error_result', { operationName: 'Me', path: 'me', phase: 'execute' })).toBe(1);
    expect(labelled(text, 'graphql_envelop_request', { operationType: 'subscription', operationName: 'SessionEvents' })).toBe(1);
    expect(labelled(text, 'graphql_envelop_request', { operationType: 'mutation', operationName: 'SignIn' })).toBe(2);
    const meHttp = { method: 'POST', operationType: 'query', operationName: 'Me', url: '/graphql' };
    expect(labelled(text, 'graphql_yoga_http_duration_count', { ...meHttp, statusCode: '200' })).toBe(2);
    // Refused before execution: counted by phase, and the HTTP answer by its status.
    await gql(url, MeDocument, undefined, { token: 'gh_not-a-real-token' });
    await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ me { nope } }' }) });
    await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ me {' }) });
    const refused = await scrape(url);
    expect(labelled(refused, 'graphql_yoga_http_duration_count', { method: 'POST', statusCode: '401', url: '/graphql' })).toBe(1);
    expect(labelled(refused, 'graphql_envelop_error_result', { phase: 'validate' })).toBe(1);
    expect(labelled(refused, 'graphql_envelop_error_result', { phase: 'parse' })).toBe(1);
    expect(labelled(refused, 'graphql_envelop_request', { operationName: 'Me' })).toBe(2);
    // Only the four documented GraphQL metrics (our own plugin, bench/README.md).
    expect(text.match(/^# TYPE graphql_\w+/gm)?.sort()).toEqual([
      '# TYPE graphql_envelop_error_result',
      '# TYPE graphql_envelop_request',
      '# TYPE graphql_envelop_request_duration',
      '# TYPE graphql_yoga_http_duration',
    ]);

    await gqlData(url, SignOutDocument, undefined, { token: user.signUp.token });
    await ws.closed;
    await waitFor(() => app.events.subscriberCount('user:sessions', user.signUp.user.id) === 0, 'the subscription to end');
    const after = await scrape(url);
    expect(sample(after, 'gatehouse_active_sessions')).toBe(0);
    expect(sample(after, 'gatehouse_subscriptions', 'topic="user:sessions"')).toBe(0);
    expect(sample(after, 'gatehouse_events_published_total', 'topic="session"')).toBe(1);
    expect(sample(after, 'gatehouse_keeper_sweep_seconds_count', 'keeper="sessions"') ?? 0).toBe(0);
    await app.sweep();
    expect(sample(await scrape(url), 'gatehouse_keeper_sweep_seconds_count', 'keeper="sessions"')).toBe(1);
    await app.portalKeeper.sweep();
    expect(sample(await scrape(url), 'gatehouse_keeper_sweep_seconds_count', 'keeper="portal"')).toBe(1);
  });
});

describe('access log', () => {
  it('writes one JSON line per request with its request id, without the query or headers', async () => {
    const { url, logs } = await startTestApp();
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer gh_not-a-real-token' },
      body: JSON.stringify({ query: '{ health { status } }' }),
    });
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(/^req_[0-9a-f]{16}$/);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const line = logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.requestId === requestId && l.msg === 'request');
    expect(line).toMatchObject({ level: 'info', method: 'POST', path: '/graphql', status: 401 });
    expect(JSON.stringify(line)).not.toContain('gh_not-a-real-token');
    expect(JSON.stringify(line)).not.toContain('health');
  });
});
