/**
 * Property-based fuzzing against a running server (real HTTP and graphql-ws on port 0).
 *
 * Properties: the server never answers 5xx, every GraphQL error carries `extensions.code`, no error
 * is a masked INTERNAL_SERVER_ERROR (each would be a bug), sockets only close with protocol or
 * policy codes (never 4500/1011), nothing is logged at error level, and a plain `health` query
 * still answers afterwards. Bounded: FUZZ_RUNS cases per property (default 150); a longer run is
 * e.g. `FUZZ_RUNS=2000 npx vitest run test/integration/fuzz.test.ts`.
 */
import { print, type DocumentNode } from 'graphql';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as documents from '../generated/graphql.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, gqlData, startTestApp, type TestApp } from '../utils/app.js';
import { openRawWs, type WsMessage } from '../utils/raw-ws.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const TIMEOUT = Math.max(30_000, RUNS * 150);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

/** How many cases ran per property in this process (printed at the end of each test). */
const ran: Record<string, number> = {};

type GqlError = { message?: unknown; extensions?: { code?: unknown } };

/** Operations the clients use; portal ones are left out because they can reach upstream URLs. */
const OPERATIONS = (Object.entries(documents) as [string, unknown][])
  .filter(([name, doc]) => name.endsWith('Document') && !name.includes('Portal') && typeof doc === 'object')
  .map(([name, doc]) => ({ name, query: print(doc as DocumentNode) }));

const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 });
const anyText = fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 40 }), printable);
const FIELD_NAMES = [
  'email', 'password', 'name', 'role', 'device', 'replaceSessionId', 'currentPassword', 'newPassword', 'signOutOtherSessions',
  'title', 'description', 'location', 'employmentType', 'salaryMin', 'salaryMax', 'status', 'search', 'userId', 'action', 'since',
  'id', 'first', 'after', 'last', 'before', 'filter', 'input', 'reason', 'ttlMinutes', 'includeInactive', 'type', 'platform',
];
const leaf = fc.oneof(
  anyText,
  fc.emailAddress(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('MEMBER', 'EMPLOYER', 'ADMIN', 'ACTIVE', 'PENDING', 'usr_x', 'ses_x', 'job_x', 'gh_x', '2026-01-01T00:00:00Z', ''),
);
const value: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.dictionary(fc.oneof(fc.constantFrom(...FIELD_NAMES), printable), tie('value'), { maxKeys: 6 }),
    fc.array(tie('value'), { maxLength: 4 }),
  ),
})).value;
const variables = fc.oneof(
  fc.dictionary(fc.constantFrom(...FIELD_NAMES), value, { maxKeys: 5 }),
  fc.jsonValue({ maxDepth: 3 }),
  fc.constant(undefined),
);

/** Token soup: GraphQL-looking documents that are mostly almost-valid. */
const TOKENS = [
  '{', '}', '(', ')', '[', ']', ':', '$', '!', '=', '...', '@include(if: true)', '@skip(if: $x)', '@deprecated', 'query', 'mutation',
  'subscription', 'fragment F on User', '...F', 'on', 'health', 'status', 'me', 'email', 'users', 'edges', 'node', 'id', 'first: 5',
  'first: 100000', 'signIn', 'signUp', 'input: {}', 'input: { email: "a@b.c", password: "x" }', 'sessionEvents', 'jobs', 'stats',
  '__typename', '__schema', '__type(name: "User")', 'types', 'name', '"str"', '"""block"""', '1', '1.5', 'null', 'true', '#c', ',',
  'a: health', '$id: ID!', 'user(id: $id)', '\u0000', '\uFFFF', '"\\u00', 'auditLog', 'mySessions', 'node(id: "usr_1")',
];
const soup = fc.array(fc.constantFrom(...TOKENS), { minLength: 1, maxLength: 40 }).map((parts) => parts.join(' '));
const operation = fc.oneof(
  fc.constantFrom(...OPERATIONS).map((op) => op.query),
  soup,
  anyText,
  fc.constantFrom(...OPERATIONS).chain((op) => fc.nat(op.query.length).map((cut) => op.query.slice(0, cut))),
);

function assertTyped(errors: unknown, where: string) {
  if (errors === undefined) return;
  expect(Array.isArray(errors), `${where}: errors is an array`).toBe(true);
  for (const error of errors as GqlError[]) {
    expect(typeof error.message, `${where}: message`).toBe('string');
    expect(typeof error.extensions?.code, `${where}: code of ${JSON.stringify(error)}`).toBe('string');
    expect(error.extensions?.code, `${where}: masked internal error ${JSON.stringify(error)}`).not.toBe('INTERNAL_SERVER_ERROR');
  }
}

