import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Portal, PortalConnectorName } from './store.js';

/** Upstream cookies by name. Only name and value matter for replaying them in a Cookie header. */
export type Cookies = Record<string, string>;

/** What an upstream login attempt came to. */
export type LoginResult =
  | { status: 'OK'; cookies: Cookies }
  /** The portal refused the credentials (or answered with its login form again). */
  | { status: 'LOGIN_FAILED'; reason: string }
  /** The portal could not be reached, timed out or answered 5xx/429. */
  | { status: 'UNAVAILABLE'; reason: string };

/** What a keep-alive call came to. `cookies` carries any cookies the portal renewed. */
export type KeepAliveResult =
  | { status: 'OK'; cookies: Cookies }
  | { status: 'LOGGED_OUT'; reason: string }
  | { status: 'UNAVAILABLE'; reason: string };

/**
 * How Gatehouse talks to one kind of upstream portal. Implementations never throw for upstream
 * problems: they answer LOGIN_FAILED / LOGGED_OUT / UNAVAILABLE with a sentence a user can read.
 */
export interface Connector {
  login(portal: Portal, username: string, password: string, signal?: AbortSignal): Promise<LoginResult>;
  keepAlive(portal: Portal, cookies: Cookies, signal?: AbortSignal): Promise<KeepAliveResult>;
}

/** Connectors by name; add an entry (and a PortalConnector enum value) to support another kind of portal. */
export type ConnectorRegistry = Record<PortalConnectorName, Connector>;

/** The default connectors. */
export function createConnectors(options: HttpFormOptions = {}): ConnectorRegistry {
  return { HTTP_FORM: new HttpFormConnector(options) };
}

/** The `Cookie` header value for a cookie jar. */
export function cookieHeader(cookies: Cookies): string {
  return Object.entries(cookies)
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');
}

export interface HttpFormOptions {
  /** Upper bound for one login or keep-alive, redirects and body included (default 15 s). */
  timeoutMs?: number;
  /** Same-origin redirects followed per call (default 5). */
  maxRedirects?: number;
  /** Wall clock for cookie `Expires` (upstream time, not the app's injected clock). */
  now?: () => number;
  /** Idle keep-alive connections to a portal are closed after this long (default 4 s, or earlier when the portal says so). */
  idleSocketMs?: number;
}

/** How much of a response body is read to look for the logged-out marker. */
const MAX_BODY_BYTES = 1024 * 1024;

/** Headers of every portal call (plus cookie, and content type and length for a form). */
const BASE_HEADERS: Readonly<Record<string, string>> = {
  accept: 'text/html,application/xhtml+xml,*/*;q=0.8',
  'accept-language': '*',
  'user-agent': 'Gatehouse portal pool',
};

/** Bodies a portal compressed although we did not ask for it are decoded like `fetch` does. */
const DECODERS: Record<string, (() => Transform) | undefined> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/** One request chain's state: the request in progress, and why the chain was cut short (timeout, shutdown). */
interface Call {
  failure: Error | null;
  request: ClientRequest | null;
}

class CallTimeout extends Error {
  override name = 'TimeoutError';
}

class CallAborted extends Error {
  override name = 'AbortError';
}

/** Outcome of one request chain (the first request plus followed redirects). */
interface Exchange {
  status: number;
  body: string;
  cookies: Cookies;
  /** Set when a redirect pointed at the login URL or at a location containing the logged-out pattern. */
  loginRedirect: boolean;
}

/**
 * Logs in by POSTing an `application/x-www-form-urlencoded` form (username and password under the
 * portal's field names, plus its static extra fields), follows same-origin redirects by hand while
 * collecting Set-Cookie, and keeps sessions alive with a GET of the keep-alive URL (node:http / node:https
 * with keep-alive agents).
 * Logged out means: 401/403, a redirect to the login URL, or the logged-out pattern in the body.
 */
