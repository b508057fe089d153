import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { SignUpDocument } from '../generated/graphql.js';
import { gqlData, onCleanup, startTestApp } from '../utils/app.js';

async function post(url: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body,
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as { errors?: { message: string; extensions: Record<string, unknown> }[]; data?: unknown } };
}

describe('typed errors for malformed requests', () => {
  it('answers every malformed request with a code, a reason and a sentence, never an empty body', async () => {
    const { url } = await startTestApp();
    const cases: [string, Record<string, string>, string, string | undefined][] = [
      ['{"query": ', {}, 'BAD_REQUEST', 'INVALID_JSON'],
      [JSON.stringify([{ query: '{ health { status } }' }]), {}, 'BAD_REQUEST', 'BATCHING_DISABLED'],
      [JSON.stringify({}), {}, 'BAD_REQUEST', 'MISSING_QUERY'],
      [JSON.stringify({ query: '{ me { ' }), {}, 'GRAPHQL_PARSE_FAILED', undefined],
      [JSON.stringify({ query: '{ nope }' }), {}, 'GRAPHQL_VALIDATION_FAILED', undefined],
      ['hello', { 'content-type': 'text/plain' }, 'BAD_REQUEST', 'UNSUPPORTED_CONTENT_TYPE'],
    ];
    for (const [body, headers, code, reason] of cases) {
      const result = await post(url, body, headers);
      expect(result.status, body).toBeGreaterThanOrEqual(400);
      expect(result.status, body).toBeLessThan(500);
      expect(result.body.errors?.[0].extensions.code, body).toBe(code);
      expect(result.body.errors?.[0].extensions.reason, body).toBe(reason);
      expect(result.body.errors?.[0].message.length, body).toBeGreaterThan(10);
      expect(JSON.stringify(result.body)).not.toContain('originalError');
    }
  });

  it('reports a badly typed variable as BAD_USER_INPUT naming the variable', async () => {
    const { url } = await startTestApp();
    const result = await post(url, JSON.stringify({ query: 'query($id: ID!) { user(id: $id) { id } }', variables: { id: { a: 1 } } }));
    expect(result.body.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(result.body.errors?.[0].extensions.fields).toEqual([{ path: 'id', message: expect.stringContaining('$id') }]);
  });

  it('refuses bodies over 1 MiB with BODY_TOO_LARGE', async () => {
    const { url } = await startTestApp();
    const result = await post(url, JSON.stringify({ query: `{ health { status } } #${'x'.repeat(1024 * 1024)}` }));
    expect(result.status).toBe(413);
    expect(result.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_REQUEST', reason: 'BODY_TOO_LARGE' });
  });

  it('refuses a chunked body (no Content-Length) once it passes 1 MiB, answering before the client has sent the rest', async () => {
    const { url } = await startTestApp();
    const upload = chunkedPost(url);
    // 1 MiB + 64 KiB, then wait: a server that buffered the whole body would never answer now.
    const chunk = Buffer.alloc(64 * 1024, 'x');
    upload.write(Buffer.from('{"query":"{ health { status } } #'));
    for (let sent = 0; sent <= 1024 * 1024; sent += chunk.length) upload.write(chunk);
    const response = await upload.response;
    expect(response.status).toBe(413);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(await response.text())).toEqual({
      errors: [
        {
          message: 'The request body is larger than 1048576 bytes. Send a smaller request.',
          extensions: { code: 'BAD_REQUEST', reason: 'BODY_TOO_LARGE' },
        },
      ],
    });
    // The client goes on to 2 MiB; the server reads and drops it, and keeps answering everyone.
    for (let sent = 0; sent < 1024 * 1024; sent += chunk.length) upload.write(chunk);
    upload.end(Buffer.from('"}'));
    await upload.finished;
    const health = await post(url, JSON.stringify({ query: '{ health { status } }' }));
    expect(health.body).toEqual({ data: { health: { status: 'ok' } } });
  });

  it('serves a chunked body under the limit, and takes the limit from GRAPHQL_MAX_BODY_BYTES', async () => {
    const { url } = await startTestApp();
    const padded = JSON.stringify({ query: `{ health { status } } #${'x'.repeat(900 * 1024)}` });
    const upload = chunkedPost(url);
    for (let i = 0; i < padded.length; i += 50_000) upload.write(Buffer.from(padded.slice(i, i + 50_000)));
    upload.end();
    const response = await upload.response;
    expect(response.status).toBe(200);
    expect(JSON.parse(await response.text())).toEqual({ data: { health: { status: 'ok' } } });

    const small = await startTestApp({ GRAPHQL_MAX_BODY_BYTES: '2048' });
    const body = JSON.stringify({ query: `{ health { status } } #${'x'.repeat(2048)}` });
    const tooLarge = chunkedPost(small.url);
    tooLarge.end(Buffer.from(body));
    const refused = await tooLarge.response;
    expect(refused.status).toBe(413);
    expect(JSON.parse(await refused.text()).errors[0].message).toBe('The request body is larger than 2048 bytes. Send a smaller request.');
    // By Content-Length too, on every path yoga answers GraphQL at, and a body of exactly the limit passes.
    expect((await post(small.url, body)).status).toBe(413);
    for (const path of ['/graphql/', '/api/graphql']) {
      const other = chunkedPost(small.url.replace(/\/graphql$/, path));
      other.end(Buffer.from(body));
      expect((await other.response).status).toBe(413);
    }
    // Our own routes keep their answers: a POST to the console is 405, not a GraphQL refusal.
    expect((await fetch(small.url.replace(/\/graphql$/, '/console/'), { method: 'POST', body: 'x' })).status).toBe(405);
    const base = JSON.stringify({ query: '{ health { status } } #' });
    const exact = base.replace('#', `#${'x'.repeat(2048 - base.length)}`);
    expect(Buffer.byteLength(exact)).toBe(2048);
    expect((await post(small.url, exact)).body).toEqual({ data: { health: { status: 'ok' } } });
  });
});

/** A raw node:http POST with `Transfer-Encoding: chunked` (no Content-Length), written piece by piece. */
function chunkedPost(url: string) {
  const request = httpRequest(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', 'transfer-encoding': 'chunked' },
  });
  onCleanup(() => void request.destroy());
  const response = new Promise<{ status: number; headers: IncomingHttpHeaders; text(): Promise<string> }>((resolve, reject) => {
    request.once('error', reject);
    request.once('response', (res) => {
      const chunks: Buffer[] = [];
      const done = new Promise<string>((resolveText) => res.on('end', () => resolveText(Buffer.concat(chunks).toString('utf8'))));
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      resolve({ status: res.statusCode ?? 0, headers: res.headers, text: () => done });
    });
  });
  const finished = new Promise<void>((resolve, reject) => {
    request.once('finish', resolve);
    request.once('error', reject);
  });
  return {
    response,
    finished,
    write: (chunk: Buffer) => request.write(chunk),
    end: (chunk?: Buffer) => request.end(chunk),
  };
}

