// Scenario 4's baseline: a bare `ws` server on 127.0.0.1:0 that broadcasts a pre-serialized payload to every
// open socket. POST /broadcast with the payload as body: it is turned into one Buffer and sent to each
// client, then the request is answered with the count. No protocol, no auth, no per-subscriber work: the
// floor for "deliver the same bytes to N sockets". Prints `URL <http url>`; stops on SIGTERM/SIGINT or
// when stdin closes.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, WebSocket } from 'ws';
import { memorySnapshot, serveControl } from '../lib/control.js';

const server = createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/broadcast') {
    res.writeHead(404);
    return res.end();
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const payload = Buffer.concat(chunks);
    let sent = 0;
    for (const client of wss.clients) {
      if (client.readyState !== WebSocket.OPEN) continue;
      client.send(payload, { binary: false });
      sent++;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ sent }));
  });
});
server.keepAliveTimeout = 60_000;
const wss = new WebSocketServer({ server, path: '/ws', maxPayload: 1024 * 1024 });
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
serveControl(
  {
    stats: () => ({ clients: wss.clients.size }),
    memory: () => memorySnapshot(),
  },
  async () => {
    for (const client of wss.clients) client.terminate();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  },
);
process.stdout.write(`URL http://127.0.0.1:${(server.address() as AddressInfo).port}/broadcast\n`);