export class HttpFormConnector implements Connector {
  private readonly timeoutMs: number;
  private readonly maxRedirects: number;
  private readonly now: () => number;
  /** Keep-alive connection pools (idle sockets are unref'd, so they never hold the process open). */
  private readonly httpAgent: HttpAgent;
  private readonly httpsAgent: HttpsAgent;

  constructor(options: HttpFormOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.maxRedirects = options.maxRedirects ?? 5;
    this.now = options.now ?? Date.now;
    const agentOptions = { keepAlive: true, timeout: options.idleSocketMs ?? 4_000 };
    this.httpAgent = new HttpAgent(agentOptions);
    this.httpsAgent = new HttpsAgent(agentOptions);
  }

  async login(portal: Portal, username: string, password: string, signal?: AbortSignal): Promise<LoginResult> {
    const form = new URLSearchParams();
    for (const [name, value] of Object.entries(portal.extraFields)) form.set(name, String(value));
    form.set(portal.usernameField, username);
    form.set(portal.passwordField, password);
    const result = await this.exchange(portal, 'POST', portal.loginUrl, form.toString(), {}, signal);
    if ('unavailable' in result) return { status: 'UNAVAILABLE', reason: result.unavailable };
    const { status } = result;
    if (status === 401 || status === 403) return { status: 'LOGIN_FAILED', reason: `The portal refused the login (HTTP ${status}).` };
    if (result.loginRedirect) return { status: 'LOGIN_FAILED', reason: 'The portal sent the login form back instead of signing in.' };
    if (matchesPattern(portal, result.body)) return { status: 'LOGIN_FAILED', reason: 'The portal answered with its logged-out page.' };
    if (status >= 400) return { status: 'LOGIN_FAILED', reason: `The portal refused the login (HTTP ${status}).` };
    if (Object.keys(result.cookies).length === 0) {
      return { status: 'LOGIN_FAILED', reason: 'The portal accepted the form but set no session cookie.' };
    }
    return { status: 'OK', cookies: result.cookies };
  }

  async keepAlive(portal: Portal, cookies: Cookies, signal?: AbortSignal): Promise<KeepAliveResult> {
    const result = await this.exchange(portal, 'GET', portal.keepAliveUrl, null, cookies, signal);
    if ('unavailable' in result) return { status: 'UNAVAILABLE', reason: result.unavailable };
    const { status } = result;
    if (status === 401 || status === 403) return { status: 'LOGGED_OUT', reason: `The portal answered HTTP ${status} to the keep-alive call.` };
    if (result.loginRedirect) return { status: 'LOGGED_OUT', reason: 'The portal redirected the keep-alive call to its login page.' };
    if (matchesPattern(portal, result.body)) return { status: 'LOGGED_OUT', reason: 'The portal answered the keep-alive call with its logged-out page.' };
    if (Object.keys(result.cookies).length === 0) return { status: 'LOGGED_OUT', reason: 'The portal dropped every session cookie.' };
    return { status: 'OK', cookies: result.cookies };
  }

