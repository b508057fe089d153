import { getIntrospectionQuery, print, type DocumentNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import * as documents from '../generated/graphql.js';
import { loadConfig } from '../../src/config.js';
import { startTestApp } from '../utils/app.js';
import { openRawWs } from '../utils/raw-ws.js';

type Body = { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };

async function post(url: string, query: string, variables?: Record<string, unknown>): Promise<{ status: number; body: Body }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as Body };
}

/** `levels` nested `ofType` selections under `__type`: a schema-valid way to go deep. */
function deepQuery(levels: number): string {
  return `{ __type(name: "User") { fields { type { ${'ofType { '.repeat(levels)}name${' }'.repeat(levels)} } } } }`;
}

const ABUSIVE: [string, string, string][] = [
  ['MAX_DEPTH', deepQuery(12), 'Query depth limit of 10 exceeded'],
  ['MAX_ALIASES', `{ ${Array.from({ length: 16 }, (_, i) => `h${i}: health { status }`).join(' ')} }`, 'Aliases limit of 15 exceeded, found 16.'],
  ['MAX_TOKENS', `{ health { ${'status '.repeat(2100)}} }`, 'Token limit of 2000 exceeded.'],
  [
    'MAX_DIRECTIVES',
    `{ health { ${['status', 'version', 'uptimeSeconds', 'activeSessions', 'activePortalSessions', 'keepAlivePortalSessions'].map((f) => `${f} @include(if: true) @skip(if: false)`).join(' ')} } }`,
    'Directives limit of 10 exceeded, found 12.',
  ],
  ['MAX_COST', '{ users(first: 1000) { edges { node { id email name } } } }', 'Query Cost limit of 5000 exceeded'],
];

describe('query limits (graphql-armor)', () => {
  it('lets every operation the clients use (Relay connections, fragments), and GraphiQL introspection, through', async () => {
    const t = await startTestApp();
    const docs = Object.entries(documents).filter(([name]) => name.endsWith('Document')) as [string, DocumentNode][];
    expect(docs.length).toBeGreaterThan(40);
    for (const [name, doc] of docs) {
      const result = await post(t.url, print(doc));
      expect(result.status, name).toBeLessThan(500);
      const validation = (result.body.errors ?? []).filter((e) => e.extensions?.code === 'GRAPHQL_VALIDATION_FAILED' || e.extensions?.code === 'GRAPHQL_PARSE_FAILED');
      expect(validation, name).toEqual([]);
    }
    const introspection = await post(t.url, getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, inputValueDeprecation: true }));
    expect(introspection.body.errors).toBeUndefined();
    expect((introspection.body.data as { __schema: { types: unknown[] } }).__schema.types.length).toBeGreaterThan(20);
    // A full admin page: a literal page size of 50 with pageInfo stays under the cost limit.
    const page = await post(t.url, '{ users(first: 50) { edges { cursor node { id email name role status statusReason canPostJobs } } pageInfo { hasNextPage endCursor } } }');
    expect(page.body.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses each abusive document over HTTP with GRAPHQL_VALIDATION_FAILED naming the limit, never a 5xx', async () => {
    const t = await startTestApp();
    for (const [reason, query, message] of ABUSIVE) {
      const result = await post(t.url, query);
      expect(result.status, reason).toBe(400);
      expect(result.body.data, reason).toBeUndefined();
      const error = result.body.errors?.find((e) => e.extensions?.reason === reason);
      expect(error?.extensions, reason).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', reason, limit: expect.any(Number) });
      expect(error?.message, reason).toContain(message);
    }
    expect((await post(t.url, '{ health { status } }')).body.data).toEqual({ health: { status: 'ok' } });
  });

  it('refuses the same over graphql-ws with an error message, and the socket stays open', async () => {
    const t = await startTestApp();
    const ws = await openRawWs(t.wsUrl);
    await ws.init();
    for (const [i, [reason, query, message]] of ABUSIVE.entries()) {
      const answer = await ws.request(String(i + 1), { query });
      expect(answer.type, reason).toBe('error');
      const errors = answer.payload as { message: string; extensions: Record<string, unknown> }[];
      const error = errors.find((e) => e.extensions?.reason === reason);
      expect(error?.extensions, reason).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', reason });
      expect(error?.message, reason).toContain(message);
      expect(ws.isOpen).toBe(true);
    }
    const health = await ws.request('ok', { query: '{ health { status } }' });
    expect(health).toEqual({ id: 'ok', type: 'next', payload: { data: { health: { status: 'ok' } } } });
  });

  it('takes the limits from GRAPHQL_MAX_* variables', async () => {
    const t = await startTestApp({ GRAPHQL_MAX_DEPTH: '3', GRAPHQL_MAX_ALIASES: '1', GRAPHQL_MAX_COST: '20' });
    const reasons = async (query: string) => (await post(t.url, query)).body.errors?.map((e) => [e.extensions?.reason, e.extensions?.limit]);
    expect(await reasons(deepQuery(2))).toContainEqual(['MAX_DEPTH', 3]);
    expect(await reasons('{ a: health { status } b: health { status } }')).toEqual([['MAX_ALIASES', 1]]);
    expect(await reasons('{ users(first: 10) { edges { node { id } } } }')).toContainEqual(['MAX_COST', 20]);
    expect((await post(t.url, '{ health { status } }')).body.errors).toBeUndefined();
  });
});

