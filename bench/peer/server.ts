// Scenario 2's peer: Better Auth (email + password) on node:http via toNodeHandler, on a better-sqlite3 file in
// WAL mode: the file named by BENCH_DB_PATH, which is the Gatehouse bench server's own database (Better
// Auth's tables — user, session, account, verification — do not clash with Gatehouse's). Better Auth is
// installed only in this folder (bench/peer/package.json); better-sqlite3 is not one of its dependencies and
// resolves from the root node_modules, the same build Gatehouse uses. Tables come from Better Auth's own
// migration API at start-up. Prints `URL <base url>`; stops on SIGTERM/SIGINT or when stdin closes.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { toNodeHandler } from 'better-auth/node';
import { serveControl } from '../lib/control.js';

const path = process.env.BENCH_DB_PATH;
if (!path) throw new Error('BENCH_DB_PATH is required');
const db = new Database(path);
// The same settings Gatehouse's openDatabase uses.
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('foreign_keys = ON');
db.pragma('busy_timeout = 5000');

const server = createServer();
server.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;
const baseURL = `http://127.0.0.1:${port}`;

const options = {
  baseURL,
  secret: 'gatehouse-bench-peer-secret-0123456789abcdef',
  database: db,
  emailAndPassword: { enabled: true },
  // Gatehouse applies no rate limit to `me` either; Better Auth's limiter is on by default only in production.
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
  logger: { disabled: true },
};
const { runMigrations } = await getMigrations(options);
await runMigrations();
const auth = betterAuth(options);
const handler = toNodeHandler(auth);
server.on('request', (req, res) => void handler(req, res));
process.stdout.write(`URL ${baseURL}/api/auth\n`);

serveControl({}, async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  db.close();
});