  /**
   * One request plus same-origin redirects, collecting cookies. 5xx/429, network errors and timeouts
   * are "unavailable". Calls go through node:http / node:https with keep-alive agents (reused
   * connections, far less CPU per call than `fetch`); the timeout covers the whole chain, body
   * included, and `outer` (shutdown) cancels it.
   */
  private async exchange(
    portal: Portal,
    method: 'GET' | 'POST',
    startUrl: string,
    body: string | null,
    startCookies: Cookies,
    outer?: AbortSignal,
  ): Promise<Exchange | { unavailable: string }> {
    const cookies: Cookies = { ...startCookies };
    let url = parsedUrl(startUrl);
    if (outer?.aborted) return { unavailable: describeFailure(null, url, this.timeoutMs, outer) };
    const call: Call = { failure: null, request: null };
    const cancel = (failure: Error) => {
      if (call.failure) return;
      call.failure = failure;
      call.request?.destroy(failure);
    };
    const timer = setTimeout(() => cancel(new CallTimeout()), this.timeoutMs);
    timer.unref();
    const unlisten = outer ? onAbort(outer, () => cancel(new CallAborted())) : undefined;
    let loginRedirect = false;
    try {
      for (let hop = 0; ; hop++) {
        const headers: Record<string, string> = { ...BASE_HEADERS };
        if (hasAny(cookies)) headers.cookie = cookieHeader(cookies);
        if (body !== null) {
          headers['content-type'] = 'application/x-www-form-urlencoded';
          headers['content-length'] = String(Buffer.byteLength(body));
        }
        const response = await this.send(call, url, method, headers, body);
        this.collectCookies(response.headers['set-cookie'], cookies);
        const status = response.statusCode ?? 0;
        if (status >= 500 || status === 429) {
          response.resume();
          return { unavailable: `The portal answered HTTP ${status}.` };
        }
        const location = response.headers.location;
        if (status >= 300 && status < 400 && location) {
          response.resume();
          const next = new URL(location, url);
          if (isLoginUrl(portal, next) || (portal.loggedOutPattern !== null && next.href.includes(portal.loggedOutPattern))) {
            loginRedirect = true;
          }
          // Cookies only ever go back to the portal's own origin; another origin ends the chain.
          if (loginRedirect || next.origin !== url.origin || hop >= this.maxRedirects) {
            return { status, body: '', cookies, loginRedirect };
          }
          if (status !== 307 && status !== 308) {
            method = 'GET';
            body = null;
          }
          url = next;
          continue;
        }
        return { status, body: await readBounded(call, response), cookies, loginRedirect };
      }
    } catch (error) {
      return { unavailable: describeFailure(call.failure ?? error, url, this.timeoutMs, outer) };
    } finally {
      clearTimeout(timer);
      unlisten?.();
      call.request = null;
    }
  }

  /**
   * Sends one request and resolves with the response head. A GET that fails on a reused keep-alive
   * connection before any answer (the portal closed it while idle) is sent once more on a new one.
   */
  private send(call: Call, url: URL, method: 'GET' | 'POST', headers: Record<string, string>, body: string | null, retried = false): Promise<IncomingMessage> {
    return new Promise<IncomingMessage>((resolve, reject) => {
      if (call.failure) return reject(call.failure);
      const https = url.protocol === 'https:';
      const request = (https ? httpsRequest : httpRequest)({ ...requestTarget(url), method, headers, agent: https ? this.httpsAgent : this.httpAgent });
      call.request = request;
      let answered = false;
      request.on('response', (response) => {
        answered = true;
        resolve(response);
      });
      request.on('error', (error: NodeJS.ErrnoException) => {
        if (answered) return; // the body reader reports it
        if (!retried && !call.failure && method === 'GET' && request.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE')) {
          this.send(call, url, method, headers, body, true).then(resolve, reject);
          return;
        }
        reject(call.failure ?? error);
      });
      request.end(body ?? undefined);
    });
  }

  /** Applies Set-Cookie headers to the jar (a cookie expired by Max-Age or Expires is removed). */
  private collectCookies(lines: string[] | undefined, jar: Cookies): void {
    if (!lines) return;
    for (const line of lines) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let expired = value === '';
      for (const attribute of attributes) {
        const [key, ...rest] = attribute.split('=');
        const attr = key.trim().toLowerCase();
        const attrValue = rest.join('=').trim();
        if (attr === 'max-age' && Number(attrValue) <= 0) expired = true;
        if (attr === 'expires' && Date.parse(attrValue) <= this.now()) expired = true;
      }
      if (expired) delete jar[name];
      else jar[name] = value;
    }
  }
}

/** Parsed portal URLs (login and keep-alive URLs repeat on every call); never mutated. */
const parsedUrls = new Map<string, URL>();
const PARSED_URLS_MAX = 1000;