describe('introspection switch', () => {
  it('is on by default outside production, off with NODE_ENV=production, and INTROSPECTION overrides both', () => {
    const base = { DATABASE_PATH: '/tmp/x.db' };
    expect(loadConfig(base).introspection).toBe(true);
    expect(loadConfig({ ...base, NODE_ENV: 'development' }).introspection).toBe(true);
    expect(loadConfig({ ...base, NODE_ENV: 'production' }).introspection).toBe(false);
    expect(loadConfig({ ...base, NODE_ENV: 'production', INTROSPECTION: 'true' }).introspection).toBe(true);
    expect(loadConfig({ ...base, INTROSPECTION: 'false' }).introspection).toBe(false);
    expect(() => loadConfig({ ...base, INTROSPECTION: 'maybe' })).toThrow(/INTROSPECTION/);
  });

  it('when off: refuses __schema and __type over HTTP and graphql-ws, hides field suggestions, and serves no GraphiQL', async () => {
    const t = await startTestApp({ INTROSPECTION: 'false' });
    for (const query of [getIntrospectionQuery(), '{ __type(name: "User") { name } }', '{ health { status } __schema { queryType { name } } }']) {
      const result = await post(t.url, query);
      expect(result.status).toBe(400);
      expect(result.body.errors?.[0].extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED', reason: 'INTROSPECTION_DISABLED' });
      expect(result.body.errors?.[0].message).toBe('Introspection is turned off on this server (INTROSPECTION=false). Use the published schema file instead.');
    }
    expect((await post(t.url, '{ __typename health { status } }')).body.data).toEqual({ __typename: 'Query', health: { status: 'ok' } });
    const typo = await post(t.url, '{ healt { status } }');
    expect(typo.body.errors?.[0].message).not.toMatch(/Did you mean/);

    const ws = await openRawWs(t.wsUrl);
    await ws.init();
    const answer = await ws.request('1', { query: getIntrospectionQuery() });
    expect(answer.type).toBe('error');
    expect((answer.payload as { extensions: unknown }[])[0].extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED', reason: 'INTROSPECTION_DISABLED' });
    expect(ws.isOpen).toBe(true);

    const page = await fetch(t.url, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type') ?? '').not.toContain('text/html');
    expect(await page.text()).not.toContain('<html');
  });

  it('when on: GraphiQL is served and field suggestions stay', async () => {
    const t = await startTestApp();
    const page = await fetch(t.url, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('Gatehouse');
    expect((await post(t.url, '{ healt { status } }')).body.errors?.[0].message).toMatch(/Did you mean "health"/);
  });
});
