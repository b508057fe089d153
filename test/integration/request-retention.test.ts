import { RequestCache } from '@pothos/plugin-scope-auth';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MySessionsDocument, SessionEventsDocument } from '../generated/graphql.js';
import { connectWs, gqlData, signUpAccount, startTestApp } from '../utils/app.js';
import { waitFor } from '../utils/queue.js';
import { builder } from '../../src/graphql/builder.js';

afterEach(() => {
  vi.restoreAllMocks();
});

/**
 * scope-auth keeps each operation's scope cache in a WeakMap keyed by its context; V8's scavenger treats
 * such an entry's value as live, and the value holds the context, so a request left there outlives the
 * next young-generation collection. These tests look at the cache scope-auth itself hands out.
 */
describe('per-operation scope cache', () => {
  it('is dropped once an HTTP operation is executed, and kept while a subscription runs', async () => {
    const { url, wsUrl, app } = await startTestApp();
    const account = await signUpAccount(url, 'cache@example.test');
    const fromContext = vi.spyOn(RequestCache, 'fromContext');

    // HTTP: the scope check of mySessions made a cache for the operation's context…
    const data = await gqlData(url, MySessionsDocument, undefined, { token: account.token });
    expect(data.mySessions).toHaveLength(1);
    const httpCalls = fromContext.mock.calls.length;
    expect(httpCalls).toBeGreaterThan(0);
    const httpContext = fromContext.mock.calls[0][0] as object;
    const httpCache = fromContext.mock.results[0].value as RequestCache<never>;
    expect(fromContext.mock.calls.every(([context]) => context === httpContext)).toBe(true);
    // …which is gone now: asking again for that context makes a new one.
    expect(RequestCache.fromContext(httpContext as never, builder as never)).not.toBe(httpCache);

    // graphql-ws subscription: its cache lives as long as the subscription.
    const connection = connectWs(wsUrl, { token: account.token });
    connection.subscribe(SessionEventsDocument, {});
    await waitFor(() => fromContext.mock.calls.length > httpCalls + 1, 'the subscription’s scope check');
    await waitFor(() => app.events.subscriberCount('user:sessions', account.id) === 1, 'the subscription');
    const wsIndex = fromContext.mock.calls.findIndex(([context], i) => i > httpCalls && context !== httpContext);
    expect(wsIndex).toBeGreaterThan(0);
    const wsContext = fromContext.mock.calls[wsIndex][0] as object;
    const wsCache = fromContext.mock.results[wsIndex].value as RequestCache<never>;
    expect(RequestCache.fromContext(wsContext as never, builder as never)).toBe(wsCache);
  });
});
