import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsoleHandler } from '../../src/console/serve.js';
import { startTestApp } from '../utils/app.js';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request with the path sent exactly as given (fetch would normalise "..", so use http.request). */
function raw(port: number, path: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function listen(handler: ReturnType<typeof createConsoleHandler>): Promise<Server> {
  const server = createServer((req, res) => handler(req, res));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const SECRET = 'top secret: never served';
const TRAVERSALS = [
  '/console/../secret.txt',
  '/console/%2e%2e/secret.txt',
  '/console/..%2fsecret.txt',
  '/console/%2e%2e%2fsecret.txt',
  '/console/assets/..%2f..%2fsecret.txt',
  '/console/assets/%2e%2e/%2e%2e/secret.txt',
  '/console/..%5csecret.txt',
  '/console//etc/passwd',
  '/console/%2fetc%2fpasswd',
  '/console/%00',
  '/console/.env',
  '/console/%E0%A4%A',
];

describe('console static files (src/console/serve.ts)', () => {
  let dir: string;
  let server: Server;
  let port: number;

  beforeAll(async () => {
    // dir/secret.txt sits next to dist: the handler must never reach it.
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-console-'));
    const dist = join(dir, 'dist');
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dir, 'secret.txt'), SECRET);
    writeFileSync(join(dist, '.env'), SECRET);
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>console</title><script type="module" src="/console/assets/index-Ab12.js"></script>');
    writeFileSync(join(dist, 'assets', 'index-Ab12.js'), 'console.log("app")');
    writeFileSync(join(dist, 'assets', 'index-Cd34.css'), 'body{}');
    writeFileSync(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    server = await listen(createConsoleHandler(dist));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(() => {
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('redirects /console to /console/ and serves index.html there, revalidated, with a CSP', async () => {
    const bare = await raw(port, '/console?x=1');
    expect(bare.status).toBe(308);
    expect(bare.headers.location).toBe('/console/?x=1');

    const index = await raw(port, '/console/');
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers['cache-control']).toBe('no-cache');
    expect(index.headers['content-security-policy']).toContain("script-src 'self'");
    expect(index.headers['content-security-policy']).toContain(`connect-src 'self' ws://127.0.0.1:${port}`);
    expect(index.headers['x-frame-options']).toBe('DENY');
    expect(index.body).toContain('<title>console</title>');

    // A revalidation with the ETag costs no body.
    const again = await raw(port, '/console/', { headers: { 'if-none-match': String(index.headers.etag) } });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
  });

  it('answers deep links with index.html (single-page app) but missing files with 404', async () => {
    for (const path of ['/console/devices', '/console/admin/users', '/console/admin/audit?action=x']) {
      const page = await raw(port, path);
      expect(page.status, path).toBe(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.body).toContain('<title>console</title>');
    }
    for (const path of ['/console/assets/index-Zz99.js', '/console/missing.png', '/console/robots.txt']) {
      const missing = await raw(port, path);
      expect(missing.status, path).toBe(404);
      expect(missing.headers['content-type']).toBe('text/plain; charset=utf-8');
    }
  });

  it('serves hashed assets as immutable and other files revalidated, each with its content type', async () => {
    const js = await raw(port, '/console/assets/index-Ab12.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.headers['x-content-type-options']).toBe('nosniff');
    expect(js.body).toBe('console.log("app")');

    const css = await raw(port, '/console/assets/index-Cd34.css');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.headers['cache-control']).toBe('public, max-age=31536000, immutable');

    const icon = await raw(port, '/console/favicon.svg');
    expect(icon.headers['content-type']).toBe('image/svg+xml');
    expect(icon.headers['cache-control']).toBe('no-cache');

    const head = await raw(port, '/console/assets/index-Ab12.js', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String('console.log("app")'.length));
    expect(head.body).toBe('');

    const post = await raw(port, '/console/', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
  });

  it('never serves a file outside the dist folder, nor a dotfile', async () => {
    for (const path of TRAVERSALS) {
      const response = await raw(port, path);
      expect(response.body, path).not.toContain(SECRET);
      expect(response.body, path).not.toContain('root:');
      expect([400, 404], `${path} → ${response.status}`).toContain(response.status);
    }
  });

  it('answers 503 with a "run npm run build" page when the console is not built', async () => {
    const empty = await listen(createConsoleHandler(join(dir, 'no-such-dist')));
    try {
      const { port: emptyPort } = empty.address() as AddressInfo;
      for (const path of ['/console/', '/console/devices', '/console/assets/index-Ab12.js']) {
        const response = await raw(emptyPort, path);
        expect(response.status, path).toBe(503);
        expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
        expect(response.headers['cache-control']).toBe('no-store');
        expect(response.body).toContain('npm run build');
      }
    } finally {
      empty.close();
    }
  });

  it('is mounted by the app at /console without shadowing other routes or path traversal', async () => {
    const { url } = await startTestApp();
    const { port: appPort } = new URL(url);
    const redirect = await raw(Number(appPort), '/console');
    expect(redirect.status).toBe(308);
    for (const path of ['/console/../package.json', '/console/%2e%2e/%2e%2e/package.json', '/console/..%2f..%2fpackage.json']) {
      const response = await raw(Number(appPort), path);
      expect(response.body, path).not.toContain('"name": "gatehouse"');
      expect([400, 404], `${path} → ${response.status}`).toContain(response.status);
    }
    // Neighbouring paths are not the console's.
    expect((await raw(Number(appPort), '/consoles')).status).toBe(404);
    expect((await raw(Number(appPort), '/health')).status).toBe(200);
  });
});
