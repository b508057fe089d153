import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { credentialKey, decrypt, derivePortalKeys, encrypt } from '../../src/portal/crypto.js';
import { cookieHeader, HttpFormConnector } from '../../src/portal/connector.js';
import type { Portal } from '../../src/portal/store.js';

const keys = derivePortalKeys(Buffer.from('a-server-secret-of-at-least-32-characters', 'utf8'));

describe('portal crypto', () => {
  it('round-trips with a fresh IV each time and refuses tampering, another context or another key', () => {
    const a = encrypt(keys.encryption, 'hunter2', 'pss_1:password');
    const b = encrypt(keys.encryption, 'hunter2', 'pss_1:password');
    expect(a.equals(b)).toBe(false);
    expect(a.length).toBe(1 + 12 + 16 + 7);
    expect(decrypt(keys.encryption, a, 'pss_1:password')).toBe('hunter2');
    expect(() => decrypt(keys.encryption, a, 'pss_2:password')).toThrow();
    const tampered = Buffer.from(a);
    tampered[tampered.length - 1] ^= 1;
    expect(() => decrypt(keys.encryption, tampered, 'pss_1:password')).toThrow();
    const otherKeys = derivePortalKeys(Buffer.from('another-server-secret-of-32-characters!', 'utf8'));
    expect(() => decrypt(otherKeys.encryption, a, 'pss_1:password')).toThrow();
  });

  it('derives separate keys and credential keys that depend on every part, unambiguously', () => {
    expect(keys.credential.equals(keys.encryption)).toBe(false);
    const base = credentialKey(keys.credential, 'usr_a', 'prt_a', 'alice', 'pw');
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(credentialKey(keys.credential, 'usr_a', 'prt_a', 'alice', 'pw')).toBe(base);
    const variants = [
      credentialKey(keys.credential, 'usr_b', 'prt_a', 'alice', 'pw'),
      credentialKey(keys.credential, 'usr_a', 'prt_b', 'alice', 'pw'),
      credentialKey(keys.credential, 'usr_a', 'prt_a', 'alicE', 'pw'),
      credentialKey(keys.credential, 'usr_a', 'prt_a', 'alice', 'pW'),
      credentialKey(keys.credential, 'usr_a', 'prt_a', 'alicep', 'w'),
    ];
    expect(new Set([base, ...variants]).size).toBe(6);
  });
});

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;
const servers: { close(): void }[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

async function upstream(handler: Handler, onConnection?: () => void): Promise<string> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => handler(req, res, body));
  });
  if (onConnection) server.on('connection', onConnection);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push({
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function portalAt(origin: string, overrides: Partial<Portal> = {}): Portal {
  return {
    id: 'prt_test',
    name: 'Test',
    connector: 'HTTP_FORM',
    loginUrl: `${origin}/login`,
    usernameField: 'username',
    passwordField: 'password',
    extraFields: { tenant: 7, remember: true },
    keepAliveUrl: `${origin}/ping`,
    loggedOutPattern: 'session-expired',
    refreshIntervalSeconds: 300,
    idleTimeoutSeconds: 1800,
    createdAt: 0,
    updatedAt: 0,
    ...overrides,
  };
}

describe('HttpFormConnector', () => {
  const connector = new HttpFormConnector({ timeoutMs: 2000 });

  it('posts a form with the extra fields, follows same-origin redirects and keeps the cookies', async () => {
    const seen: { body?: string; contentType?: string; homeCookie?: string } = {};
    const origin = await upstream((req, res, body) => {
      if (req.url === '/login') {
        seen.body = body;
        seen.contentType = req.headers['content-type'];
        res.writeHead(303, { location: '/home', 'set-cookie': ['a=1; Path=/', 'b=2; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT'] });
        return res.end();
      }
      seen.homeCookie = req.headers.cookie;
      res.writeHead(200, { 'set-cookie': 'c=3' });
      res.end('welcome');
    });
    const result = await connector.login(portalAt(origin), 'al ice', 'p&ss=word');
    expect(result).toEqual({ status: 'OK', cookies: { a: '1', c: '3' } });
    expect(seen.contentType).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(seen.body))).toEqual({ tenant: '7', remember: 'true', username: 'al ice', password: 'p&ss=word' });
    expect(seen.homeCookie).toBe('a=1');
    expect(cookieHeader({ a: '1', c: '3' })).toBe('a=1; c=3');
  });

  it('tells refused logins, logged-out keep-alives and unavailable portals apart', async () => {
    let mode = '';
    const origin = await upstream((_req, res) => {
      if (mode === '401') res.writeHead(401).end();
      else if (mode === '503') res.writeHead(503).end();
      else if (mode === 'pattern') res.writeHead(200, { 'set-cookie': 'x=1' }).end('<p>session-expired</p>');
      else if (mode === 'no-cookie') res.writeHead(200).end('ok');
      else if (mode === 'elsewhere') res.writeHead(302, { location: 'http://127.0.0.1:1/steal', 'set-cookie': 'x=1' }).end();
      else res.writeHead(200).end('fine');
    });
    const portal = portalAt(origin);
    mode = '401';
    expect(await connector.login(portal, 'u', 'p')).toEqual({ status: 'LOGIN_FAILED', reason: 'The portal refused the login (HTTP 401).' });
    expect(await connector.keepAlive(portal, { x: '1' })).toEqual({ status: 'LOGGED_OUT', reason: 'The portal answered HTTP 401 to the keep-alive call.' });
    mode = '503';
    expect(await connector.login(portal, 'u', 'p')).toEqual({ status: 'UNAVAILABLE', reason: 'The portal answered HTTP 503.' });
    mode = 'pattern';
    expect((await connector.login(portal, 'u', 'p')).status).toBe('LOGIN_FAILED');
    expect(await connector.keepAlive(portal, { x: '1' })).toEqual({ status: 'LOGGED_OUT', reason: 'The portal answered the keep-alive call with its logged-out page.' });
    mode = 'no-cookie';
    expect(await connector.login(portal, 'u', 'p')).toEqual({ status: 'LOGIN_FAILED', reason: 'The portal accepted the form but set no session cookie.' });
    expect(await connector.keepAlive(portal, { x: '1' })).toEqual({ status: 'OK', cookies: { x: '1' } });
    // A redirect to another origin is not followed (the cookies never leave the portal's origin).
    mode = 'elsewhere';
    expect(await connector.login(portal, 'u', 'p')).toEqual({ status: 'OK', cookies: { x: '1' } });

    // A port nobody listens on any more.
    const gone = createServer();
    await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
    const port = (gone.address() as AddressInfo).port;
    await new Promise((resolve) => gone.close(resolve));
    expect(await connector.login(portalAt(`http://127.0.0.1:${port}`), 'u', 'p')).toEqual({
      status: 'UNAVAILABLE',
      reason: `Could not connect to the portal at 127.0.0.1:${port} (ECONNREFUSED).`,
    });
  });

  it('reuses keep-alive connections, also after a 5xx and along a redirect chain; a 307 keeps the form', async () => {
    let connections = 0;
    const forms: string[] = [];
    const origin = await upstream((req, res, body) => {
      if (req.url === '/login') return res.writeHead(307, { location: '/login2', 'set-cookie': 'a=1' }).end();
      if (req.url === '/login2') {
        forms.push(`${req.method} ${body}`);
        return res.writeHead(200, { 'set-cookie': 'b=2' }).end('in');
      }
      if (req.url === '/ping' && req.headers.cookie === 'x=busy') return res.writeHead(503).end('try later');
      res.writeHead(200).end(`pong ${req.headers.cookie}`);
    }, () => connections++);
    const portal = portalAt(origin);
    expect(await connector.login(portal, 'u', 'p')).toEqual({ status: 'OK', cookies: { a: '1', b: '2' } });
    expect(forms).toEqual([`POST ${new URLSearchParams({ tenant: '7', remember: 'true', username: 'u', password: 'p' })}`]);
    expect(await connector.keepAlive(portal, { x: 'busy' })).toEqual({ status: 'UNAVAILABLE', reason: 'The portal answered HTTP 503.' });
    expect(await connector.keepAlive(portal, { x: '1' })).toEqual({ status: 'OK', cookies: { x: '1' } });
    // A hop may start before the previous answer's connection is free again, so a chain can open a second one.
    expect(connections).toBeLessThanOrEqual(2);
    const opened = connections;
    for (let i = 0; i < 5; i++) expect(await connector.keepAlive(portal, { x: '1' })).toEqual({ status: 'OK', cookies: { x: '1' } });
    expect(connections).toBe(opened);
  });

  it('bounds a call by its timeout (body included) and the shutdown signal; reads at most 1 MiB; decodes a compressed body', async () => {
    let mode = '';
    const origin = await upstream((_req, res) => {
      if (mode === 'slow-body') {
        res.writeHead(200, { 'set-cookie': 'x=1' });
        res.write('first part');
        return; // never ends
      }
      if (mode === 'hang') return;
      if (mode === 'big-late-marker') return res.writeHead(200).end(`${'a'.repeat(2 * 1024 * 1024)}session-expired`);
      if (mode === 'big-early-marker') return res.writeHead(200).end(`session-expired${'a'.repeat(2 * 1024 * 1024)}`);
      if (mode === 'gzip') return res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync('<p>session-expired</p>'));
      res.writeHead(200).end('fine');
    });
    const portal = portalAt(origin);
    const quick = new HttpFormConnector({ timeoutMs: 200 });
    const host = new URL(origin).host;
    mode = 'slow-body';
    expect(await quick.keepAlive(portal, { x: '1' })).toEqual({ status: 'UNAVAILABLE', reason: `The portal at ${host} did not answer within 200 ms.` });
    mode = 'hang';
    expect(await quick.login(portal, 'u', 'p')).toEqual({ status: 'UNAVAILABLE', reason: `The portal at ${host} did not answer within 200 ms.` });
    const shutdown = new AbortController();
    const pending = connector.keepAlive(portal, { x: '1' }, shutdown.signal);
    setTimeout(() => shutdown.abort(), 50);
    expect(await pending).toEqual({ status: 'UNAVAILABLE', reason: 'The server is shutting down, so the portal call was cancelled.' });
    expect(await connector.keepAlive(portal, { x: '1' }, shutdown.signal)).toEqual({
      status: 'UNAVAILABLE',
      reason: 'The server is shutting down, so the portal call was cancelled.',
    });
    mode = 'big-late-marker';
    expect(await connector.keepAlive(portal, { x: '1' })).toEqual({ status: 'OK', cookies: { x: '1' } });
    mode = 'big-early-marker';
    expect((await connector.keepAlive(portal, { x: '1' })).status).toBe('LOGGED_OUT');
    mode = 'gzip';
    expect(await connector.keepAlive(portal, { x: '1' })).toEqual({ status: 'LOGGED_OUT', reason: 'The portal answered the keep-alive call with its logged-out page.' });
    mode = '';
    expect(await connector.keepAlive(portal, { x: '1' })).toEqual({ status: 'OK', cookies: { x: '1' } });
  });
});
