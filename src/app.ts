import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createYoga, type YogaInitialContext } from 'graphql-yoga';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { getOperationAST, GraphQLError, type ExecutionArgs } from 'graphql';
import { WebSocketServer, type WebSocket } from 'ws';
import type { useServer } from 'graphql-ws/use/ws';
import type { Context as WsContext, SubscribePayload } from 'graphql-ws';
import type { Config } from './config.js';
import type { Logger } from './lib/logger.js';
import { newRequestId } from './lib/random.js';
import type { Db } from './db/open.js';
import type { Events } from './events.js';
import type { RelayedEvents } from './relay/relay.js';
import { createCore, type CoreOptions } from './core.js';
import { useGraphQLMetrics } from './ops/graphql-metrics.js';
import { PortalKeeper } from './portal/keeper.js';
import { WalCheckpointer } from './db/checkpointer.js';
import type { RequestMeta, Viewer } from './sessions/service.js';
import { SessionSockets } from './sessions/sockets.js';
import { getSchema } from './graphql/schema.js';
import { useScopeCacheRelease } from './graphql/builder.js';
import { createContext, type AppDeps, type GraphQLContext, type Services, type SocketHooks } from './graphql/context.js';
import { badRequest, forbidden, isExpectedError, unauthenticated } from './graphql/errors.js';
import { normalizeError, useErrorCodes } from './graphql/error-codes.js';
import { isMarkedInternalError, markInternalError, maskError, useRequestIdMasking } from './graphql/masking.js';
import { queryLimitPlugins } from './graphql/limits.js';
import { serveGraphqlWs, type WsUpgradeRequest } from './graphql/ws-server.js';
import { SharedResults, subscribeWithSharedResults, type ResultErrorMasker } from './graphql/ws-subscriptions.js';
import { sessionCookie, clearedSessionCookie } from './sessions/cookies.js';
import { readBodyCapped } from './lib/read-body.js';
import { clientIp } from './lib/client-ip.js';
import { AnonymousSockets, ANONYMOUS_SOCKETS_CLOSE_CODE } from './graphql/ws-anonymous.js';
import { isConsolePath, serveConsole } from './console/serve.js';

/** Options for {@link createApp}; everything stateful can be passed in (tests pass a clock and a log sink). */
export interface AppOptions extends CoreOptions {
  /** Create the first admin on an empty database (default true). */
  bootstrap?: boolean;
  /** Run the expiry sweeper on a timer (default true; tests call `sweep()` instead). */
  sweeper?: boolean;
  /** Run the portal keeper loop on a timer (default true; tests call `app.portalKeeper.sweep()` instead). */
  portalKeeper?: boolean;
  /** How the portal keeper waits between paced refreshes (default a timer; tests move a ManualClock instead). */
  portalKeeperSleep?: (ms: number) => Promise<void>;
}

/** A running (or startable) Gatehouse. */
export interface App {
  config: Config;
  db: Db;
  services: Services;
  events: Events;
  log: Logger;
  sockets: SessionSockets;
  /** graphql-ws sockets without a session, per client IP (WS_MAX_ANONYMOUS_SOCKETS_PER_IP). */
  anonymousSockets: AnonymousSockets<WebSocket>;
  /** Checkpoints the SQLite WAL on its own thread while the server runs (not on the event loop). */
  checkpointer: WalCheckpointer;
  /** Subscription event results shared between graphql-ws subscribers (`executions` counts the executions run). */
  sharedResults: SharedResults;
  /** The cross-process event relay (null when the caller passed its own events). */
  relay: RelayedEvents | null;
  /** Listens on `port` (default config.port; 0 picks a free one) and resolves the GraphQL URL. */
  start(port?: number): Promise<string>;
  /** Stops accepting, closes sockets with 1001, stops timers, checkpoints and closes the database. */
  stop(): Promise<void>;
  /** The GraphQL endpoint URL once started. */
  readonly url: string;
  /** Runs one expiry sweep now; returns how many sessions expired. */
  sweep(): Promise<number>;
  /** The portal keeper loop (refresh, idle expiry, clean-up); `portalKeeper.sweep()` runs one pass now. */
  portalKeeper: PortalKeeper;
  /** Set when start-up generated the first admin's password; shown once. */
  bootstrapResult: { email: string; generatedPassword: string | null } | null;
}

