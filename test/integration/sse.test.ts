import { describe, expect, it } from 'vitest';
import { SignOutDocument, SignUpDocument } from '../generated/graphql.js';
import { gqlData, onCleanup, startTestApp } from '../utils/app.js';
import { waitFor } from '../utils/queue.js';

/** Reads a text/event-stream response into its `data:` payloads until the stream ends. */
async function readEvents(response: Response): Promise<unknown[]> {
  const text = await response.text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('data:'))
    .map((line) => line.slice(5).trim())
    .filter(Boolean)
    .map((data) => JSON.parse(data) as unknown);
}

describe('subscriptions over SSE', () => {
  it('deliver the REVOKED notice and then end when the session is signed out', async () => {
    const { url, app } = await startTestApp();
    const signUp = await gqlData(url, SignUpDocument, { input: { email: 'sse@example.test', password: 'sse-password', name: 'S' } });
    const token = signUp.signUp.token;
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: 'subscription { sessionEvents { type reason isCurrent } }' }),
    });
    expect(response.status).toBe(200);
    await waitFor(() => app.events.subscriberCount('user:sessions', signUp.signUp.user.id) === 1, 'the SSE subscription');
    await gqlData(url, SignOutDocument, undefined, { token });
    const events = await readEvents(response); // resolves only because the server ended the stream
    expect(events).toEqual([{ data: { sessionEvents: { type: 'REVOKED', reason: 'SIGNED_OUT', isCurrent: true } } }]);
    expect(app.events.subscriberCount('user:sessions', signUp.signUp.user.id)).toBe(0);
  });

  it('end a non-session stream too when its session ends', async () => {
    const { url, app } = await startTestApp();
    const signUp = await gqlData(url, SignUpDocument, { input: { email: 'sse2@example.test', password: 'sse-password', name: 'S' } });
    const token = signUp.signUp.token;
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: 'subscription { accountStatusChanged { status } }' }),
    });
    await waitFor(() => app.events.subscriberCount('session', signUp.signUp.session.id) === 1, 'the SSE stream');
    await gqlData(url, SignOutDocument, undefined, { token });
    const events = await readEvents(response);
    expect(events).toEqual([{ data: { accountStatusChanged: { status: 'ACTIVE' } } }]);
  });

  it('mask an internal error in the stream with the request id of the response, logged once', async () => {
    const { url, app, logs } = await startTestApp();
    const signUp = await gqlData(url, SignUpDocument, { input: { email: 'sse3@example.test', password: 'sse-password', name: 'S' } });
    const userId = signUp.signUp.user.id;
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${signUp.signUp.token}` },
      body: JSON.stringify({ query: 'subscription { accountStatusChanged { status } }' }),
    });
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(/^req_[0-9a-f]{16}$/);
    await waitFor(() => app.events.subscriberCount('user:status', userId) === 1, 'the SSE stream');
    // A real fault: re-authorizing the delivery reads a table that is gone (restored after the test).
    app.db.exec('ALTER TABLE sessions RENAME TO sessions_moved');
    onCleanup(() => {
      app.db.exec('ALTER TABLE sessions_moved RENAME TO sessions');
    });
    app.events.publish('user:status', userId, { userId, status: 'ACTIVE', previousStatus: 'ACTIVE', role: 'MEMBER', reason: null, at: 0 });
    const events = await readEvents(response);
    // The initial state, then the masked error, and the stream ends.
    expect(events).toEqual([
      { data: { accountStatusChanged: { status: 'ACTIVE' } } },
      {
        errors: [
          expect.objectContaining({
            message: `Something went wrong on our side. Try again; if it keeps happening, report request id ${requestId}.`,
            extensions: { code: 'INTERNAL_SERVER_ERROR', requestId },
          }),
        ],
      },
    ]);
    const faultLines = logs.filter((l) => l.includes('no such table: sessions'));
    expect(faultLines).toHaveLength(1);
    expect(JSON.parse(faultLines[0])).toMatchObject({ level: 'error', requestId, msg: 'internal error' });
  });

  it('refuse a bad token with 401 before streaming', async () => {
    const { url } = await startTestApp();
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer gh_${'x'.repeat(43)}` },
      body: JSON.stringify({ query: 'subscription { sessionEvents { type } }' }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('invalid_token');
  });
});
