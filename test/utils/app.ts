import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { print, type ExecutionResult } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, afterEach } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { SignInDocument, SignUpDocument } from '../generated/graphql.js';
import { createApp, type App } from '../../src/app.js';
import { ManualClock } from '../../src/lib/clock.js';
import { AsyncQueue, deferred } from './queue.js';

/** Things to undo after each test, drained in reverse order. */
const disposers: (() => Promise<void> | void)[] = [];

/** Registers cleanup for the current test. */
export function onCleanup(dispose: () => Promise<void> | void): void {
  disposers.push(dispose);
}

afterEach(async () => {
  while (disposers.length) {
    const dispose = disposers.pop()!;
    await dispose();
  }
});

/** Things to undo once the whole test file is done (a fixture shared by its tests), drained in reverse order. */
const fileDisposers: (() => Promise<void> | void)[] = [];

/** Registers cleanup for the end of the current test file. */
export function onFileCleanup(dispose: () => Promise<void> | void): void {
  fileDisposers.push(dispose);
}

afterAll(async () => {
  while (fileDisposers.length) {
    const dispose = fileDisposers.pop()!;
    await dispose();
  }
});

export const ADMIN_EMAIL = 'admin@example.test';
export const ADMIN_PASSWORD = 'admin-password-123';
export const BROWSER_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';

/** A running app on port 0 with a temp database, a manual clock and captured logs. */
export interface TestApp {
  app: App;
  url: string;
  wsUrl: string;
  clock: ManualClock;
  config: Config;
  dir: string;
  /** Every log line written so far. */
  logs: string[];
  /** Stops this app and starts a new one on the same database file (and clock), with `env` on top of the old env. */
  restart(env?: Record<string, string>): Promise<TestApp>;
}

/** Starts a real app on 127.0.0.1:0 with a fresh temp SQLite file. */
export async function startTestApp(
  env: Record<string, string> = {},
  options: {
    dir?: string;
    clock?: ManualClock;
    sqlTrace?: (sql: string) => void;
    portalTimeoutMs?: number;
    /** The portal keeper's paced wait (set PORTAL_KEEPER_MAX_RATE too: the test app's default is 0, unpaced). */
    portalKeeperSleep?: (ms: number) => Promise<void>;
    /** Keep the app for the whole test file (start it in beforeAll) instead of stopping it after each test. */
    sharedByFile?: boolean;
  } = {},
): Promise<TestApp> {
  const cleanup = options.sharedByFile ? onFileCleanup : onCleanup;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
  if (!options.dir) cleanup(() => rmSync(dir, { recursive: true, force: true }));
  const clock = options.clock ?? new ManualClock(Date.now());
  const config = loadConfig({
    DATABASE_PATH: join(dir, 'gatehouse.db'),
    HOST: '127.0.0.1',
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    LOG_LEVEL: 'info',
    // Sweeps run unpaced unless a test asks for pacing (and passes portalKeeperSleep to move its clock).
    PORTAL_KEEPER_MAX_RATE: '0',
    ...env,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      logs.push(String(chunk));
      callback();
    },
  });
  // Timers off: tests run `app.sweep()` and `app.portalKeeper.sweep()` themselves after moving the clock.
  const app = await createApp(config, {
    clock,
    logDestination: sink,
    sweeper: false,
    portalKeeper: false,
    sqlTrace: options.sqlTrace,
    portalTimeoutMs: options.portalTimeoutMs,
    portalKeeperSleep: options.portalKeeperSleep,
  });
  const url = await app.start(0);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await app.stop();
  };
  cleanup(stop);
  return {
    app,
    url,
    wsUrl: url.replace(/^http/, 'ws'),
    clock,
    config,
    dir,
    logs,
    async restart(overrides = {}) {
      await stop();
      return startTestApp({ ...env, ...overrides }, { ...options, dir, clock });
    },
  };
}

/** What an HTTP GraphQL call returned. */
export interface HttpResult<T> {
  status: number;
  headers: Headers;
  body: ExecutionResult<T> & { errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

/** Options for one HTTP GraphQL call. */
export interface CallOptions {
  token?: string;
  headers?: Record<string, string>;
}

/** POSTs one operation with fetch, the way a browser client would. */
export async function gql<T, V>(
  url: string,
  document: TypedDocumentNode<T, V>,
  variables?: V,
  options: CallOptions = {},
): Promise<HttpResult<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      'user-agent': BROWSER_UA,
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ query: print(document), variables }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as HttpResult<T>['body'] };
}

