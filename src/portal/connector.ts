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
}

/** How much of a response body is read to look for the logged-out marker. */
const MAX_BODY_BYTES = 1024 * 1024;

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
 * collecting Set-Cookie, and keeps sessions alive with a GET of the keep-alive URL.
 * Logged out means: 401/403, a redirect to the login URL, or the logged-out pattern in the body.
 */
export class HttpFormConnector implements Connector {
  private readonly timeoutMs: number;
  private readonly maxRedirects: number;
  private readonly now: () => number;

  constructor(options: HttpFormOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.maxRedirects = options.maxRedirects ?? 5;
    this.now = options.now ?? Date.now;
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

  /** One request plus same-origin redirects, collecting cookies. 5xx/429, network errors and timeouts are "unavailable". */
  private async exchange(
    portal: Portal,
    method: 'GET' | 'POST',
    startUrl: string,
    body: string | null,
    startCookies: Cookies,
    outer?: AbortSignal,
  ): Promise<Exchange | { unavailable: string }> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = outer ? AbortSignal.any([timeout, outer]) : timeout;
    const cookies: Cookies = { ...startCookies };
    let url = new URL(startUrl);
    let loginRedirect = false;
    try {
      for (let hop = 0; ; hop++) {
        const headers: Record<string, string> = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8', 'user-agent': 'Gatehouse portal pool' };
        if (Object.keys(cookies).length > 0) headers.cookie = cookieHeader(cookies);
        if (body !== null) headers['content-type'] = 'application/x-www-form-urlencoded';
        const response = await fetch(url, { method, headers, body, redirect: 'manual', signal });
        this.collectCookies(response.headers, cookies);
        if (response.status >= 500 || response.status === 429) {
          await response.body?.cancel();
          return { unavailable: `The portal answered HTTP ${response.status}.` };
        }
        const location = response.headers.get('location');
        if (response.status >= 300 && response.status < 400 && location) {
          await response.body?.cancel();
          const next = new URL(location, url);
          if (isLoginUrl(portal, next) || (portal.loggedOutPattern !== null && next.href.includes(portal.loggedOutPattern))) {
            loginRedirect = true;
          }
          // Cookies only ever go back to the portal's own origin; another origin ends the chain.
          if (loginRedirect || next.origin !== url.origin || hop >= this.maxRedirects) {
            return { status: response.status, body: '', cookies, loginRedirect };
          }
          if (response.status !== 307 && response.status !== 308) {
            method = 'GET';
            body = null;
          }
          url = next;
          continue;
        }
        return { status: response.status, body: await readBounded(response), cookies, loginRedirect };
      }
    } catch (error) {
      return { unavailable: describeFetchError(error, url, this.timeoutMs, outer) };
    }
  }

  /** Applies Set-Cookie headers to the jar (a cookie expired by Max-Age or Expires is removed). */
  private collectCookies(headers: Headers, jar: Cookies): void {
    for (const line of headers.getSetCookie()) {
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

/** True when `url` is the portal's login URL (same origin and path; the query is ignored). */
function isLoginUrl(portal: Portal, url: URL): boolean {
  const login = new URL(portal.loginUrl);
  return url.origin === login.origin && url.pathname === login.pathname;
}

/** Plain substring match (never a regex: admin text must not be able to hang the keeper). */
function matchesPattern(portal: Portal, body: string): boolean {
  return portal.loggedOutPattern !== null && body.includes(portal.loggedOutPattern);
}

async function readBounded(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size >= MAX_BODY_BYTES) {
      await reader.cancel();
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

function describeFetchError(error: unknown, url: URL, timeoutMs: number, outer?: AbortSignal): string {
  const err = error as { name?: string; cause?: { code?: string } };
  if (outer?.aborted) return 'The server is shutting down, so the portal call was cancelled.';
  if (err.name === 'TimeoutError' || err.name === 'AbortError') {
    const limit = timeoutMs % 1000 === 0 ? `${timeoutMs / 1000} s` : `${timeoutMs} ms`;
    return `The portal at ${url.host} did not answer within ${limit}.`;
  }
  const code = err.cause?.code ? ` (${err.cause.code})` : '';
  return `Could not connect to the portal at ${url.host}${code}.`;
}
