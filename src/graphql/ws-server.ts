import type { IncomingMessage } from 'node:http';
import type { WebSocket, WebSocketServer } from 'ws';
import { CloseCode, handleProtocols, makeServer, MessageType, parseMessage, type ServerOptions } from 'graphql-ws';
import type { Logger } from '../lib/logger.js';
import { newRequestId } from '../lib/random.js';

/** What graphql-ws keeps per socket (graphql-ws' own `Extra` for ws, plus ours). */
export type WsBaseExtra = { socket: WebSocket; request: IncomingMessage };

/** Messages a client may send; anything else is a protocol error. */
const CLIENT_MESSAGES = new Set<string>([MessageType.ConnectionInit, MessageType.Ping, MessageType.Pong, MessageType.Subscribe, MessageType.Complete]);

/**
 * graphql-ws on a `ws` server, like graphql-ws' `useServer` but with two differences:
 *
 * - A message that is not valid JSON, not a valid graphql-transport-ws message, or a server-only
 *   message type (`next`, `error`, `connection_ack`) closes the socket with **4400** "Invalid
 *   message received" (graphql-ws' `useServer` closes server-only types with 4500 and the raw
 *   error text). A well-formed subscribe whose GraphQL is bad never gets here: it is answered with
 *   an `error` message and the socket stays open (see the `onSubscribe` hook in app.ts).
 * - An unexpected failure while handling a message is logged with a request id and the socket is
 *   closed with 4500 and only that id, never the error text.
 */
export function serveGraphqlWs<E extends Record<PropertyKey, unknown>>(
  options: ServerOptions<Record<string, unknown>, WsBaseExtra & E>,
  wss: WebSocketServer,
  log: Logger,
  keepAliveMs = 12_000,
): { dispose(): Promise<void> } {
  const server = makeServer(options);
  wss.options.handleProtocols = handleProtocols;
  wss.on('error', (error) => log.error({ err: { message: error.message } }, 'graphql-ws server error'));
  wss.on('connection', (socket, request) => {
    // ws closes the socket itself on its own errors (e.g. 1009 when a frame exceeds maxPayload).
    socket.on('error', (error) => log.warn({ err: { message: error.message } }, 'graphql-ws socket error'));
    let pongWait: NodeJS.Timeout | null = null;
    const pingInterval = setInterval(() => {
      if (socket.readyState !== socket.OPEN) return;
      pongWait = setTimeout(() => socket.terminate(), keepAliveMs);
      socket.once('pong', () => {
        if (pongWait) clearTimeout(pongWait);
        pongWait = null;
      });
      socket.ping();
    }, keepAliveMs);
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve, reject) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            socket.send(data, (err) => (err ? reject(err) : resolve()));
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) =>
          socket.on('message', async (data) => {
            const text = String(data);
            let type: string;
            try {
              type = parseMessage(text).type;
            } catch {
              type = '';
            }
            if (!CLIENT_MESSAGES.has(type)) return socket.close(CloseCode.BadRequest, 'Invalid message received');
            try {
              await handle(text);
            } catch (error) {
              const requestId = newRequestId();
              log.error({ requestId, err: error }, 'internal error in a graphql-ws message');
              socket.close(CloseCode.InternalServerError, `Internal server error (${requestId})`);
            }
          }),
      },
      { socket, request } as WsBaseExtra & E,
    );
    socket.once('close', (code, reason) => {
      if (pongWait) clearTimeout(pongWait);
      clearInterval(pingInterval);
      void closed(code, String(reason));
    });
  });
  return {
    async dispose() {
      for (const client of wss.clients) client.close(1001, 'Going away');
      wss.removeAllListeners();
      await new Promise<void>((resolve, reject) => wss.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
