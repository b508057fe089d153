import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { WebSocket, WebSocketServer } from 'ws';
import { CloseCode, handleProtocols, makeServer, MessageType, parseMessage, type ServerOptions, type WebSocket as GraphqlWsSocket } from 'graphql-ws';
import type { Logger } from '../lib/logger.js';
import { newRequestId } from '../lib/random.js';

/**
 * What a socket keeps of its upgrade request for the operations sent on it: the headers in
 * {@link UPGRADE_HEADERS_KEPT} and the peer address. The `IncomingMessage` itself (its raw headers,
 * stream state and every other header) is not kept alive for the socket's life.
 */
export interface WsUpgradeRequest {
  readonly headers: IncomingHttpHeaders;
  readonly socket: { readonly remoteAddress: string | undefined };
}

/**
 * The upgrade headers kept per socket: what operations on a socket read (the client IP behind
 * TRUST_PROXY and the User-Agent, see `requestMeta` in app.ts). Add a name here if an operation needs
 * another upgrade header.
 */
export const UPGRADE_HEADERS_KEPT: readonly string[] = ['x-forwarded-for', 'user-agent'];

/** What graphql-ws keeps per socket (graphql-ws' own `Extra` for ws, plus ours). */
export type WsBaseExtra = { socket: WebSocket; request: WsUpgradeRequest };

/** Messages a client may send; anything else is a protocol error. */
const CLIENT_MESSAGES = new Set<string>([MessageType.ConnectionInit, MessageType.Ping, MessageType.Pong, MessageType.Subscribe, MessageType.Complete]);

/**
 * About how often the heartbeat ticks. Each tick pings one group of sockets, so with 5,000 sockets and
 * the default 12 s interval a tick pings ~40 of them (well under a millisecond) instead of a burst of
 * hundreds that holds up every request and revocation waiting behind it.
 */
const HEARTBEAT_TICK_MS = 100;

/** The connection a ws socket belongs to (a property on the socket, so shared listeners find it from `this`). */
const CONNECTION = Symbol('graphql-ws connection');
type TrackedSocket = WebSocket & { [CONNECTION]?: Connection };

/** What every connection of one `serveGraphqlWs` shares. */
interface Hub {
  server: ReturnType<typeof makeServer>;
  log: Logger;
  initTimeoutMs: number;
  /** The connections of each heartbeat group; a tick walks one group, not every socket. */
  heartbeatGroups: Set<Connection>[];
}

/**
 * One socket as graphql-ws sees it (its `WebSocket`: protocol, send, close, onMessage), with the
 * socket's heartbeat and init-timeout state. Methods on a class and listeners shared by all sockets
 * (they find the connection from the socket), so an idle socket holds this object and no closures
 * of its own besides graphql-ws'.
 */
class Connection implements GraphqlWsSocket {
  /** graphql-ws' handler for an incoming message (set by `onMessage`). */
  private handle: ((data: string) => Promise<void>) | null = null;
  /** graphql-ws' close callback (set once `server.opened` returns). */
  closed: ((code?: number, reason?: string) => Promise<void>) | null = null;
  /** A ping went out in this socket's last heartbeat round and no pong came back since. */
  awaitingPong = false;
  /** connection_init arrived (else the socket closes with 4408 after the init timeout). */
  initReceived = false;
  initTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly socket: WebSocket,
    private readonly hub: Hub,
    /** The heartbeat group this socket is pinged with. */
    readonly slot: number,
  ) {}

  /** Drops the socket from its heartbeat group (it closed). */
  leaveHeartbeat(): void {
    this.hub.heartbeatGroups[this.slot].delete(this);
  }

  get protocol(): string {
    return this.socket.protocol;
  }

  send(data: string): Promise<void> {
    const socket = this.socket;
    return new Promise<void>((resolve, reject) => {
      if (socket.readyState !== socket.OPEN) return resolve();
      socket.send(data, (err) => (err ? reject(err) : resolve()));
    });
  }

  close(code?: number, reason?: string): void {
    this.socket.close(code, reason);
  }

  onMessage(handle: (data: string) => Promise<void>): void {
    this.handle = handle;
  }

  async receive(text: string): Promise<void> {
    // No handler: graphql-ws refused the subprotocol and is closing the socket; ignore what still comes.
    if (!this.handle) return;
    let type: string;
    try {
      type = parseMessage(text).type;
    } catch {
      type = '';
    }
    if (!CLIENT_MESSAGES.has(type)) return this.socket.close(CloseCode.BadRequest, 'Invalid message received');
    if (type === MessageType.ConnectionInit && !this.initReceived) {
      // graphql-ws closes a second connection_init with 4429; we only stop the init timer.
      this.initReceived = true;
      this.clearInitTimer();
    }
    try {
      await this.handle(text);
    } catch (error) {
      const requestId = newRequestId();
      this.hub.log.error({ requestId, err: error }, 'internal error in a graphql-ws message');
      this.socket.close(CloseCode.InternalServerError, `Internal server error (${requestId})`);
    }
  }

  clearInitTimer(): void {
    if (this.initTimer) clearTimeout(this.initTimer);
    this.initTimer = null;
  }
}

// Listeners shared by every socket: ws calls them with the socket as `this`.
function onSocketMessage(this: TrackedSocket, data: unknown): void {
  void this[CONNECTION]?.receive(String(data));
}
function onSocketPong(this: TrackedSocket): void {
  const connection = this[CONNECTION];
  if (connection) connection.awaitingPong = false;
}
function onSocketClose(this: TrackedSocket, code: number, reason: Buffer): void {
  const connection = this[CONNECTION];
  if (!connection) return;
  connection.clearInitTimer();
  connection.leaveHeartbeat();
  void connection.closed?.(code, String(reason));
}
function closeUninitialised(connection: Connection): void {
  connection.initTimer = null;
  if (!connection.initReceived) connection.socket.close(CloseCode.ConnectionInitialisationTimeout, 'Connection initialisation timeout');
}