/** Like {@link gql} but fails the test on any error and returns `data`. */
export async function gqlData<T, V>(url: string, document: TypedDocumentNode<T, V>, variables?: V, options?: CallOptions): Promise<T> {
  const result = await gql(url, document, variables, options);
  if (result.body.errors?.length || !result.body.data) {
    throw new Error(`GraphQL errors (HTTP ${result.status}): ${JSON.stringify(result.body.errors)}`);
  }
  return result.body.data;
}

/** Signs the bootstrapped admin in; answers its token. */
export async function adminToken(url: string): Promise<string> {
  const data = await gqlData(url, SignInDocument, { input: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
  if (data.signIn.__typename !== 'AuthPayload') throw new Error('admin hit the device limit');
  return data.signIn.token;
}

/** Signs a new account up (password `a-good-password`, name from the email); answers its token and id. */
export async function signUpAccount(url: string, email: string, role: 'MEMBER' | 'EMPLOYER' = 'MEMBER'): Promise<{ token: string; id: string }> {
  const data = await gqlData(url, SignUpDocument, { input: { email, password: 'a-good-password', name: email.split('@')[0], role } });
  return { token: data.signUp.token, id: data.signUp.user.id };
}

/** The first error's code and reason, for compact assertions. */
export function errorOf(result: { body: { errors?: { extensions?: Record<string, unknown> }[] } }) {
  const error = result.body.errors?.[0];
  return { code: error?.extensions?.code, reason: error?.extensions?.reason };
}

/** A graphql-ws connection with every message and the close event queued. */
export interface WsConnection {
  client: Client;
  closed: Promise<{ code: number; reason: string }>;
  /** Starts a subscription; its results (and errors/completion) go to the returned queue. */
  subscribe<T, V>(document: TypedDocumentNode<T, V>, variables?: V, extensions?: Record<string, unknown>): Subscription<T>;
}

export interface Subscription<T> {
  results: AsyncQueue<ExecutionResult<T>>;
  completed: Promise<void>;
  errored: Promise<unknown>;
  dispose(): void;
}

/** Opens a real graphql-ws client. Pass `token` to authenticate at connection_init. */
export function connectWs(wsUrl: string, options: { token?: string; connectionParams?: Record<string, unknown> } = {}): WsConnection {
  const closed = deferred<{ code: number; reason: string }>();
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    connectionParams: options.connectionParams ?? (options.token ? { authorization: `Bearer ${options.token}` } : {}),
    on: {
      closed: (event) => {
        const e = event as { code: number; reason: string };
        closed.resolve({ code: e.code, reason: String(e.reason) });
      },
    },
    onNonLazyError: () => undefined,
  });
  onCleanup(() => client.dispose());
  return {
    client,
    closed: closed.promise,
    subscribe(document, variables, extensions) {
      const results = new AsyncQueue<ExecutionResult<never>>();
      const completed = deferred<void>();
      const errored = deferred<unknown>();
      const dispose = client.subscribe(
        { query: print(document), variables: variables as Record<string, unknown>, extensions },
        {
          next: (value) => results.push(value as ExecutionResult<never>),
          error: (error) => errored.resolve(error),
          complete: () => completed.resolve(),
        },
      );
      return { results, completed: completed.promise, errored: errored.promise, dispose } as never;
    },
  };
}

/** Resolves when the server has acknowledged the connection. */
export function connected(connection: WsConnection): Promise<void> {
  return new Promise((resolve, reject) => {
    const offConnected = connection.client.on('connected', () => {
      offConnected();
      resolve();
    });
    connection.closed.then((e) => reject(new Error(`closed before connecting: ${e.code} ${e.reason}`)));
  });
}

/**
 * Records, in order, the `type` of each event delivered on a subscription (field `field` of its
 * data) and finally the close of the connection, e.g. `['REVOKED', 'closed:4401:SESSION_REVOKED:…']`.
 */
export function recordOrder<T>(conn: WsConnection, sub: Subscription<T>, field: keyof T): string[] {
  const order: string[] = [];
  const push = sub.results.push.bind(sub.results);
  sub.results.push = (value) => {
    const data = value.data as Record<string, { type?: string }> | null | undefined;
    order.push(data?.[field as string]?.type ?? `error:${JSON.stringify(value.errors)}`);
    push(value);
  };
  void conn.closed.then((closed) => order.push(`closed:${closed.code}:${closed.reason}`));
  return order;
}