/** How long stop() waits for in-flight HTTP requests before cutting their connections. */
const STOP_GRACE_MS = 5000;

/** How often a server replays events written by other processes (CLI, other servers) on the same database. */
const RELAY_POLL_MS = 500;

/** What the GraphQL context factory receives from yoga (HTTP) or from our graphql-ws bridge. */
type ServerContext = { req?: IncomingMessage; res?: ServerResponse; requestId?: string; gatehouse?: WsOperationContext };
interface WsOperationContext {
  viewer: Viewer | null;
  meta: RequestMeta;
  requestId: string;
  socketHooks: SocketHooks;
}

/** Builds the whole server: database, stores, services, pubsub, yoga, graphql-ws. Nothing listens until start(). */
export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const core = createCore(config, options);
  const { clock, db, log, events, relay, services, metrics } = core;
  const { accounts, sessions, ops } = services;
  const deps: AppDeps = { config, clock, events, services, log };
  const socketRegistry = new SessionSockets(events);
  const checkpointer = new WalCheckpointer(db, log);
  const portalKeeper = new PortalKeeper({
    service: services.portal,
    log,
    tickSeconds: config.portalKeeperTick,
    maxRate: config.portalKeeperMaxRate,
    clock,
    sleep: options.portalKeeperSleep,
    onSweep: (seconds) => metrics.keeperSweepSeconds.observe({ keeper: 'portal' }, seconds),
  });

  if (config.devMode) {
    log.warn('DEV_MODE is on: debug sessions are enabled. Never run production with DEV_MODE=true.');
  }
  const bootstrapResult = options.bootstrap === false ? null : await accounts.bootstrapAdmin();

  const graphqlMetrics = useGraphQLMetrics(metrics.registry);
  const yoga = createYoga<ServerContext, GraphQLContext>({
    schema: getSchema(),
    graphqlEndpoint: '/graphql',
    landingPage: false,
    batching: false,
    // handleHttp reads and caps every POST body before yoga sees it (GRAPHQL_MAX_BODY_BYTES); yoga's own
    // limit would pipe the already-read body through a second counting stream on every request.
    maxRequestBodySize: false,
    // Cross-origin browsers only from ALLOWED_ORIGINS; GraphiQL and same-origin pages need no CORS.
    cors: config.allowedOrigins.length > 0 ? (request: Request) => corsFor(request, config.allowedOrigins) : false,
    // GraphiQL needs introspection: it is served only where introspection is on.
    graphiql: config.introspection ? { title: 'Gatehouse', subscriptionsProtocol: 'WS' } : false,
    renderGraphiQL,
    logging: {
      debug: (...args) => log.debug(args.map(String).join(' ')),
      info: (...args) => log.info(args.map(String).join(' ')),
      warn: (...args) => log.warn(args.map(String).join(' ')),
      // yoga logs each error it masks; ours is logged once, with its request id, when the mask is finalized.
      error: (...args) => (args.length === 1 && isMarkedInternalError(args[0]) ? undefined : log.error(args.map(String).join(' '))),
    },
    // No context here: internal errors become placeholders that useRequestIdMasking (HTTP) and onNext
    // (graphql-ws) finalize with the request id (see src/graphql/masking.ts).
    maskedErrors: {
      maskError: (error) => markInternalError(error),
    },
    plugins: [
      // Before useErrorCodes, which rebuilds errors: placeholders are known by identity.
      useRequestIdMasking(log),
      useErrorCodes(),
      // Depth, alias, token, directive and cost limits (+ introspection off); ws subscribes go through them too.
      ...queryLimitPlugins(config),
      graphqlMetrics,
      useScopeCacheRelease(),
      {
        // Cookie mode: resolvers queue Set-Cookie values for the request; attach them to the response.
        onResponse({ request, response }) {
          for (const cookie of pendingCookies.get(request) ?? []) response.headers.append('set-cookie', cookie);
          pendingCookies.delete(request);
          // With ALLOWED_ORIGINS the CORS headers depend on Origin: caches must key on it.
          if (config.allowedOrigins.length > 0) addVary(response.headers, 'Origin');
        },
      },
    ],
    context: async (initial: YogaInitialContext & ServerContext) => {
      if (initial.gatehouse) return createContext(deps, { ...initial.gatehouse, transport: 'ws' });
      const requestId = initial.requestId ?? newRequestId();
      const meta = requestMeta(initial.request.headers, initial.req, config.trustProxyHops);
      const found = tokenFromHeaders(initial.request.headers, config.cookieMode);
      if (found?.source === 'cookie' && !passesCsrfCheck(initial.request)) throw forbidden('CSRF_CHECK_FAILED');
      // A token that is present but bad fails the whole request with 401: never served as anonymous.
      const viewer = found === null ? null : await sessions.authenticateOrThrow(found.token, true);
      const request = initial.request;
      const cookies = config.cookieMode
        ? {
            set: (token: string, maxAgeSeconds: number) => queueCookie(request, sessionCookie(token, maxAgeSeconds, isHttps(request))),
            clear: () => queueCookie(request, clearedSessionCookie(isHttps(request))),
          }
        : undefined;
      return createContext(deps, { viewer, meta, requestId, transport: 'http', cookies });
    },
  });

  const server: Server = createServer((req, res) => {
    const requestId = newRequestId();
    const started = performance.now();
    res.setHeader('x-request-id', requestId);
    res.once('finish', () => {
      // One access line per request; never the query, variables or headers (they may hold secrets).
      log.info(
        { requestId, method: req.method, path: (req.url ?? '/').split('?')[0], status: res.statusCode, ms: Math.round(performance.now() - started) },
        'request',
      );
    });
    void handleHttp(req, res, requestId).catch((error: unknown) => {
      log.error({ err: error, requestId }, 'unhandled HTTP error');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } }] }));
    });
  });

  // A client must send its whole request (headers and body) in time; slow-drip clients are cut off.
  server.headersTimeout = 20_000;
  server.requestTimeout = 30_000;

  const pendingCookies = new WeakMap<Request, string[]>();
  const queueCookie = (request: Request, cookie: string) => {
    pendingCookies.set(request, [...(pendingCookies.get(request) ?? []), cookie]);
  };

  async function handleHttp(req: IncomingMessage, res: ServerResponse, requestId: string) {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/health') return sendJson(res, 200, await ops.health());
    if (req.method === 'GET' && path === '/ready') {
      const ready = ops.ready();
      return sendJson(res, ready ? 200 : 503, { ready, database: ready ? 'ok' : 'unreachable' });
    }
    if (req.method === 'GET' && path === '/metrics') {
      res.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' });
      return res.end(await metrics.registry.metrics());
    }
    if (path === '/') {
      res.writeHead(302, { location: '/graphql' });
      return res.end();
    }
    if (isConsolePath(path)) return serveConsole(req, res);
    // Every POST yoga gets, whatever the path: it also answers GraphQL at `/graphql/` and `…/graphql`.
    if (req.method === 'POST') {
      // These refusals are written before yoga, so they carry the CORS headers themselves.
      const cors = refusalCorsHeaders(req.headers.origin, config.allowedOrigins);
      const refusal = refusePost(req, config.maxBodyBytes);
      if (refusal) return sendJson(res, refusal.status, { errors: [refusal.error] }, cors);
      // Counted as it streams, so a chunked body (no Content-Length) is capped too.
      const read = await readBodyCapped(req, config.maxBodyBytes);
      if (read.kind === 'aborted') return void res.destroy();
      if (read.kind === 'too-large') return sendJson(res, 413, { errors: [bodyTooLarge(config.maxBodyBytes)] }, cors);
      // yoga (@whatwg-node/server) takes an already-read body from `req.body`, like Express' body parsers.
      (req as IncomingMessage & { body?: Buffer }).body = read.body;
    }
    // yoga passes this object on as the server context: the context factory and useRequestIdMasking read the id.
    return yoga(req, res, { requestId });
  }

  const wsServer = new WebSocketServer({
    server,
    path: '/graphql',
    maxPayload: 1024 * 1024,
    // A browser page from another site may not open a socket here: refused with 403 at the upgrade.
    verifyClient: ({ origin, req }: { origin?: string; req: IncomingMessage }, done: (ok: boolean, status?: number, message?: string) => void) =>
      originAllowed(origin, req, config.allowedOrigins) ? done(true) : done(false, 403, 'Origin not allowed'),
  });
  /** Masks a graphql-ws result's internal errors with the operation's request id and gives each its code. */
  const maskWsErrors: ResultErrorMasker = (errors, requestId) =>
    errors.map((error) => normalizeError(maskError(error, log, requestId)));
  const wsCleanup = serveGraphqlWs<WsExtra>(
    {
      connectionInitWaitTimeout: config.wsInitTimeout * 1000,
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args),
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args),
      onConnect: async (ctx) => {
        const token = tokenFromConnectionParams(ctx.connectionParams);
        if (token === null) {
          // GraphiQL sends an empty connection_init; it authorizes per operation. Capped per client IP.
          if (anonymousSockets.initialisedAnonymously(ctx.extra.socket)) return true;
          ctx.extra.socket.close(ANONYMOUS_SOCKETS_CLOSE_CODE, 'TOO_MANY_ANONYMOUS_SOCKETS');
          return false;
        }
        anonymousSockets.initialisedWithToken(ctx.extra.socket);
        let result;
        try {
          result = await sessions.authenticate(token);
        } catch (error) {
          const requestId = newRequestId();
          log.error({ requestId, err: error }, 'internal error during graphql-ws connection_init');
          ctx.extra.socket.close(4500, `Internal server error (${requestId})`);
          return false;
        }
        if (!result.ok) {
          ctx.extra.socket.close(4401, result.reason);
          return false;
        }
        if (!socketRegistry.hasRoomFor(result.viewer.session.id, ctx.extra.socket, config.wsMaxSocketsPerSession)) {
          ctx.extra.socket.close(TOO_MANY_SOCKETS_CLOSE_CODE, 'TOO_MANY_SOCKETS');
          return false;
        }
        ctx.extra.viewer = result.viewer;
        socketRegistry.register(result.viewer.session.id, ctx.extra.socket);
        return true;
      },
      onSubscribe: async (ctx, id, payload) => {
        const requestId = newRequestId();
        // graphql-ws has already reserved this operation's id, so the count includes it.
        if (Object.keys(ctx.subscriptions).length > config.wsMaxSubscriptionsPerSocket) {
          return [tooManySubscriptions(config.wsMaxSubscriptionsPerSocket)];
        }
        try {
          return await prepareOperation(ctx, id, payload, requestId);
        } catch (error) {
          // Never let a failure here close the socket (graphql-ws would): answer this operation only.
          return [maskError(error, log, requestId)];
        }
      },
      // Errors graphql-ws raises itself get a code too.
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => normalizeError(e).toJSON()),
      // Internal errors are masked with the operation's request id (yoga's maskError left placeholders).
      onNext: (_ctx, _id, _payload, args, result) => {
        if (!result.errors?.length) return result;
        const requestId = (args.contextValue as GraphQLContext | undefined)?.requestId ?? newRequestId();
        return { ...result, errors: maskWsErrors(result.errors as readonly GraphQLError[], requestId) };
      },
      onClose: (ctx) => {
        anonymousSockets.closed(ctx.extra.socket);
        socketRegistry.unregister(ctx.extra.socket);
      },
    },
    wsServer,
    log,
  );
  const sharedResults = new SharedResults();
  // Sockets without a session, per client IP (see AnonymousSockets): counted from the upgrade on.
  const anonymousSockets = new AnonymousSockets<WebSocket>(config.wsMaxAnonymousSocketsPerIp);
  wsServer.on('connection', (socket, req) => {
    const ip = requestMeta(headersOf(req), req, config.trustProxyHops).ipAddress;
    // Its slot is freed in onClose (graphql-ws calls it for every socket).
    if (!anonymousSockets.opened(socket, ip)) socket.close(ANONYMOUS_SOCKETS_CLOSE_CODE, 'TOO_MANY_PENDING_SOCKETS');
  });

  /** Authenticates a graphql-ws subscribe (connection or per-operation headers) and builds its execution args. */
  async function prepareOperation(
    ctx: WsContext<Record<string, unknown>, WsExtra>,
    id: string,
    payload: SubscribePayload,
    requestId: string,
  ): Promise<ExecutionArgs | readonly GraphQLError[]> {
    const socket = ctx.extra.socket;
    let viewer: Viewer | null = null;
    const headerToken = tokenFromOperationHeaders(payload.extensions);
    if (headerToken !== null) {
      const result = await sessions.authenticate(headerToken);
      if (!result.ok) return [unauthenticated(result.reason)];
      viewer = result.viewer;
      if (!socketRegistry.hasRoomFor(result.viewer.session.id, socket, config.wsMaxSocketsPerSession)) {
        return [tooManySockets(config.wsMaxSocketsPerSession)];
      }
      socketRegistry.register(result.viewer.session.id, socket);
    } else if (ctx.extra.viewer) {
      // Read fresh: the session may have been revoked or the user changed since connect.
      const result = await sessions.reload(ctx.extra.viewer.session.id);
      if (!result.ok) return [unauthenticated(result.reason)];
      viewer = result.viewer;
    }
    const meta = requestMeta(headersOf(ctx.extra.request), ctx.extra.request, config.trustProxyHops);
    const socketHooks: SocketHooks = socketRegistry.hooksFor(socket);
    const enveloped = yoga.getEnveloped({
      req: ctx.extra.request,
      socket,
      params: payload,
      gatehouse: { viewer, meta, requestId, socketHooks },
    } as never);
    let document;
    try {
      document = enveloped.parse(payload.query);
    } catch (error) {
      if (isExpectedError(error)) return [error]; // e.g. armor's token limit (GRAPHQL_VALIDATION_FAILED / MAX_TOKENS)
      const message = error instanceof Error ? error.message : String(error);
      return [new GraphQLError(message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
    }
    const validationErrors: readonly GraphQLError[] = enveloped.validate(enveloped.schema, document);
    if (validationErrors.length > 0) {
      return validationErrors.map((e) => {
        // yoga marks validation errors with an HTTP status for its own responses; meaningless on a socket.
        const { http: _http, ...extensions } = e.extensions ?? {};
        return normalizeError(new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED', ...extensions } }));
      });
    }
    if (!getOperationAST(document, payload.operationName)) {
      // graphql-ws would answer this with an untyped "Unable to identify operation".
      return [
        badRequest(
          'UNKNOWN_OPERATION',
          payload.operationName
            ? `The document has no operation named "${payload.operationName}". Send the name of one of its operations.`
            : 'The document has several operations. Send "operationName" to pick one.',
        ),
      ];
    }
    const args: ExecutionArgs = {
      schema: enveloped.schema,
      document,
      operationName: payload.operationName,
      variableValues: payload.variables,
      contextValue: await enveloped.contextFactory(),
      rootValue: {
        execute: enveloped.execute,
        // Subscription events are executed once per event for all subscribers whose result cannot
        // differ, and written to the socket directly (see SharedResults).
        subscribe: async (subscribeArgs: ExecutionArgs) => {
          const done = graphqlMetrics.subscribing(subscribeArgs);
          const sink = { id, send: (frame: string) => socket.readyState === socket.OPEN && socket.send(frame) };
          const result = await subscribeWithSharedResults(subscribeArgs, sink, sharedResults, maskWsErrors);
          done(result);
          return result;
        },
      },
    };
    return args;
  }

  metrics.gauge('gatehouse_active_sessions', 'Sessions that are live now.', () => sessions.countActive());
  metrics.gauge('gatehouse_ws_sockets', 'Open graphql-ws sockets.', () => wsServer.clients.size);
  metrics.gauge('gatehouse_ws_session_sockets', 'graphql-ws sockets tied to a session.', () => socketRegistry.socketCount);
  metrics.labelledGauge('gatehouse_subscriptions', 'Live event listeners (subscriptions and socket watchers) by topic.', 'topic', () =>
    events.listenersByTopic(),
  );

  let sweepTimer: NodeJS.Timeout | undefined;
  let url = '';

  const app: App = {
    config,
    db,
    services,
    events,
    log,
    sockets: socketRegistry,
    anonymousSockets,
    sharedResults,
    checkpointer,
    relay,
    bootstrapResult,
    portalKeeper,
    get url() {
      return url;
    },
    async start(port = config.port) {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, config.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const address = server.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      url = `http://${host}:${address.port}/graphql`;
      relay?.start(RELAY_POLL_MS);
      checkpointer.start();
      if (options.sweeper !== false) {
        sweepTimer = setInterval(() => {
          metrics.timeSweep('sessions', () => sessions.sweepExpired()).catch((error: unknown) => log.error({ err: error }, 'session sweep failed'));
          core.security.purge().catch((error: unknown) => log.error({ err: error }, 'security counter purge failed'));
        }, config.sessionSweepInterval * 1000);
        sweepTimer.unref();
      }
      if (options.portalKeeper !== false) portalKeeper.start();
      log.info({ url, database: config.databasePath }, 'Gatehouse is listening');
      return url;
    },
    async stop() {
      if (sweepTimer) clearInterval(sweepTimer);
      // Cancel upstream portal calls (in-flight opens answer PORTAL_UNAVAILABLE) and let the keeper finish its chunk.
      const portalStopped = Promise.all([portalKeeper.stop(), services.portal.stop()]);
      await Promise.resolve(wsCleanup.dispose()).catch(() => undefined);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // In-flight requests get a grace period; a client that never finishes its request (or never
        // reads the answer) must not hold shutdown forever.
        setTimeout(() => server.closeAllConnections(), STOP_GRACE_MS).unref();
      });
      server.closeAllConnections();
      await portalStopped;
      await checkpointer.stop();
      core.close();
      log.flush?.();
    },
    sweep: () => metrics.timeSweep('sessions', () => sessions.sweepExpired()),
  };
  return app;
}