/** Sends one request; fails on 5xx, a non-JSON GraphQL answer, or an untyped error. */
async function send(url: string, init: RequestInit, where: string): Promise<{ status: number; body: { data?: unknown; errors?: unknown } | null }> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    // fetch itself refuses some inputs (bad header bytes) before anything is sent: not the server's doing.
    if (error instanceof TypeError && !/fetch failed/.test(error.message)) return { status: 0, body: null };
    throw error;
  }
  const text = await response.text();
  expect(response.status, `${where}: ${text.slice(0, 300)}`).toBeLessThan(500);
  let body: { data?: unknown; errors?: unknown } | null;
  try {
    body = JSON.parse(text) as { data?: unknown; errors?: unknown } | null;
  } catch {
    throw new Error(`${where}: answer is not JSON (HTTP ${response.status}): ${text.slice(0, 200)}`);
  }
  assertTyped(body?.errors, where);
  return { status: response.status, body };
}

async function stillHealthy(t: TestApp) {
  const health = await send(t.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ health { status } }' }) }, 'health');
  expect(health.body?.data).toEqual({ health: { status: 'ok' } });
  const errorLines = t.logs.filter((line) => /"level":(50|60)/.test(line));
  expect(errorLines, 'error-level log lines').toEqual([]);
}

async function tokens(t: TestApp) {
  const admin = await gqlData(t.url, documents.SignInDocument, { input: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
  const member = await gqlData(t.url, documents.SignUpDocument, { input: { email: 'fuzz-member@example.test', password: 'fuzz-member-password', name: 'Fuzz' } });
  return [admin.signIn.__typename === 'AuthPayload' ? admin.signIn.token : '', member.signUp.token];
}

function check<T>(name: string, property: fc.IAsyncProperty<T>) {
  ran[name] = 0;
  return fc.assert(property, { numRuns: RUNS, seed: SEED, endOnFailure: true });
}

function count(name: string) {
  ran[name] = (ran[name] ?? 0) + 1;
}

describe('fuzz', () => {
  it(`malformed HTTP bodies, content types and methods (${RUNS} cases)`, { timeout: TIMEOUT }, async () => {
    const t = await startTestApp();
    const body = fc.oneof(
      anyText,
      fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
      fc.record({ query: fc.oneof(operation, value), variables: fc.oneof(variables, value), operationName: fc.oneof(anyText, value), extensions: value }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
      fc.array(fc.record({ query: operation }), { maxLength: 3 }).map((v) => JSON.stringify(v)),
      fc.constantFrom('', '{', '{"query": ', '\u0000', '[]', '[[]]', '{"query": "{ health { status } }", "variables": "x"}'),
    );
    const contentType = fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'application/graphql-response+json',
      'application/graphql+json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json; charset=latin1',
      '',
    );
    const accept = fc.constantFrom('application/json', 'application/graphql-response+json', 'text/event-stream', '*/*', 'text/html', 'image/png', '');
    await check(
      'http-bodies',
      fc.asyncProperty(fc.constantFrom('POST', 'GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'), body, contentType, accept, async (method, payload, type, acceptHeader) => {
        count('http-bodies');
        const headers: Record<string, string> = {};
        if (type) headers['content-type'] = type;
        if (acceptHeader && acceptHeader !== 'text/html') headers.accept = acceptHeader;
        const target = method === 'GET' ? `${t.url}?query=${encodeURIComponent(payload)}` : t.url;
        if (acceptHeader === 'text/event-stream') return; // SSE streams are covered by sse.test.ts
        await send(target, { method, headers, body: method === 'GET' || method === 'OPTIONS' ? undefined : payload }, `${method} ${type} ${payload.slice(0, 200)}`).catch((error: Error) => {
          // OPTIONS answers CORS preflight with an empty 204; anything else must be JSON.
          if (method === 'OPTIONS' && /not JSON \(HTTP 204\)/.test(error.message)) return;
          throw error;
        });
      }),
    );
    await stillHealthy(t);
    console.info(`fuzz http-bodies: ${ran['http-bodies']} cases`);
  });

  it(`random operations and variables, anonymous and signed in (${RUNS} cases)`, { timeout: TIMEOUT }, async () => {
    const t = await startTestApp({ DEV_MODE: 'true' });
    const [admin, member] = await tokens(t);
    await check(
      'operations',
      fc.asyncProperty(operation, variables, fc.oneof(fc.constant(undefined), anyText), fc.constantFrom(undefined, admin, member), async (query, vars, operationName, token) => {
        count('operations');
        const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/graphql-response+json' };
        if (token) headers.authorization = `Bearer ${token}`;
        const result = await send(t.url, { method: 'POST', headers, body: JSON.stringify({ query, variables: vars, operationName }) }, query.slice(0, 200));
        if (result.status === 200) expect(result.body && ('data' in result.body || 'errors' in result.body)).toBe(true);
      }),
    );
    await stillHealthy(t);
    console.info(`fuzz operations: ${ran.operations} cases`);
  });

  it(`random headers and tokens (${RUNS} cases)`, { timeout: TIMEOUT }, async () => {
    const t = await startTestApp({ COOKIE_MODE: 'true', TRUST_PROXY: 'true' });
    const [, member] = await tokens(t);
    const token = fc.oneof(
      printable,
      fc.constantFrom(member, `${member}x`, member.slice(0, -1), 'gh_', 'gh_' + 'A'.repeat(43), '', ' ', 'null', 'undefined'),
      fc.base64String({ maxLength: 60 }).map((s) => `gh_${s}`),
    );
    const authorization = fc.oneof(
      token.map((v) => `Bearer ${v}`),
      token.map((v) => `bearer   ${v}  `),
      token.map((v) => `Basic ${v}`),
      token,
    );
    const headerSet = fc.record(
      {
        authorization,
        cookie: fc.oneof(token.map((v) => `gh_session=${v}`), printable, token.map((v) => `a=b; gh_session=${encodeURIComponent(v)}; gh_session=x`)),
        'x-forwarded-for': fc.oneof(fc.ipV4(), fc.ipV6(), printable),
        'user-agent': printable,
        'x-graphql-csrf': printable,
        origin: fc.oneof(printable, fc.webUrl()),
      },
      { requiredKeys: [] },
    );
    await check(
      'headers',
      fc.asyncProperty(headerSet, fc.constantFrom('{ health { status } }', '{ me { email } }', '{ mySessions { id } }', 'mutation { signOut }'), fc.boolean(), async (extra, query, get) => {
        count('headers');
        const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json', ...extra };
        const init: RequestInit = get ? { method: 'GET', headers } : { method: 'POST', headers, body: JSON.stringify({ query }) };
        const url = get ? `${t.url}?query=${encodeURIComponent(query)}` : t.url;
        await send(url, init, `${get ? 'GET' : 'POST'} ${query} ${JSON.stringify(extra)}`);
      }),
    );
    await stillHealthy(t);
    console.info(`fuzz headers: ${ran.headers} cases`);
  });

  it(`random graphql-ws connectionParams and frames (${RUNS} cases)`, { timeout: TIMEOUT }, async () => {
    const t = await startTestApp();
    const [admin, member] = await tokens(t);
    const connectionParams = fc.oneof(
      fc.constant(undefined),
      fc.constant({ authorization: `Bearer ${member}` }),
      fc.constant({ token: admin }),
      fc.dictionary(fc.constantFrom('authorization', 'Authorization', 'token', 'headers', 'x'), value, { maxKeys: 3 }),
      value,
    );
    const subscribePayload = fc.record(
      { query: operation, variables, operationName: fc.oneof(fc.constant(undefined), anyText), extensions: fc.oneof(fc.constant(undefined), fc.constant({ headers: { Authorization: `Bearer ${member}` } }), value) },
      { requiredKeys: ['query'] },
    );
    const frame = fc.oneof(
      { weight: 6, arbitrary: subscribePayload.map((payload) => ({ kind: 'subscribe' as const, payload })) },
      { weight: 1, arbitrary: fc.oneof(anyText, fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v))).map((raw) => ({ kind: 'raw' as const, raw })) },
      { weight: 1, arbitrary: fc.record({ type: fc.constantFrom('ping', 'pong', 'complete', 'next', 'error', 'connection_init', 'subscribe', 'x'), id: fc.oneof(fc.constantFrom('1', 's0'), value), payload: value }, { requiredKeys: ['type'] }).map((m) => ({ kind: 'raw' as const, raw: JSON.stringify(m) })) },
    );
    const ALLOWED_CLOSES = new Set([4400, 4401, 4403, 4409, 4429, 1009]);
    await check(
      'ws',
      fc.asyncProperty(connectionParams, fc.array(frame, { minLength: 1, maxLength: 5 }), async (params, frames) => {
        count('ws');
        const ws = await openRawWs(t.wsUrl);
        const received: WsMessage[] = [];
        ws.socket.on('message', (data) => received.push(JSON.parse(String(data)) as WsMessage));
        ws.send(params === undefined ? { type: 'connection_init' } : { type: 'connection_init', payload: params });
        for (const [i, f] of frames.entries()) ws.send(f.kind === 'subscribe' ? { type: 'subscribe', id: `s${i}`, payload: f.payload } : f.raw);
        ws.send({ type: 'subscribe', id: 'sentinel', payload: { query: '{ health { status } }' } });
        const outcome = await Promise.race([
          ws.closed.then((c) => ({ closed: c })),
          new Promise<{ sentinel: true }>((resolve) => {
            const poll = setInterval(() => {
              if (received.some((m) => m.id === 'sentinel' && m.type !== 'next')) return;
              if (received.some((m) => m.id === 'sentinel' && m.type === 'next')) {
                clearInterval(poll);
                resolve({ sentinel: true });
              }
            }, 2);
            void ws.closed.then(() => clearInterval(poll));
          }),
          new Promise<{ timeout: true }>((resolve) => setTimeout(() => resolve({ timeout: true }), 5000)),
        ]);
        const where = `params=${JSON.stringify(params)} frames=${JSON.stringify(frames).slice(0, 400)}`;
        expect('timeout' in outcome, `${where}: neither answered nor closed`).toBe(false);
        if ('closed' in outcome) expect(ALLOWED_CLOSES.has(outcome.closed.code), `${where}: closed ${JSON.stringify(outcome.closed)}`).toBe(true);
        for (const message of received) {
          if (message.type === 'error') assertTyped(message.payload, where);
          if (message.type === 'next') assertTyped((message.payload as { errors?: unknown }).errors, where);
        }
        ws.socket.close();
        await ws.closed;
      }),
    );
    const after = await openRawWs(t.wsUrl);
    await after.init();
    expect((await after.request('1', { query: '{ health { status } }' })).payload).toEqual({ data: { health: { status: 'ok' } } });
    await stillHealthy(t);
    console.info(`fuzz ws: ${ran.ws} cases`);
  });
});

