// A small HTTP load generator: N concurrent keep-alive workers POST one GraphQL body for D seconds (or until
// maxRequests), recording per-request latency. Optional pacing (ratePerSec) makes it open-loop-ish so latency
// is compared at equal offered load. Bounded in time and count; 127.0.0.1 only.
import http from 'node:http';

export interface LoadOptions {
  url: string;
  /** POST (default) with `body`, or GET without one. */
  method?: 'GET' | 'POST';
  body?: string | (() => string);
  headers?: Record<string, string>;
  concurrency: number;
  durationMs: number;
  maxRequests?: number;
  /** Total requests per second across workers; omit for closed loop (as fast as possible). */
  ratePerSec?: number;
  /** Returns false if a 200 body is still a failure (default: any `"errors"` in the body). */
  check?: (body: string) => boolean;
}

export interface LoadResult {
  requests: number;
  errors: number;
  firstError: string | null;
  seconds: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Every latency in ms, sorted (to merge runs). */
  latencies: number[];
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const target = new URL(options.url);
  if (target.hostname !== '127.0.0.1') throw new Error('load generation is limited to 127.0.0.1');
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency, maxFreeSockets: options.concurrency });
  const check = options.check ?? ((body: string) => !body.includes('"errors"'));
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | null = null;
  let issued = 0;
  const maxRequests = options.maxRequests ?? Infinity;
  const start = performance.now();
  const deadline = start + options.durationMs;
  const method = options.method ?? 'POST';
  const interval = options.ratePerSec ? (1000 * options.concurrency) / options.ratePerSec : 0;

  const once = () =>
    new Promise<void>((resolve) => {
      const body = typeof options.body === 'function' ? options.body() : (options.body ?? '');
      const t0 = performance.now();
      const req = http.request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname + target.search,
          method,
          headers: {
            ...(method === 'POST' ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}),
            accept: 'application/graphql-response+json, application/json',
            ...options.headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            latencies.push(performance.now() - t0);
            const text = Buffer.concat(chunks).toString();
            if (res.statusCode !== 200 || !check(text)) {
              errors++;
              firstError ??= `HTTP ${res.statusCode}: ${text.slice(0, 300)}`;
            }
            resolve();
          });
          res.on('error', (e) => { errors++; firstError ??= String(e); resolve(); });
        },
      );
      req.on('error', (e) => { errors++; firstError ??= String(e); resolve(); });
      if (method === 'POST') req.end(body);
      else req.end();
    });

  const worker = async (index: number) => {
    // Spread paced workers over one interval so they do not fire in lockstep.
    if (interval) await sleep((interval * index) / options.concurrency);
    let next = performance.now();
    while (performance.now() < deadline && issued < maxRequests) {
      issued++;
      await once();
      if (interval) {
        next += interval;
        const wait = next - performance.now();
        if (wait > 0) await sleep(wait);
        else next = performance.now();
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, (_, i) => worker(i)));
  const seconds = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return summarize(latencies, seconds, errors, firstError);
}

/** Percentiles and rate for a sorted list of latencies (one run, or several merged). */
export function summarize(latencies: number[], seconds: number, errors = 0, firstError: string | null = null): LoadResult {
  return {
    requests: latencies.length,
    errors,
    firstError,
    seconds,
    rps: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p90: percentile(latencies, 90),
    p99: percentile(latencies, 99),
    max: latencies[latencies.length - 1] ?? NaN,
    latencies,
  };
}

/** One GraphQL POST (not timed), for setup steps. */
export async function gqlPost<T = unknown>(url: string, query: string, variables?: unknown, token?: string): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (body.errors?.length || !body.data) throw new Error(`GraphQL error (HTTP ${response.status}): ${JSON.stringify(body.errors)}`);
  return body.data;
}
