import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { deferred } from './queue.js';

/** Text the portal shows on its login page; portals use it as `loggedOutPattern`. */
export const LOGIN_PAGE_TEXT = 'Please sign in to Carrier Portal';
/** The static form field every login must carry (tests `extraFields`). */
export const CLIENT_FIELD = { client: 'gatehouse-test' };

/** How the portal answers a keep-alive call with a dead cookie. */
export type LoggedOutStyle = 'redirect' | 'text' | 'status';

/**
 * A small upstream portal on 127.0.0.1:0 with an HTML form login, for the portal pool tests:
 * counts logins, can hold or delay them, rejects wrong passwords, issues a session cookie, answers
 * keep-alive calls, can log everyone out, and can be stopped to be unreachable. It has no test
 * framework dependency, so `scripts/demo-portal.ts` runs it for the README walk-through.
 */
export interface TestPortal {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  readonly origin: string;
  readonly loginUrl: string;
  readonly keepAliveUrl: string;
  /** Successful logins so far. */
  readonly logins: number;
  /** Login form posts so far (right or wrong). */
  readonly loginAttempts: number;
  /** Keep-alive calls so far. */
  readonly keepAlives: number;
  /** The last login form received. */
  readonly lastLoginForm: URLSearchParams | null;
  /** Session cookie values the portal currently accepts. */
  readonly liveCookies: string[];
  /** How a dead cookie is answered on the keep-alive URL (default 'redirect'). */
  loggedOutStyle: LoggedOutStyle;
  /** A Set-Cookie header the portal adds to every successful keep-alive answer (default none: cookies unchanged). */
  keepAliveSetCookie: string | null;
  /** Accepts `password` for `username` from now on (only that one). */
  setPassword(username: string, password: string): void;
  /** Logs every session out on the portal side. */
  logoutAll(): void;
  /** Holds every login until the returned function is called. */
  holdLogins(): () => void;
  /** Delays each login answer by `ms`. */
  delayLogins(ms: number): void;
  /** Stops listening and drops open connections: the portal is unreachable. */
  stop(): Promise<void>;
}

/**
 * Starts a test portal with the given accounts (username → password) on 127.0.0.1 (`port` 0 picks
 * a free one). The caller stops it.
 */
export async function startTestPortal(accounts: Record<string, string> = { alice: 'alice-portal-pw' }, port = 0): Promise<TestPortal> {
  const passwords = new Map(Object.entries(accounts));
  const sessions = new Map<string, string>(); // cookie value → username
  const sockets = new Set<Socket>();
  let logins = 0;
  let loginAttempts = 0;
  let keepAlives = 0;
  let lastLoginForm: URLSearchParams | null = null;
  let gate: Promise<void> | null = null;
  let delayMs = 0;
  let stopped = false;

  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });

  const cookieOf = (req: IncomingMessage) => /(?:^|;\s*)sid=([^;]+)/.exec(req.headers.cookie ?? '')?.[1] ?? null;

  const loginPage = (res: ServerResponse, status = 200) => {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<html><body><h1>${LOGIN_PAGE_TEXT}</h1><form method="post" action="/login"></form></body></html>`);
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'POST' && path === '/login') {
      const form = new URLSearchParams(await readBody(req));
      loginAttempts++;
      lastLoginForm = form;
      if (gate) await gate;
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (form.get('client') !== CLIENT_FIELD.client) {
        res.writeHead(400, { 'content-type': 'text/plain' });
        return res.end('missing client field');
      }
      const username = form.get('user') ?? '';
      if (!passwords.has(username) || passwords.get(username) !== form.get('pass')) {
        // Like many portals: back to the login form.
        res.writeHead(302, { location: '/login?error=1' });
        return res.end();
      }
      logins++;
      const sid = randomBytes(16).toString('hex');
      sessions.set(sid, username);
      res.writeHead(302, {
        location: '/home',
        'set-cookie': [`sid=${sid}; Path=/; HttpOnly`, 'lang=en; Path=/', 'tracking=; Path=/; Max-Age=0'],
      });
      return res.end();
    }
    if (req.method === 'GET' && path === '/login') return loginPage(res);
    if (req.method === 'POST' && path === '/logout-all') {
      // The "log everyone out" switch, over HTTP for the README walk-through.
      sessions.clear();
      res.writeHead(204);
      return res.end();
    }
    const sid = cookieOf(req);
    const user = sid ? sessions.get(sid) : undefined;
    if (req.method === 'GET' && path === '/home') {
      if (!user) {
        res.writeHead(302, { location: '/login' });
        return res.end();
      }
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end(`<html><body>Welcome, ${user}</body></html>`);
    }
    if (req.method === 'GET' && path === '/keepalive') {
      keepAlives++;
      if (user) {
        res.writeHead(200, { 'content-type': 'text/plain', ...(portal.keepAliveSetCookie ? { 'set-cookie': portal.keepAliveSetCookie } : {}) });
        return res.end(`still signed in as ${user}`);
      }
      if (portal.loggedOutStyle === 'status') {
        res.writeHead(401, { 'content-type': 'text/plain' });
        return res.end('session expired');
      }
      if (portal.loggedOutStyle === 'text') return loginPage(res);
      res.writeHead(302, { location: '/login' });
      return res.end();
    }
    res.writeHead(404);
    res.end();
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const portal: TestPortal = {
    origin,
    loginUrl: `${origin}/login`,
    keepAliveUrl: `${origin}/keepalive`,
    get logins() {
      return logins;
    },
    get loginAttempts() {
      return loginAttempts;
    },
    get keepAlives() {
      return keepAlives;
    },
    get lastLoginForm() {
      return lastLoginForm;
    },
    get liveCookies() {
      return [...sessions.keys()];
    },
    loggedOutStyle: 'redirect',
    keepAliveSetCookie: null,
    setPassword(username, password) {
      passwords.set(username, password);
    },
    logoutAll() {
      sessions.clear();
    },
    holdLogins() {
      const held = deferred<void>();
      gate = held.promise;
      return () => {
        gate = null;
        held.resolve();
      };
    },
    delayLogins(ms) {
      delayMs = ms;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
  return portal;
}