describe('cookie mode', () => {
  it('sets an HttpOnly session cookie, accepts it with a CSRF-safe request and refuses a simple one', async () => {
    const { url } = await startTestApp({ COOKIE_MODE: 'true' });
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'mutation($input: SignUpInput!) { signUp(input: $input) { token } }',
        variables: { input: { email: 'cookie@example.test', password: 'cookie-password', name: 'Cookie' } },
      }),
    });
    const setCookie = response.headers.get('set-cookie') ?? '';
    const { data } = (await response.json()) as { data: { signUp: { token: string } } };
    expect(setCookie).toContain(`gh_session=${encodeURIComponent(data.signUp.token)}`);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Lax');
    const cookie = `gh_session=${encodeURIComponent(data.signUp.token)}`;

    // JSON POST with the cookie: a browser form cannot send this, so it passes.
    const me = await post(url, JSON.stringify({ query: '{ me { email } }' }), { cookie });
    expect(me.body.data).toEqual({ me: { email: 'cookie@example.test' } });

    // A GET with only the cookie could come from any site: refused with a typed 403.
    const simple = await fetch(`${url}?query=${encodeURIComponent('{ me { email } }')}`, { headers: { cookie, accept: 'application/json' } });
    const simpleBody = (await simple.json()) as { errors: { extensions: Record<string, unknown> }[] };
    expect(simple.status).toBe(403);
    expect(simpleBody.errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'CSRF_CHECK_FAILED' });
    // The same GET with a bearer token is not cookie-authenticated and passes (urql's default GET queries).
    const bearerGet = await fetch(`${url}?query=${encodeURIComponent('{ me { email } }')}`, {
      headers: { authorization: `Bearer ${data.signUp.token}`, accept: 'application/json' },
    });
    expect(((await bearerGet.json()) as { data: unknown }).data).toEqual({ me: { email: 'cookie@example.test' } });
    // With the CSRF header the cookie GET passes too.
    const withHeader = await fetch(`${url}?query=${encodeURIComponent('{ me { email } }')}`, {
      headers: { cookie, 'x-graphql-csrf': '1', accept: 'application/json' },
    });
    expect(((await withHeader.json()) as { data: unknown }).data).toEqual({ me: { email: 'cookie@example.test' } });
  });

  it('does not read cookies when cookie mode is off', async () => {
    const { url } = await startTestApp();
    const signUp = await gqlData(url, SignUpDocument, { input: { email: 'nocookie@example.test', password: 'cookie-password', name: 'N' } });
    const me = await post(url, JSON.stringify({ query: '{ me { email } }' }), { cookie: `gh_session=${signUp.signUp.token}` });
    expect(me.body.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'MISSING_TOKEN' });
  });
});
