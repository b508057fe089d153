import WebSocket from 'ws';
import { onCleanup } from './app.js';
import { AsyncQueue, deferred } from './queue.js';

/** A graphql-transport-ws message as the server sends it. */
export interface WsMessage {
  type: string;
  id?: string;
  payload?: unknown;
}

/** A bare WebSocket speaking graphql-transport-ws by hand, to send exactly what a test wants. */
export interface RawWs {
  socket: WebSocket;
  messages: AsyncQueue<WsMessage>;
  closed: Promise<{ code: number; reason: string }>;
  /** Sends an object as JSON, or a string as is. */
  send(message: unknown): void;
  /** Sends connection_init and waits for connection_ack. */
  init(payload?: Record<string, unknown>): Promise<void>;
  /** Sends a subscribe and resolves with the first message for that id (next or error). */
  request(id: string, payload: Record<string, unknown>): Promise<WsMessage>;
  /** Whether the socket is still open. */
  readonly isOpen: boolean;
}

/**
 * Opens a raw socket; rejects if the upgrade fails (e.g. 403). `autoPong: false` makes a socket that
 * never answers the server's WebSocket pings (ws answers them by default).
 */
export function openRawWs(wsUrl: string, headers: Record<string, string> = {}, options: { autoPong?: boolean } = {}): Promise<RawWs> {
  const socket = new WebSocket(wsUrl, 'graphql-transport-ws', { headers, autoPong: options.autoPong ?? true });
  onCleanup(() => {
    if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) socket.terminate();
  });
  const messages = new AsyncQueue<WsMessage>();
  const closed = deferred<{ code: number; reason: string }>();
  socket.on('message', (data) => messages.push(JSON.parse(String(data)) as WsMessage));
  socket.on('close', (code, reason) => closed.resolve({ code, reason: String(reason) }));
  const raw: RawWs = {
    socket,
    messages,
    closed: closed.promise,
    send: (message) => socket.send(typeof message === 'string' ? message : JSON.stringify(message)),
    async init(payload) {
      raw.send({ type: 'connection_init', ...(payload ? { payload } : {}) });
      const ack = await messages.next(5000, 'connection_ack');
      if (ack.type !== 'connection_ack') throw new Error(`expected connection_ack, got ${JSON.stringify(ack)}`);
    },
    async request(id, payload) {
      raw.send({ type: 'subscribe', id, payload });
      for (;;) {
        const message = await messages.next(5000, `a message for ${id}`);
        if (message.id === id && (message.type === 'next' || message.type === 'error')) return message;
      }
    },
    get isOpen() {
      return socket.readyState === WebSocket.OPEN;
    },
  };
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(raw));
    socket.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode })));
    socket.once('error', reject);
  });
}
