// CORS for ALLOWED_ORIGINS and the client IP behind TRUST_PROXY, against a real server.
import { describe, expect, it } from 'vitest';
import { SignInDocument, SignUpDocument } from '../generated/graphql.js';
import { errorOf, gql, gqlData, startTestApp } from '../utils/app.js';

const LISTED = ['https://app.example.test', 'https://admin.example.test'];

/** A POST of `{ health { status } }` from a browser page on `origin` (undefined: no Origin header). */
async function fromOrigin(url: string, origin: string | undefined, body = JSON.stringify({ query: '{ health { status } }' })) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(origin === undefined ? {} : { origin }) },
    body,
  });
  await response.arrayBuffer();
  return response;
}

function corsOf(response: Response) {
  return {
    allowOrigin: response.headers.get('access-control-allow-origin'),
    allowCredentials: response.headers.get('access-control-allow-credentials'),
    vary: response.headers.get('vary'),
  };
}

describe('CORS (ALLOWED_ORIGINS)', () => {
  it('echoes a listed origin with credentials and Vary: Origin, and sends no CORS headers to any other origin, null included', async () => {
    const t = await startTestApp({ ALLOWED_ORIGINS: LISTED.join(',') });
    for (const origin of LISTED) {
      const response = await fromOrigin(t.url, origin);
      expect(response.status).toBe(200);
      expect(corsOf(response)).toEqual({ allowOrigin: origin, allowCredentials: 'true', vary: 'Origin' });
    }
    for (const origin of ['https://evil.example.test', 'null', 'https://app.example.test.evil.example']) {
      expect(corsOf(await fromOrigin(t.url, origin)), origin).toEqual({ allowOrigin: null, allowCredentials: null, vary: 'Origin' });
    }
    // Same-origin pages and non-browser clients send no Origin and need no CORS.
    expect(corsOf(await fromOrigin(t.url, undefined))).toEqual({ allowOrigin: null, allowCredentials: null, vary: 'Origin' });
  });

  it('answers preflights for listed origins only', async () => {
    const t = await startTestApp({ ALLOWED_ORIGINS: LISTED.join(',') });
    const preflight = (origin: string) =>
      fetch(t.url, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
      });
    const allowed = await preflight(LISTED[1]);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(LISTED[1]);
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    expect(allowed.headers.get('access-control-allow-methods')).toBe('POST');
    expect(allowed.headers.get('access-control-allow-headers')).toBe('authorization, content-type');
    expect(allowed.headers.get('vary')?.split(', ').sort()).toEqual(['Access-Control-Request-Headers', 'Origin']);
    const refused = await preflight('null');
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    expect(refused.headers.get('access-control-allow-methods')).toBeNull();
  });

  it('with one listed origin, tells other origins nothing either (not the listed one)', async () => {
    const t = await startTestApp({ ALLOWED_ORIGINS: LISTED[0] });
    expect(corsOf(await fromOrigin(t.url, LISTED[0]))).toEqual({ allowOrigin: LISTED[0], allowCredentials: 'true', vary: 'Origin' });
    expect(corsOf(await fromOrigin(t.url, 'https://evil.example.test'))).toEqual({ allowOrigin: null, allowCredentials: null, vary: 'Origin' });
  });

  it('without ALLOWED_ORIGINS sends no CORS headers at all', async () => {
    const t = await startTestApp();
    expect(corsOf(await fromOrigin(t.url, 'https://app.example.test'))).toEqual({ allowOrigin: null, allowCredentials: null, vary: null });
  });

  it('puts the same headers on refusals written before GraphQL runs (413, 415), so a listed page can read the code', async () => {
    const t = await startTestApp({ ALLOWED_ORIGINS: LISTED.join(','), GRAPHQL_MAX_BODY_BYTES: '1024' });
    const large = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: LISTED[0] },
      body: JSON.stringify({ query: `{ health { status } } #${'x'.repeat(2048)}` }),
    });
    expect(large.status).toBe(413);
    expect(corsOf(large)).toEqual({ allowOrigin: LISTED[0], allowCredentials: 'true', vary: 'Origin' });
    expect(((await large.json()) as { errors: { extensions: unknown }[] }).errors[0].extensions).toEqual({ code: 'BAD_REQUEST', reason: 'BODY_TOO_LARGE' });
    const text = await fetch(t.url, { method: 'POST', headers: { 'content-type': 'text/plain', origin: 'https://evil.example.test' }, body: '{}' });
    expect(text.status).toBe(415);
    expect(corsOf(text)).toEqual({ allowOrigin: null, allowCredentials: null, vary: 'Origin' });
  });
});

describe('client IP (TRUST_PROXY)', () => {
  const PASSWORD = 'proxy-password-1';

  async function signUpFrom(url: string, email: string, forwardedFor: string) {
    const data = await gqlData(url, SignUpDocument, { input: { email, password: PASSWORD, name: 'Proxy' } }, { headers: { 'x-forwarded-for': forwardedFor } });
    return data.signUp.session.ipAddress;
  }

  it('ignores X-Forwarded-For when TRUST_PROXY is off', async () => {
    const t = await startTestApp();
    expect(await signUpFrom(t.url, 'direct@example.test', '203.0.113.5')).toBe('127.0.0.1');
  });

  it('takes the right-most entry behind one proxy, so a client cannot pick its address by sending its own header', async () => {
    const t = await startTestApp({ TRUST_PROXY: 'true', SIGNIN_IP_LOCK_THRESHOLD: '2', SIGNIN_LOCK_THRESHOLD: '0' });
    // nginx's $proxy_add_x_forwarded_for appends the address it saw to whatever the client sent.
    expect(await signUpFrom(t.url, 'behind@example.test', '198.51.100.7, 203.0.113.5')).toBe('203.0.113.5');
    expect(await signUpFrom(t.url, 'overwritten@example.test', '203.0.113.6')).toBe('203.0.113.6');
    expect(await signUpFrom(t.url, 'garbage@example.test', 'not-an-address')).toBe('127.0.0.1');

    // The per-IP sign-in lock follows the same address: changing the made-up entries does not dodge it.
    const attempt = (forged: string, password = 'wrong-password-9') =>
      gql(t.url, SignInDocument, { input: { email: 'behind@example.test', password } }, { headers: { 'x-forwarded-for': `${forged}, 203.0.113.5` } });
    expect(errorOf(await attempt('192.0.2.1'))).toEqual({ code: 'UNAUTHENTICATED', reason: 'INVALID_CREDENTIALS' });
    expect(errorOf(await attempt('192.0.2.2'))).toEqual({ code: 'UNAUTHENTICATED', reason: 'INVALID_CREDENTIALS' });
    expect(errorOf(await attempt('192.0.2.3', PASSWORD))).toEqual({ code: 'RATE_LIMITED', reason: 'IP_LOCKED' });
    // Another client behind the proxy is not locked.
    const other = await gql(t.url, SignInDocument, { input: { email: 'behind@example.test', password: PASSWORD } }, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(other.body.data?.signIn.__typename).toBe('AuthPayload');
  });

  it('counts TRUST_PROXY=2 proxies from the right', async () => {
    const t = await startTestApp({ TRUST_PROXY: '2' });
    expect(await signUpFrom(t.url, 'two-hops@example.test', '198.51.100.7, 203.0.113.5, 10.0.0.2')).toBe('203.0.113.5');
  });
});