/** What graphql-ws keeps per socket. */
type WsExtra = { socket: WebSocket; request: WsUpgradeRequest; viewer?: Viewer };

/**
 * Close code when a session already has WS_MAX_SOCKETS_PER_SESSION sockets. graphql-ws clients
 * treat 4429 as fatal (no retry loop); the close reason says why: `TOO_MANY_SOCKETS`.
 */
export const TOO_MANY_SOCKETS_CLOSE_CODE = 4429;

function tooManySubscriptions(max: number) {
  return new GraphQLError(`This connection already runs ${max} operations, the most allowed. Complete one before starting another, or open another connection.`, {
    extensions: { code: 'RATE_LIMITED', reason: 'TOO_MANY_SUBSCRIPTIONS', limit: max },
  });
}

function tooManySockets(max: number) {
  return new GraphQLError(`This session already has ${max} open WebSocket connections, the most allowed. Close one and try again.`, {
    extensions: { code: 'RATE_LIMITED', reason: 'TOO_MANY_SOCKETS', limit: max },
  });
}

/**
 * CORS with ALLOWED_ORIGINS: an Origin on the list is echoed back with credentials allowed; any other
 * Origin (including `null`, from sandboxed frames and file pages) gets no CORS headers at all, so the
 * browser keeps the answer from the page.
 */
