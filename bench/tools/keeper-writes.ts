// Scenario 7 diagnosis, in one process (app + local test portal): seeds 10,000 due keep-alive portal
// sessions, runs one keeper sweep for MS milliseconds (default 6000) and prints refreshes/s, process CPU
// per refresh, the event-loop time spent inside SQLite writes per refresh (portal store writes and
// outbox appends, fsync included) and the event-loop delay. Less sensitive to other work on the machine
// than scenario 7's `me` p99, because it times the keeper's own blocking work.
//   npx tsx bench/tools/keeper-writes.ts            # RATE=0: unpaced (PORTAL_KEEPER_MAX_RATE)
//   RATE=auto npx tsx bench/tools/keeper-writes.ts  # the default pacing (refresh interval 60 s → over 30 s)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { loadConfig } from '../../src/config.js';
import { createApp } from '../../src/app.js';
import { SqlitePortalStore } from '../../src/portal/store.js';
import { SqliteUserStore } from '../../src/accounts/store.js';
import { SqliteOutboxStore } from '../../src/relay/store.js';
import { seedDuePortalSessions } from '../lib/portal-seed.js';
import { CLIENT_FIELD, LOGIN_PAGE_TEXT, startTestPortal } from '../../test/utils/test-portal.js';

const SESSIONS = 10_000;
const dir = mkdtempSync(join(tmpdir(), 'keeper-writes-'));
let offsetMs = 0;
const clock = { now: () => Date.now() + offsetMs };
const config = loadConfig({
  DATABASE_PATH: join(dir, 'gatehouse.db'),
  LOG_LEVEL: 'silent',
  PORTAL_KEEPER_TICK: '24h',
  PORTAL_KEEPER_MAX_RATE: process.env.RATE ?? '0',
  ADMIN_EMAIL: 'admin@example.test',
  ADMIN_PASSWORD: 'admin-password-123',
});
const app = await createApp(config, { sweeper: false, portalKeeper: false, clock });
const upstream = await startTestPortal({ bench: 'bench-portal-pw' });
try {
  const portal = await app.services.portal.createPortal({
    name: 'Bench portal',
    connector: 'HTTP_FORM',
    loginUrl: upstream.loginUrl,
    keepAliveUrl: upstream.keepAliveUrl,
    usernameField: 'user',
    passwordField: 'pass',
    extraFields: CLIENT_FIELD,
    loggedOutPattern: LOGIN_PAGE_TEXT,
    refreshIntervalSeconds: 60,
  });
  // One real login for a live cookie; every seeded session shares it.
  await fetch(upstream.loginUrl, { method: 'POST', body: new URLSearchParams({ user: 'bench', pass: 'bench-portal-pw', ...CLIENT_FIELD }), redirect: 'manual' });
  const owner = (await new SqliteUserStore(app.db).findByEmail('admin@example.test'))!;
  await seedDuePortalSessions({
    db: app.db,
    config,
    count: SESSIONS,
    ownerId: owner.id,
    portalId: portal.id,
    prefix: 'kw',
    password: 'bench-portal-pw',
    cookies: { sid: upstream.liveCookies[0] },
    now: Math.floor(clock.now() / 1000),
  });

  // Time every synchronous write of the portal store and the outbox (SQLite runs on this thread).
  const writeMs: Record<string, number> = {};
  const wrap = (proto: object, name: string) => {
    const target = proto as Record<string, (...args: unknown[]) => unknown>;
    const original = target[name];
    if (!original) return;
    target[name] = function (this: unknown, ...args: unknown[]) {
      const t = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        writeMs[name] = (writeMs[name] ?? 0) + performance.now() - t;
      }
    };
  };
  // markRefreshed + append: one refresh at a time; applyRefreshResults: a chunk (its outbox rows inside).
  for (const name of ['markRefreshed', 'applyRefreshResults']) wrap(SqlitePortalStore.prototype, name);
  wrap(SqliteOutboxStore.prototype, 'append');

  offsetMs += 61_000;
  const delay = monitorEventLoopDelay({ resolution: 2 });
  delay.enable();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const stopTimer = setTimeout(() => void app.portalKeeper.stop(), Number(process.env.MS ?? 6000));
  const result = await app.portalKeeper.sweep();
  clearTimeout(stopTimer);
  const cpu = process.cpuUsage(cpu0);
  const seconds = (performance.now() - t0) / 1000;
  delay.disable();
  const n = result.refreshed;
  const blocked = Object.values(writeMs).reduce((sum, ms) => sum + ms, 0);
  console.log(
    `PORTAL_KEEPER_MAX_RATE=${config.portalKeeperMaxRate}: ${n} refreshed in ${seconds.toFixed(1)} s = ${(n / seconds).toFixed(0)}/s; ` +
      `process CPU ${((cpu.user + cpu.system) / 1000 / n).toFixed(3)} ms/refresh (test portal included); ` +
      `event loop inside SQLite writes ${(blocked / n).toFixed(3)} ms/refresh; ` +
      `event-loop delay p50 ${(delay.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms, max ${(delay.max / 1e6).toFixed(1)} ms`,
  );
} finally {
  await app.stop();
  await upstream.stop();
  rmSync(dir, { recursive: true, force: true });
}
