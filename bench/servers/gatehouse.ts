// The real Gatehouse app for the bench, in its own process (so the load generator does not share its
// event loop). Config comes from the JSON in BENCH_GATEHOUSE_ENV on top of bench defaults; the database is a
// fresh temp file removed at exit. Prints `URL <graphql url>` on stdout; exits on SIGTERM/SIGINT or when
// stdin closes (parent gone).
//
// Bench-only set-up commands (bench/lib/control.ts), all through the app's own stores and services:
// - seed {prefix, count, role}: ACTIVE users with one device session each (one argon2 hash shared by all,
//   so 5,000 sessions take seconds instead of minutes of sign-ins); answers their tokens.
// - seedPortal {loginUrl, keepAliveUrl, username, password, count}: one portal, one real upstream login,
//   and `count` keep-alive portal sessions copying its cookie (as test/integration/portal.test.ts does).
// - sweepLoop {action: start|stop}: portal keeper sweeps back to back; before each, the app's clock moves
//   past the refresh interval so every session is due again. `stop` ends the running sweep after its
//   current chunk (PortalKeeper.stop) and re-arms the keeper with start(); run this server with a long
//   PORTAL_KEEPER_TICK so that timer never fires on its own.
// - stats, memory (VmRSS after a GC when started with --expose-gc), info; loopDelay (event-loop delay and GC
//   pauses since the last call); heapSnapshot and allocationProfile (diagnosis only).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { loadConfig, type Role } from '../../src/config.js';
import { createApp } from '../../src/app.js';
import { tuneV8ForServer } from '../../src/lib/v8-tuning.js';
import { SqliteUserStore, type User } from '../../src/accounts/store.js';
import { hashPassword } from '../../src/accounts/password.js';
import { newId } from '../../src/lib/random.js';
import { seedDuePortalSessions } from '../lib/portal-seed.js';
import { memorySnapshot, serveControl } from '../lib/control.js';

/** The password of every seeded user (scenario 6 signs in with it). */
const BENCH_PASSWORD = 'Bench-pass-7319-quartz';
/** How far the clock moves before each forced sweep; seeded portals refresh every 60 s. */
const PORTAL_REFRESH_SECONDS = 60;

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
const extra = JSON.parse(process.env.BENCH_GATEHOUSE_ENV ?? '{}') as Record<string, string>;
let offsetMs = 0;
const clock = { now: () => Date.now() + offsetMs };
let app: Awaited<ReturnType<typeof createApp>> | null = null;
let sweeping: { stop: boolean; done: Promise<SweepTally> } | null = null;

interface SweepTally {
  /** Sweeps finished, and the one cut short by `stop` (if any). */
  sweeps: number;
  cutShort: number;
  ms: number;
  refreshed: number;
  unavailable: number;
  failed: number;
  durationsMs: number[];
}

/** One seed at a time: each holds a manual transaction across its (at once resolving) store calls. */
let seeding: Promise<unknown> = Promise.resolve();
function seed(args: Record<string, unknown>): Promise<{ token: string; sessionId: string; userId: string; email: string }[]> {
  const run = seeding.then(() => seedNow(args));
  seeding = run.catch(() => undefined);
  return run;
}

async function seedNow(args: Record<string, unknown>) {
  const a = app!;
  const count = Number(args.count ?? 1);
  const prefix = String(args.prefix ?? 'seed');
  const role = String(args.role ?? 'MEMBER') as Role;
  const users = new SqliteUserStore(a.db);
  const passwordHash = await hashPassword(BENCH_PASSWORD);
  const out: { token: string; sessionId: string; userId: string; email: string }[] = [];
  const meta = { ipAddress: '127.0.0.1', userAgent: 'gatehouse-bench' };
  // Bench set-up only: group the inserts in transactions (synchronous=FULL would fsync each one).
  // Store calls resolve at once, so nothing else runs on the connection in between.
  for (let start = 0; start < count; start += 500) {
    a.db.exec('BEGIN');
    try {
      for (let i = start; i < Math.min(count, start + 500); i++) {
        const now = Math.floor(clock.now() / 1000);
        const user: User = {
          id: newId('usr'),
          email: `${prefix}-${i}@bench.test`,
          name: `${prefix} ${i}`,
          passwordHash,
          role,
          status: 'ACTIVE',
          statusReason: null,
          createdAt: now,
          updatedAt: now,
        };
        await users.insert(user);
        const issued = await a.services.sessions.issue(user, { meta, ignoreCap: true });
        if (issued.kind !== 'created') throw new Error('seed session refused');
        out.push({ token: issued.token, sessionId: issued.session.id, userId: user.id, email: user.email });
      }
      a.db.exec('COMMIT');
    } catch (error) {
      a.db.exec('ROLLBACK');
      throw error;
    }
  }
  return out;
}

async function seedPortal(args: Record<string, unknown>) {
  const a = app!;
  const count = Number(args.count);
  const [owner] = await seed({ prefix: 'portal-owner', count: 1 });
  const auth = await a.services.sessions.authenticate(owner.token);
  if (!auth.ok) throw new Error('portal owner session failed');
  const viewer = auth.viewer;
  const meta = { ipAddress: '127.0.0.1', userAgent: 'gatehouse-bench' };
  const portal = await a.services.portal.createPortal({
    name: 'Bench portal',
    connector: 'HTTP_FORM',
    loginUrl: args.loginUrl,
    keepAliveUrl: args.keepAliveUrl,
    usernameField: 'user',
    passwordField: 'pass',
    extraFields: args.extraFields ?? {},
    loggedOutPattern: args.loggedOutPattern ?? null,
    refreshIntervalSeconds: PORTAL_REFRESH_SECONDS,
    idleTimeoutSeconds: 1800,
  });
  const opened = await a.services.portal.openSession(
    viewer,
    { portalId: portal.id, username: String(args.username), password: String(args.password), keepAlive: true },
    meta,
  );
  const { cookieHeader } = await a.services.portal.useSession(viewer, opened.session.id);
  const cookies = Object.fromEntries(cookieHeader.split('; ').map((pair) => pair.split('=') as [string, string]));
  await seedDuePortalSessions({
    db: a.db,
    config: a.config,
    count: count - 1,
    ownerId: viewer.user.id,
    portalId: portal.id,
    prefix: 'bench',
    password: String(args.password),
    cookies,
    now: Math.floor(clock.now() / 1000),
  });
  return { portalId: portal.id, sessions: count };
}