function corsFor(request: Request, allowed: string[]): { origin: string; credentials: true } | false {
  const origin = request.headers.get('origin');
  return origin !== null && allowed.includes(origin) ? { origin, credentials: true } : false;
}

function addVary(headers: Headers, name: string) {
  const current = headers.get('vary');
  const names = current ? current.split(',').map((v) => v.trim().toLowerCase()) : [];
  if (!names.includes(name.toLowerCase()) && !names.includes('*')) headers.set('vary', current ? `${current}, ${name}` : name);
}

/**
 * The WebSocket upgrade's Origin check. No Origin (a non-browser client) and same-origin pages
 * (GraphiQL served here) always pass; with ALLOWED_ORIGINS set, a browser Origin must be listed.
 */
function originAllowed(origin: string | undefined, req: IncomingMessage, allowed: string[]): boolean {
  if (!origin || allowed.length === 0) return true;
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

type OperationResult = ReturnType<NonNullable<Parameters<typeof useServer>[0]['execute']>>;
type EnvelopedRoot = {
  execute: (args: ExecutionArgs) => OperationResult;
  subscribe: (args: ExecutionArgs) => OperationResult;
};

const GRAPHQL_CONTENT_TYPES = /^(application\/json|application\/graphql-response\+json|application\/graphql\+json)\b/i;
/** Request bodies yoga can parse as GraphQL-over-HTTP JSON (a response type like graphql-response+json is not one). */
const REQUEST_BODY_TYPES = /^(application\/json|application\/graphql\+json)\s*(;|$)/i;

/**
 * Refuses a POST that yoga would answer with an empty or untyped body: wrong content type, or a
 * Content-Length over the limit (refused before any of the body is read; a chunked body is counted
 * as it streams, see readBodyCapped).
 */
function refusePost(req: IncomingMessage, maxBodyBytes: number) {
  const contentType = req.headers['content-type'] ?? '';
  if (!REQUEST_BODY_TYPES.test(contentType)) {
    return { status: 415, error: badRequest('UNSUPPORTED_CONTENT_TYPE', 'Send GraphQL requests as JSON with "Content-Type: application/json".') };
  }
  const length = Number(req.headers['content-length'] ?? 0);
  if (length > maxBodyBytes) return { status: 413, error: bodyTooLarge(maxBodyBytes) };
  return null;
}

function bodyTooLarge(maxBodyBytes: number) {
  return badRequest('BODY_TOO_LARGE', `The request body is larger than ${maxBodyBytes} bytes. Send a smaller request.`);
}

/**
 * A cookie-authenticated request must prove it is not a cross-site form post: either a JSON
 * content type (not sendable by a plain form) or an explicit CSRF header. Bearer requests skip this.
 */
function passesCsrfCheck(request: Request): boolean {
  const contentType = request.headers.get('content-type') ?? '';
  if (request.method === 'POST' && GRAPHQL_CONTENT_TYPES.test(contentType)) return true;
  return ['x-graphql-csrf', 'x-apollo-operation-name', 'apollo-require-preflight', 'graphql-preflight'].some((h) =>
    request.headers.has(h),
  );
}

function isHttps(request: Request): boolean {
  return new URL(request.url).protocol === 'https:';
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

/** The CORS headers yoga would add (see corsFor), for answers written without yoga. */
function refusalCorsHeaders(origin: string | undefined, allowed: string[]): Record<string, string> {
  if (allowed.length === 0) return {};
  if (origin === undefined || !allowed.includes(origin)) return { vary: 'Origin' };
  return { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true', vary: 'Origin' };
}

function headersOf(req: { headers: IncomingHttpHeaders }): Headers {
  const headers = new Headers();
  for (const [key, value] of Object.entries(req.headers)) {
    if (typeof value === 'string') headers.set(key, value);
    else if (Array.isArray(value)) headers.set(key, value.join(', '));
  }
  return headers;
}

/** Client IP (from X-Forwarded-For only behind TRUST_PROXY proxies, see clientIp) and User-Agent. */
function requestMeta(headers: Headers, req: { socket: { remoteAddress?: string } } | undefined, proxyHops: number): RequestMeta {
  return {
    ipAddress: clientIp(headers.get('x-forwarded-for'), req?.socket.remoteAddress, proxyHops),
    userAgent: headers.get('user-agent'),
  };
}

const BEARER = /^Bearer\s+(.+)$/i;

/** The token in an Authorization value: after `Bearer `, or the whole (trimmed) value. */
function bearerToken(value: string): string {
  const trimmed = value.trim();
  return BEARER.exec(trimmed)?.[1]?.trim() ?? trimmed;
}

/**
 * The session token of an HTTP request: `Authorization: Bearer …`, else the `gh_session` cookie in
 * cookie mode. A non-Bearer Authorization header counts as a bad token, not as anonymous.
 */
export function tokenFromHeaders(headers: Headers, cookieMode: boolean): { token: string; source: 'header' | 'cookie' } | null {
  const authorization = headers.get('authorization');
  if (authorization) return { token: bearerToken(authorization), source: 'header' };
  if (cookieMode) {
    const cookie = headers.get('cookie') ?? '';
    const match = /(?:^|;\s*)gh_session=([^;]+)/.exec(cookie);
    if (match) return { token: safeDecode(match[1]), source: 'cookie' };
  }
  return null;
}

/** Percent-decodes a cookie value; a malformed escape (`%)x`) is kept as is (and is then simply an unknown token). */
function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Token from graphql-ws `connectionParams.authorization` (or `Authorization`, or `token`). */
function tokenFromConnectionParams(params: Readonly<Record<string, unknown>> | undefined): string | null {
  if (!params) return null;
  for (const [key, value] of Object.entries(params)) {
    if (typeof value !== 'string' || !value.trim()) continue;
    const name = key.toLowerCase();
    if (name === 'authorization') return bearerToken(value);
    if (name === 'token') return value.trim();
  }
  if (params.headers && typeof params.headers === 'object') return tokenFromConnectionParams(params.headers as Record<string, unknown>);
  return null;
}

/** Token from a subscribe message's `extensions.headers.Authorization`, as yoga's GraphiQL sends it. */
function tokenFromOperationHeaders(extensions: Record<string, unknown> | null | undefined): string | null {
  const headers = extensions?.headers;
  if (!headers || typeof headers !== 'object') return null;
  for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
    if (key.toLowerCase() === 'authorization' && typeof value === 'string' && value.trim()) {
      return bearerToken(value);
    }
  }
  return null;
}
