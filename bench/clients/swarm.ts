// The WebSocket side of scenarios 3–5 in its own process, so thousands of sockets share neither the load
// generator's nor a server's event loop. Raw `ws` clients: graphql-transport-ws spoken by hand (init with
// the bearer token, one subscribe, nothing parsed afterwards) or plain sockets for the raw-ws baseline.
// Every time is taken here, in one process: the trigger request (an HTTP POST over a keep-alive agent) and
// the socket events it causes. Prints `READY`; commands over stdin (bench/lib/control.ts).
import http from 'node:http';
import WebSocket from 'ws';
import { serveControl } from '../lib/control.js';

interface Sock {
  ws: WebSocket;
  key: string;
  closed: { code: number; reason: string; at: number } | null;
  onClosed: ((c: { code: number; reason: string; at: number }) => void) | null;
  /** Messages after the subscribe (graphql-ws) or since open (raw). */
  messages: number;
  lastMessage: string;
  /** Whether a REVOKED/EXPIRED notice for this socket's session came (before the 4401 close). */
  sawEnded: boolean;
  /** Broadcast round in progress: the bytes to look for, and when they came. */
  marker: Buffer | null;
  gotAt: number;
}

const groups = new Map<string, Map<string, Sock>>();
const problems: string[] = [];
let broadcastWaiter: { remaining: number; done: () => void } | null = null;
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

function groupOf(name: string): Map<string, Sock> {
  let g = groups.get(name);
  if (!g) groups.set(name, (g = new Map()));
  return g;
}

function post(url: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const target = new URL(url);
  if (target.hostname !== '127.0.0.1') throw new Error('bench traffic is limited to 127.0.0.1');
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Opens one socket; for graphql-ws, resolves once the subscribe is sent after connection_ack. */
function openOne(group: string, wsUrl: string, protocol: string, key: string, token: string | null, query: string | null, timeoutMs: number): Promise<Sock> {
  return new Promise((resolve, reject) => {
    const ws = protocol === 'graphql-ws' ? new WebSocket(wsUrl, 'graphql-transport-ws', { perMessageDeflate: false }) : new WebSocket(wsUrl, { perMessageDeflate: false });
    const sock: Sock = { ws, key, closed: null, onClosed: null, messages: 0, lastMessage: '', sawEnded: false, marker: null, gotAt: 0 };
    let ready = false;
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`socket ${key} not ready within ${timeoutMs} ms`));
    }, timeoutMs);
    const done = () => {
      ready = true;
      clearTimeout(timer);
      groupOf(group).set(key, sock);
      resolve(sock);
    };
    ws.on('open', () => {
      if (protocol !== 'graphql-ws') return done();
      ws.send(JSON.stringify({ type: 'connection_init', payload: token ? { authorization: `Bearer ${token}` } : {} }));
    });
    ws.on('message', (data: Buffer) => {
      if (!ready) {
        // Only connection_ack comes before the subscribe.
        if (data.includes('"connection_ack"')) {
          // No query: an authenticated socket without a subscription (to tell the two costs apart).
          if (query) ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query } }));
          done();
        }
        return;
      }
      sock.messages++;
      if (sock.marker) {
        if (sock.gotAt === 0 && data.includes(sock.marker)) {
          sock.gotAt = performance.now();
          sock.lastMessage = data.toString();
          if (broadcastWaiter && --broadcastWaiter.remaining === 0) broadcastWaiter.done();
        }
        return;
      }
      sock.lastMessage = data.length < 4096 ? data.toString() : '';
      if (data.includes('"REVOKED"') || data.includes('"EXPIRED"')) sock.sawEnded = true;
      // A stream ends with `complete` after its session's final notice; anything else is unexpected.
      else if (data.includes('"type":"error"') || (data.includes('"type":"complete"') && !sock.sawEnded)) {
        problems.push(`${group}/${key}: ${sock.lastMessage.slice(0, 300)}`);
      }
    });
    ws.on('close', (code, reason) => {
      sock.closed = { code, reason: String(reason), at: performance.now() };
      groups.get(group)?.delete(key);
      sock.onClosed?.(sock.closed);
      if (!ready) {
        clearTimeout(timer);
        reject(new Error(`socket ${key} closed before it was ready: ${code} ${String(reason)}`));
      }
    });
    ws.on('error', (error) => {
      if (!ready) {
        clearTimeout(timer);
        reject(error);
      }
    });
  });
}