function sweepLoop(args: Record<string, unknown>) {
  const a = app!;
  if (args.action === 'start') {
    if (sweeping) throw new Error('already sweeping');
    const state: { stop: boolean; done: Promise<SweepTally> } = { stop: false, done: Promise.resolve(null as never) };
    state.done = (async () => {
      const tally: SweepTally = { sweeps: 0, cutShort: 0, ms: 0, refreshed: 0, unavailable: 0, failed: 0, durationsMs: [] };
      const started = performance.now();
      while (!state.stop) {
        offsetMs += (PORTAL_REFRESH_SECONDS + 1) * 1000;
        const t0 = performance.now();
        const result = await a.portalKeeper.sweep();
        if (result.stopped) tally.cutShort++;
        else {
          tally.durationsMs.push(performance.now() - t0);
          tally.sweeps++;
        }
        tally.refreshed += result.refreshed + result.reloggedIn;
        tally.unavailable += result.unavailable;
        tally.failed += result.failed;
      }
      tally.ms = performance.now() - started;
      return tally;
    })();
    sweeping = state;
    return null;
  }
  if (!sweeping) throw new Error('not sweeping');
  const state = sweeping;
  sweeping = null;
  state.stop = true;
  return (async () => {
    await a.portalKeeper.stop();
    const tally = await state.done;
    a.portalKeeper.start();
    return tally;
  })();
}

const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();
let allocationSession: import('node:inspector/promises').Session | undefined;
/** The main thread's GC pauses since the last `loopDelay` call (a stall may be a collection). */
const gcPauses = { count: 0, totalMs: 0, maxMs: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gcPauses.count++;
    gcPauses.totalMs += entry.duration;
    gcPauses.maxMs = Math.max(gcPauses.maxMs, entry.duration);
  }
}).observe({ entryTypes: ['gc'] });

serveControl(
  {
    seed,
    seedPortal,
    sweepLoop,
    info: () => ({ pid: process.pid, dbPath: app!.config.databasePath }),
    stats: () => ({ sessionSockets: app!.sockets.socketCount, listeners: app!.events.listenersByTopic() }),
    memory: () => memorySnapshot(),
    /**
     * The event loop's delay since the last call (p50, p99, max in ms): tells a server stall from a slow
     * client; and the GC pauses in that time.
     */
    loopDelay: () => {
      const result = { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6, gc: { ...gcPauses } };
      loopDelay.reset();
      Object.assign(gcPauses, { count: 0, totalMs: 0, maxMs: 0 });
      return result;
    },
    /**
     * Diagnosis: sampling allocation profile, collected objects included (what churns the young
     * generation; with `minor: false` only what outlived a scavenge). `action: 'start'`, then
     * `action: 'stop', path` writes a .heapprofile.
     */
    allocationProfile: async (args) => {
      const { Session } = await import('node:inspector/promises');
      allocationSession ??= new Session();
      if (args.action === 'start') {
        allocationSession.connect();
        await allocationSession.post('HeapProfiler.startSampling', {
          samplingInterval: 16384,
          includeObjectsCollectedByMajorGC: true,
          includeObjectsCollectedByMinorGC: args.minor !== false,
        } as never);
        return null;
      }
      const { profile } = (await allocationSession.post('HeapProfiler.stopSampling')) as { profile: unknown };
      allocationSession.disconnect();
      (await import('node:fs')).writeFileSync(String(args.path), JSON.stringify(profile));
      return null;
    },
    /** Diagnosis: writes a V8 heap snapshot to args.path (what an idle socket holds on to). */
    heapSnapshot: async (args) => (await import('node:v8')).writeHeapSnapshot(String(args.path)),
  },
  async () => {
    try {
      if (sweeping) sweeping.stop = true;
      await app?.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

try {
  const config = loadConfig({
    DATABASE_PATH: join(dir, 'gatehouse.db'),
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    ...extra,
  });
  // As `gatehouse serve` does; BENCH_V8_DEFAULTS=1 leaves V8 as it is (diagnosis: what the flags change).
  if (!process.env.BENCH_V8_DEFAULTS) tuneV8ForServer();
  app = await createApp(config, { sweeper: false, portalKeeper: false, clock });
  // Diagnosis only (never in a recorded run): BENCH_SQLITE_SYNCHRONOUS=NORMAL shows how much of a
  // scenario is the fsync of each commit (Gatehouse runs synchronous=FULL).
  if (process.env.BENCH_SQLITE_SYNCHRONOUS) app.db.pragma(`synchronous = ${process.env.BENCH_SQLITE_SYNCHRONOUS}`);
  const url = await app.start(0);
  process.stdout.write(`URL ${url}\n`);
} catch (error) {
  process.stderr.write(`gatehouse bench server failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  rmSync(dir, { recursive: true, force: true });
  process.exit(1);
}
