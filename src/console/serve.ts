import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `npm run build` writes the web console. */
export const DEFAULT_CONSOLE_DIST = resolve(fileURLToPath(new URL('../../console/dist', import.meta.url)));

/** The URL prefix the console is served under (Vite's `base` is `/console/`). */
export const CONSOLE_PREFIX = '/console';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};

/** Vite puts content-hashed files under assets/: their URL changes with their content. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Gatehouse console not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; padding: 0 1rem">
<h1>The web console is not built yet</h1>
<p>Run <code>npm run build</code> (or <code>npm start</code>, which builds it when needed), then reload this page.</p>
<p>The GraphQL API and GraphiQL are at <a href="/graphql">/graphql</a>.</p>
</body></html>
`;

/** True for the paths this module answers: `/console` and everything under `/console/`. */
export function isConsolePath(path: string): boolean {
  return path === CONSOLE_PREFIX || path.startsWith(`${CONSOLE_PREFIX}/`);
}

/**
 * Serves the built console from `distDir`: files as they are (hashed assets cached for a year,
 * everything else revalidated), `index.html` for any other path under /console/ so deep links work,
 * a 503 page when the console is not built. Never serves a file outside `distDir`.
 */
export function createConsoleHandler(distDir: string = DEFAULT_CONSOLE_DIST) {
  const root = resolve(distDir);

  return function serveConsole(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    const path = url.split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendText(res, req, 405, 'Method not allowed: the console is read with GET.', { allow: 'GET, HEAD' });
    }
    if (path === CONSOLE_PREFIX) {
      // Relative links resolve against /console/, so the app always runs there.
      const query = url.slice(path.length);
      res.writeHead(308, { location: `${CONSOLE_PREFIX}/${query}`, 'cache-control': REVALIDATE });
      return void res.end();
    }
    let relative: string;
    try {
      relative = decodeURIComponent(path.slice(CONSOLE_PREFIX.length + 1));
    } catch {
      return sendText(res, req, 400, 'Bad request: the path is not valid percent-encoding.');
    }
    if (relative.includes('\0') || relative.includes('\\')) return sendText(res, req, 400, 'Bad request: invalid path.');
    // Normalise, then make sure the result is still inside the dist folder (no "..", no absolute paths).
    const file = resolve(root, normalize(relative));
    const inside = file === root || file.startsWith(root + sep);
    const hidden = relative.split('/').some((segment) => segment.startsWith('.') && segment.length > 0);
    if (!inside || hidden) return sendText(res, req, 404, 'Not found.');

    const index = join(root, 'index.html');
    if (!isFile(index)) {
      res.writeHead(503, { 'content-type': CONTENT_TYPES['.html'], 'cache-control': 'no-store', 'retry-after': '10' });
      return void res.end(req.method === 'HEAD' ? undefined : NOT_BUILT_PAGE);
    }

    if (file !== root && isFile(file)) {
      const hashed = relative.startsWith('assets/');
      return sendFile(req, res, file, hashed ? IMMUTABLE : REVALIDATE);
    }
    // A missing asset is a 404 (a stale index.html must not get HTML for its script); any other
    // path is a page of the single-page app, answered with index.html.
    if (relative.startsWith('assets/') || extname(relative) !== '') return sendText(res, req, 404, 'Not found.');
    return sendFile(req, res, index, REVALIDATE);
  };
}

function isFile(path: string): boolean {
  try {
    return existsSync(path) && statSync(path).isFile();
  } catch {
    return false;
  }
}

function sendFile(req: IncomingMessage, res: ServerResponse, file: string, cacheControl: string): void {
  const stat = statSync(file);
  const etag = `W/"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
  const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  const headers: Record<string, string | number> = {
    'content-type': type,
    'cache-control': cacheControl,
    etag,
    'last-modified': stat.mtime.toUTCString(),
    'x-content-type-options': 'nosniff',
  };
  if (type.startsWith('text/html')) {
    const host = req.headers.host ?? '';
    Object.assign(headers, {
      // The console loads only its own scripts and styles and talks only to this server (HTTP and graphql-ws).
      'content-security-policy': [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        `connect-src 'self'${host ? ` ws://${host} wss://${host}` : ''}`,
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
      ].join('; '),
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
    });
  }
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, { etag, 'cache-control': cacheControl });
    return void res.end();
  }
  headers['content-length'] = stat.size;
  res.writeHead(200, headers);
  if (req.method === 'HEAD') return void res.end();
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}

function sendText(res: ServerResponse, req: IncomingMessage, status: number, text: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...extra });
  res.end(req.method === 'HEAD' ? undefined : text);
}

/** The handler for the default dist folder, as mounted by the app. */
export const serveConsole = createConsoleHandler();