function parsedUrl(href: string): URL {
  let url = parsedUrls.get(href);
  if (!url) {
    url = new URL(href);
    if (parsedUrls.size >= PARSED_URLS_MAX) parsedUrls.clear();
    parsedUrls.set(href, url);
  }
  return url;
}

/** Where a request goes, as node:http options (what `http.request(url)` derives from a URL), cached per URL. */
const targets = new WeakMap<URL, { protocol: string; hostname: string; port: string | undefined; path: string; auth?: string }>();

function requestTarget(url: URL) {
  let target = targets.get(url);
  if (!target) {
    const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    target = { protocol: url.protocol, hostname, port: url.port || undefined, path: `${url.pathname}${url.search}` };
    if (url.username || url.password) target.auth = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    targets.set(url, target);
  }
  return target;
}

/**
 * Calls to cancel when a signal aborts: one listener per signal (the service's shutdown signal is
 * shared by every call) instead of one per call.
 */
const abortGroups = new WeakMap<AbortSignal, Set<() => void>>();

function onAbort(signal: AbortSignal, cancel: () => void): () => void {
  let group = abortGroups.get(signal);
  if (!group) {
    const calls = new Set<() => void>();
    signal.addEventListener('abort', () => {
      for (const call of [...calls]) call();
      calls.clear();
    }, { once: true });
    abortGroups.set(signal, (group = calls));
  }
  group.add(cancel);
  return () => group.delete(cancel);
}

/** True when the jar holds a cookie (without building a key array, as this runs on every call). */
function hasAny(cookies: Cookies): boolean {
  for (const name in cookies) if (Object.hasOwn(cookies, name)) return true;
  return false;
}

/** True when `url` is the portal's login URL (same origin and path; the query is ignored). */
function isLoginUrl(portal: Portal, url: URL): boolean {
  const login = new URL(portal.loginUrl);
  return url.origin === login.origin && url.pathname === login.pathname;
}

/** Plain substring match (never a regex: admin text must not be able to hang the keeper). */
function matchesPattern(portal: Portal, body: string): boolean {
  return portal.loggedOutPattern !== null && body.includes(portal.loggedOutPattern);
}

/**
 * The response body as text, at most about {@link MAX_BODY_BYTES} of it (decoded like `fetch` would
 * when the portal compressed it anyway); the rest is not read.
 */
function readBounded(call: Call, response: IncomingMessage): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const encoding = String(response.headers['content-encoding'] ?? '').trim().toLowerCase();
    const decoder = DECODERS[encoding]?.();
    const stream: Readable = decoder ? response.pipe(decoder) : response;
    if (decoder) response.on('error', (error) => decoder.destroy(error));
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (error: unknown) => {
      if (settled) return;
      settled = true;
      if (error) reject(call.failure ?? error);
      else resolve(Buffer.concat(chunks).toString('utf8'));
    };
    stream.on('data', (chunk: Buffer) => {
      if (settled) return;
      chunks.push(chunk);
      size += chunk.byteLength;
      if (size >= MAX_BODY_BYTES) {
        finish(null);
        response.destroy();
        decoder?.destroy();
      }
    });
    stream.on('end', () => finish(null));
    stream.on('error', (error) => finish(error));
    stream.on('close', () => finish(call.failure ?? new Error('The portal closed the connection before the whole answer arrived.')));
  });
}

function describeFailure(error: unknown, url: URL, timeoutMs: number, outer?: AbortSignal): string {
  if (outer?.aborted || error instanceof CallAborted) return 'The server is shutting down, so the portal call was cancelled.';
  if (error instanceof CallTimeout) {
    const limit = timeoutMs % 1000 === 0 ? `${timeoutMs / 1000} s` : `${timeoutMs} ms`;
    return `The portal at ${url.host} did not answer within ${limit}.`;
  }
  const err = error as { code?: string; cause?: { code?: string } } | null;
  const errCode = err?.code ?? err?.cause?.code;
  const code = errCode ? ` (${errCode})` : '';
  return `Could not connect to the portal at ${url.host}${code}.`;
}