describe('regressions found by the fuzzer', () => {
  it('a malformed percent-escape in the session cookie is an unknown token (401), not a 500', async () => {
    const t = await startTestApp({ COOKIE_MODE: 'true' });
    const result = await send(t.url, { method: 'POST', headers: { 'content-type': 'application/json', cookie: 'gh_session=%)mH' }, body: JSON.stringify({ query: '{ me { email } }' }) }, 'bad cookie');
    expect(result.status).toBe(401);
    expect((result.body?.errors as GqlError[])[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'INVALID_TOKEN' });
  });

  it('a response media type as request Content-Type gets a typed 415, not an empty one', async () => {
    const t = await startTestApp();
    const result = await send(t.url, { method: 'POST', headers: { 'content-type': 'application/graphql-response+json' }, body: JSON.stringify({ query: '{ health { status } }' }) }, '415');
    expect(result.status).toBe(415);
    expect((result.body?.errors as GqlError[])[0].extensions).toEqual({ code: 'BAD_REQUEST', reason: 'UNSUPPORTED_CONTENT_TYPE' });
  });

  it('an Accept header the server cannot satisfy gets a typed 406, not an empty one (also a subscription asked for as JSON)', async () => {
    const t = await startTestApp();
    const [, member] = await tokens(t);
    const cases: [string, string][] = [
      ['image/png', '{ health { status } }'],
      ['application/json', 'subscription { sessionEvents { type } }'],
    ];
    for (const [accept, query] of cases) {
      const headers = { 'content-type': 'application/json', accept, authorization: `Bearer ${member}` };
      const result = await send(t.url, { method: 'POST', headers, body: JSON.stringify({ query }) }, accept);
      expect(result.status, accept).toBe(406);
      expect((result.body?.errors as GqlError[])[0].extensions, accept).toEqual({ code: 'BAD_REQUEST', reason: 'NOT_ACCEPTABLE' });
    }
    // The refused subscription was stopped, not left listening.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(Object.values(t.app.events.listenersByTopic()).reduce((a, b) => a + b, 0)).toBe(0);
  });

  it('a document with several operations and no (or an unknown) operationName is BAD_REQUEST / UNKNOWN_OPERATION over HTTP and graphql-ws', async () => {
    const t = await startTestApp();
    const query = 'query A { health { status } } query B { health { version } }';
    for (const operationName of [undefined, 'C']) {
      const http = await send(t.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, operationName }) }, 'http');
      expect((http.body?.errors as GqlError[])[0].extensions).toEqual({ code: 'BAD_REQUEST', reason: 'UNKNOWN_OPERATION' });
    }
    const ws = await openRawWs(t.wsUrl);
    await ws.init();
    for (const operationName of [undefined, 'C']) {
      const answer = await ws.request(`op-${operationName}`, { query, operationName });
      expect((answer.payload as GqlError[])[0].extensions).toEqual({ code: 'BAD_REQUEST', reason: 'UNKNOWN_OPERATION' });
    }
  });
});