async function open(args: Record<string, unknown>) {
  const items = args.items as { key: string; token?: string }[];
  const concurrency = Number(args.concurrency ?? 50);
  const timeoutMs = Number(args.timeoutMs ?? 15_000);
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++];
        await openOne(String(args.group), String(args.wsUrl), String(args.protocol), item.key, item.token ?? null, (args.query as string) ?? null, timeoutMs);
      }
    }),
  );
  return { opened: items.length, ms: performance.now() - t0, open: groupOf(String(args.group)).size };
}

/** Revokes one socket's session over HTTP and times the 4401 close against the mutation's send and response. */
async function revokeOne(args: Record<string, unknown>) {
  const sock = groupOf(String(args.group)).get(String(args.key));
  if (!sock) throw new Error(`no open socket ${String(args.key)}`);
  const closed = new Promise<{ code: number; reason: string; at: number }>((resolve) => (sock.onClosed = resolve));
  const body = JSON.stringify({ query: 'mutation($id: ID!) { revokeSession(id: $id) { id } }', variables: { id: sock.key } });
  const t0 = performance.now();
  const res = await post(String(args.url), body, { authorization: `Bearer ${String(args.adminToken)}` });
  const t1 = performance.now();
  if (res.status !== 200 || res.text.includes('"errors"')) throw new Error(`revokeSession failed: HTTP ${res.status} ${res.text.slice(0, 300)}`);
  const timeoutMs = Number(args.timeoutMs ?? 5000);
  const c = await Promise.race([closed, new Promise<null>((resolve) => setTimeout(() => resolve(null), timeoutMs))]);
  if (!c) throw new Error(`socket for session ${sock.key} did not close within ${timeoutMs} ms of revocation`);
  if (c.code !== 4401 || !c.reason.startsWith('SESSION_REVOKED')) throw new Error(`socket closed with ${c.code} ${c.reason}, expected 4401 SESSION_REVOKED:*`);
  return { fromResponse: c.at - t1, fromSend: c.at - t0, sawNotice: sock.sawEnded };
}

/**
 * One broadcast round: arms every socket of the group to watch for `marker`, sends the trigger POST and
 * waits until every socket got it. Times from the trigger's send and from its response.
 */
async function broadcast(args: Record<string, unknown>) {
  const group = groupOf(String(args.group));
  const marker = Buffer.from(String(args.marker));
  const socks = [...group.values()];
  for (const s of socks) {
    s.marker = marker;
    s.gotAt = 0;
  }
  const all = new Promise<void>((resolve) => (broadcastWaiter = { remaining: socks.length, done: resolve }));
  const timeoutMs = Number(args.timeoutMs ?? 30_000);
  const t0 = performance.now();
  const res = await post(String(args.url), String(args.body), (args.headers as Record<string, string>) ?? {});
  const t1 = performance.now();
  if (res.status !== 200 || res.text.includes('"errors"')) throw new Error(`trigger failed: HTTP ${res.status} ${res.text.slice(0, 300)}`);
  const ok = await Promise.race([all.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs))]);
  broadcastWaiter = null;
  const times = socks.filter((s) => s.gotAt > 0).map((s) => s.gotAt - t0).sort((a, b) => a - b);
  for (const s of socks) s.marker = null;
  if (!ok) throw new Error(`only ${times.length} of ${socks.length} sockets got the broadcast within ${timeoutMs} ms`);
  return {
    received: times.length,
    sendToFirst: times[0],
    sendToMedian: times[Math.floor(times.length / 2)],
    sendToLast: times[times.length - 1],
    responseAfterSend: t1 - t0,
    responseToLast: times[times.length - 1] - (t1 - t0),
    sample: socks[0]?.lastMessage ?? '',
  };
}

serveControl(
  {
    open,
    revokeOne,
    broadcast,
    close: (args) => {
      const g = groupOf(String(args.group));
      const n = g.size;
      for (const s of [...g.values()]) s.ws.terminate();
      groups.delete(String(args.group));
      return n;
    },
    stats: () => ({ groups: Object.fromEntries([...groups].map(([k, g]) => [k, g.size])), problems: problems.slice(0, 10) }),
  },
  () => {
    for (const g of groups.values()) for (const s of g.values()) s.ws.terminate();
    agent.destroy();
  },
);
process.stdout.write('READY\n');