/** What ws-server keeps of an upgrade request (see {@link WsUpgradeRequest}). */
function upgradeRequest(request: IncomingMessage): WsUpgradeRequest {
  const headers: IncomingHttpHeaders = {};
  for (const name of UPGRADE_HEADERS_KEPT) {
    const value = request.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  return { headers, socket: { remoteAddress: request.socket.remoteAddress } };
}

/**
 * graphql-ws on a `ws` server, like graphql-ws' `useServer` but with these differences:
 *
 * - A message that is not valid JSON, not a valid graphql-transport-ws message, or a server-only
 *   message type (`next`, `error`, `connection_ack`) closes the socket with **4400** "Invalid
 *   message received" (graphql-ws' `useServer` closes server-only types with 4500 and the raw
 *   error text). A well-formed subscribe whose GraphQL is bad never gets here: it is answered with
 *   an `error` message and the socket stays open (see the `onSubscribe` hook in app.ts).
 * - An unexpected failure while handling a message is logged with a request id and the socket is
 *   closed with 4500 and only that id, never the error text.
 * - `extra.request` is a {@link WsUpgradeRequest} (kept headers and the peer address), not the
 *   upgrade `IncomingMessage`.
 * - Heartbeat: every socket is pinged every `keepAliveMs` and terminated when it has not answered the
 *   previous ping by then (no pong within `keepAliveMs`). One timer for all sockets: it ticks every
 *   about 100 ms (`keepAliveMs` / N for N groups) and each tick pings the group whose turn it is (a
 *   socket joins the group of the tick it connected after, so its first ping comes about
 *   `keepAliveMs` after it connected). The timer runs only while there are sockets (ws'
 *   `clientTracking`, its default, must be on).
 * - The connection-init timeout (`connectionInitWaitTimeout`, 4408) is ours, with a timer that is
 *   dropped once connection_init arrives (graphql-ws' own keeps its fired timer for the socket's life).
 */
export function serveGraphqlWs<E extends Record<PropertyKey, unknown>>(
  options: ServerOptions<Record<string, unknown>, WsBaseExtra & E>,
  wss: WebSocketServer,
  log: Logger,
  keepAliveMs = 12_000,
): { dispose(): Promise<void> } {
  if (!wss.clients) throw new Error('serveGraphqlWs needs a WebSocketServer that tracks its clients (clientTracking)');
  const { connectionInitWaitTimeout = 3_000, ...rest } = options;
  const groups = Math.max(1, Math.round(keepAliveMs / HEARTBEAT_TICK_MS));
  const hub: Hub = {
    server: makeServer({ ...rest, connectionInitWaitTimeout: 0 }),
    log,
    initTimeoutMs: connectionInitWaitTimeout > 0 && Number.isFinite(connectionInitWaitTimeout) ? connectionInitWaitTimeout : 0,
    heartbeatGroups: Array.from({ length: groups }, () => new Set<Connection>()),
  };
  const tickMs = Math.max(1, Math.floor(keepAliveMs / groups));
  let slot = 0;
  let heartbeat: NodeJS.Timeout | null = null;
  const beat = () => {
    if (wss.clients.size === 0) {
      if (heartbeat) clearInterval(heartbeat);
      heartbeat = null;
      return;
    }
    slot = (slot + 1) % groups;
    for (const connection of hub.heartbeatGroups[slot]) {
      const { socket } = connection;
      if (socket.readyState !== socket.OPEN) continue;
      if (connection.awaitingPong) {
        socket.terminate();
        continue;
      }
      connection.awaitingPong = true;
      socket.ping();
    }
  };

  wss.options.handleProtocols = handleProtocols;
  wss.on('error', (error) => log.error({ err: { message: error.message } }, 'graphql-ws server error'));
  wss.on('connection', (socket: TrackedSocket, request) => {
    // ws closes the socket itself on its own errors (e.g. 1009 when a frame exceeds maxPayload).
    socket.on('error', onSocketError);
    const connection = new Connection(socket, hub, slot);
    socket[CONNECTION] = connection;
    hub.heartbeatGroups[slot].add(connection);
    socket.on('message', onSocketMessage);
    socket.on('pong', onSocketPong);
    socket.on('close', onSocketClose);
    if (!heartbeat) {
      heartbeat = setInterval(beat, tickMs);
      heartbeat.unref();
    }
    if (hub.initTimeoutMs > 0) connection.initTimer = setTimeout(closeUninitialised, hub.initTimeoutMs, connection);
    const extra = { socket, request: upgradeRequest(request) } as WsBaseExtra & E;
    connection.closed = hub.server.opened(connection, extra);
    // graphql-ws refused the subprotocol and closed the socket already: no init timeout to wait for.
    if (socket.readyState !== socket.OPEN) connection.clearInitTimer();
  });
  function onSocketError(error: Error) {
    log.warn({ err: { message: error.message } }, 'graphql-ws socket error');
  }
  return {
    async dispose() {
      if (heartbeat) clearInterval(heartbeat);
      heartbeat = null;
      for (const client of wss.clients) client.close(1001, 'Going away');
      wss.removeAllListeners();
      await new Promise<void>((resolve, reject) => wss.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
