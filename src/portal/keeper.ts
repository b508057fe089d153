import { systemClock, type Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { PortalService, RefreshOutcome } from './service.js';
import type { RefreshCursor } from './store.js';

/** What one sweep did. */
export interface SweepResult {
  /** Idle non-keep-alive sessions that became EXPIRED. */
  expired: number;
  /** Keep-alive calls that kept the upstream login. */
  refreshed: number;
  /** Sessions the portal had logged out that logged in again. */
  reloggedIn: number;
  /** Sessions whose re-login was refused: FAILED. */
  failed: number;
  /** Portal unreachable: left as they were for the next sweep. */
  unavailable: number;
  /** OPENING rows a stopped server left behind, marked FAILED. */
  interrupted: number;
  /** Dead sessions deleted (ended more than a day ago). */
  deleted: number;
  /** Chunks processed; the event loop was yielded to between any two of them. */
  chunks: number;
  /** True when stop() cut the sweep short. */
  stopped: boolean;
}

export interface KeeperOptions {
  service: PortalService;
  log?: Logger;
  /** Seconds between sweeps (PORTAL_KEEPER_TICK). */
  tickSeconds: number;
  /** Rows per chunk (default 200). */
  chunkSize?: number;
  /** Upstream calls in flight at once within a chunk (default 8). */
  concurrency?: number;
  /** Told the duration of every finished sweep, in seconds (metrics). */
  onSweep?: (seconds: number) => void;
  /**
   * Keep-alive refreshes started per second (PORTAL_KEEPER_MAX_RATE): `auto` (default) spreads a
   * sweep's due sessions over half of min(tick, shortest refresh interval); a number is a fixed pace;
   * 0 runs them as fast as `concurrency` allows.
   */
  maxRate?: number | 'auto';
  /** Time source for pacing (the app's injected clock). */
  clock?: Clock;
  /** Waits between paced refreshes (default a timer; tests pass one that moves a ManualClock). */
  sleep?: (ms: number) => Promise<void>;
}

/** `auto` pacing spreads a sweep over this share of min(tick, shortest refresh interval). */
const AUTO_SPREAD = 0.5;
/** `auto` pacing never goes slower than this, so a handful of due sessions are done in a moment. */
const AUTO_MIN_RATE = 10;
/**
 * A paced chunk holds about this much work: its results are written (one commit, which holds the
 * event loop for its statements and fsync) and published together, so short chunks keep each stall
 * small and bound how long a settled refresh waits for its write. 0.1 s rather than 0.25 s: at ~333
 * refreshes/s each commit holds the loop for ~2-3 ms instead of ~5-6 (event-loop delay p99 4.5-5.1
 * vs 5.9-6.2 ms in bench/tools/keeper-writes.ts) for ~15% more time in writes.
 */
const PACED_CHUNK_SECONDS = 0.1;
/** `auto` pacing counts due sessions up to this many at a time (the count holds the event loop). */
const BACKLOG_COUNT_CAP = 20_000;

/**
 * The keeper loop: every tick it expires idle sessions, refreshes due keep-alive sessions, fails
 * logins a stopped server left OPENING and deletes sessions dead for a day. All state is in the
 * database, so a restart simply carries on. Work goes in bounded chunks with a yield to the event
 * loop between chunks and a cap on concurrent upstream calls; refreshes are paced (maxRate) and each
 * chunk's results are written in one transaction, so a sweep over thousands of sessions never holds
 * up request handling. `sweep()` runs one pass now (tests call it with a ManualClock).
 */
export class PortalKeeper {
  private readonly chunkSize: number;
  private readonly concurrency: number;
  private readonly clock: Clock;
  private readonly sleepFn: (ms: number) => Promise<void>;
  /** Wake-ups of paced waits in progress (stop() ends them at once). */
  private readonly wakers = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<SweepResult> | null = null;
  private stopping = false;
  /** The last finished sweep, for logs and metrics. */
  lastSweep: { finishedAt: number; durationMs: number; result: SweepResult } | null = null;

  constructor(private readonly options: KeeperOptions) {
    this.chunkSize = options.chunkSize ?? 200;
    this.concurrency = options.concurrency ?? 8;
    this.clock = options.clock ?? systemClock;
    this.sleepFn = options.sleep ?? defaultSleep;
  }

  /** True while a sweep is running. */
  get running(): boolean {
    return this.current !== null;
  }

  /** Sweeps every tick until stop(). A tick that finds the previous sweep still running is skipped. */
  start(): void {
    if (this.timer) return;
    this.stopping = false;
    this.timer = setInterval(() => {
      if (this.current) return;
      this.sweep().catch((error: unknown) => this.options.log?.error({ err: error }, 'portal keeper sweep failed'));
    }, this.options.tickSeconds * 1000);
    this.timer.unref();
  }

  /** Runs one sweep now (or joins the one already running). */
  sweep(): Promise<SweepResult> {
    if (this.current) return this.current;
    const started = Date.now();
    this.current = this.run().then(
      (result) => {
        this.current = null;
        this.lastSweep = { finishedAt: Date.now(), durationMs: Date.now() - started, result };
        this.options.onSweep?.((Date.now() - started) / 1000);
        const changed = result.expired + result.refreshed + result.reloggedIn + result.failed + result.unavailable + result.interrupted + result.deleted;
        if (changed > 0) this.options.log?.info({ ...result, durationMs: Date.now() - started }, 'portal keeper sweep');
        return result;
      },
      (error: unknown) => {
        this.current = null;
        throw error;
      },
    );
    return this.current;
  }

  /** Stops the timer and waits for the running sweep to finish its current chunk. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const wake of [...this.wakers]) wake();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.current?.catch(() => undefined);
  }

  private async run(): Promise<SweepResult> {
    const { service } = this.options;
    const limit = this.chunkSize;
    const result: SweepResult = { expired: 0, refreshed: 0, reloggedIn: 0, failed: 0, unavailable: 0, interrupted: 0, deleted: 0, chunks: 0, stopped: false };
    const next = async (): Promise<boolean> => {
      result.chunks++;
      await yieldToEventLoop();
      if (this.stopping) result.stopped = true;
      return !this.stopping;
    };

    // 1. Idle expiry of non-keep-alive sessions.
    for (;;) {
      const expired = await service.expireIdle(limit);
      result.expired += expired.length;
      if (!(await next())) return result;
      if (expired.length < limit) break;
    }

    // 2. Logins a stopped server left in OPENING.
    for (let after = ''; ; ) {
      const { failed, lastId } = await service.failInterruptedOpenings(after, limit);
      result.interrupted += failed;
      if (lastId === null) break;
      after = lastId;
      if (!(await next())) return result;
    }

    // 3. Keep-alive refreshes, walking due sessions by last refresh, paced; each chunk's results
    //    (and their events' outbox rows) are written in one transaction once its calls settled.
    const pace = await this.planPace();
    for (let cursor: RefreshCursor | null = null; ; ) {
      const pageLimit = pace.enabled ? Math.max(this.concurrency, Math.min(limit, Math.ceil(pace.rate() * PACED_CHUNK_SECONDS))) : limit;
      const page: { due: { id: string }[]; cursor: RefreshCursor | null } = await service.dueForRefresh(cursor, pageLimit);
      if (page.cursor === null) break;
      const chunk = service.refreshChunk();
      await runPool(page.due, this.concurrency, async (session) => {
        await pace.slot();
        await chunk.run(session.id);
      });
      try {
        const { outcomes, errors } = await chunk.commit();
        for (const outcome of outcomes) this.tally(result, outcome);
        for (const { id, error } of errors) {
          result.unavailable++;
          this.options.log?.error({ err: error, portalSessionId: id }, 'portal session refresh failed');
        }
      } catch (error) {
        // Nothing of this chunk was written: its sessions are still due and the next sweep retries them.
        result.unavailable += page.due.length;
        this.options.log?.error({ err: error }, 'portal keeper could not write a chunk of refreshes');
      }
      await pace.done(page.due.length);
      cursor = page.cursor;
      if (!(await next())) return result;
    }

    // 4. Sessions dead for more than a day.
    for (;;) {
      const deleted = await service.deleteDead(limit);
      result.deleted += deleted;
      if (deleted < limit) break;
      if (!(await next())) return result;
    }
    return result;
  }

  /**
   * The pace of this sweep's refreshes: a slot every 1/rate s, the rate recomputed after each chunk
   * from the sessions still due and the time left (auto), or fixed. Slots use the injected clock and
   * sleep; once stop() was called they are free, so the running chunk finishes at once.
   */
  private async planPace(): Promise<{ enabled: boolean; rate(): number; slot(): Promise<void>; done(count: number): Promise<void> | void }> {
    const setting = this.options.maxRate ?? 'auto';
    const free = { enabled: false, rate: () => Infinity, slot: async () => {}, done: () => {} };
    if (setting !== 'auto') {
      if (setting <= 0) return free;
      return this.pacer(() => setting, () => undefined);
    }
    const service = this.options.service;
    const { due, minIntervalSeconds } = await service.refreshBacklog(BACKLOG_COUNT_CAP);
    if (due === 0) return free;
    const budgetMs = AUTO_SPREAD * Math.min(this.options.tickSeconds, minIntervalSeconds ?? this.options.tickSeconds) * 1000;
    const deadline = this.clock.now() + budgetMs;
    let remaining = due;
    let rate = 0;
    const plan = () => {
      const left = Math.max(deadline - this.clock.now(), budgetMs * 0.1);
      rate = Math.max(AUTO_MIN_RATE, (Math.max(remaining, 1) * 1000) / left);
    };
    plan();
    return this.pacer(
      () => rate,
      async (count) => {
        remaining -= count;
        // The count ran out (it was capped, or sessions fell due during the sweep): count again, so
        // the walk keeps up with them; past the deadline the rest goes within a tenth of the budget.
        if (remaining <= 0) remaining = (await service.refreshBacklog(BACKLOG_COUNT_CAP)).due;
        plan();
      },
    );
  }

  private pacer(rate: () => number, done: (count: number) => Promise<void> | void) {
    let next = 0;
    return {
      enabled: true,
      rate,
      done,
      slot: async () => {
        if (this.stopping) return;
        const now = this.clock.now();
        const at = Math.max(next, now);
        next = at + 1000 / rate();
        if (at - now >= 1) await this.sleep(at - now);
      },
    };
  }

  /** The injected sleep, cut short by stop(). */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        this.wakers.delete(wake);
        resolve();
      };
      this.wakers.add(wake);
      this.sleepFn(ms).then(wake, wake);
    });
  }

  private tally(result: SweepResult, outcome: RefreshOutcome): void {
    switch (outcome.outcome) {
      case 'REFRESHED':
        result.refreshed++;
        break;
      case 'RELOGGED_IN':
        result.reloggedIn++;
        break;
      case 'FAILED':
        result.failed++;
        break;
      case 'UNAVAILABLE':
        result.unavailable++;
        this.options.log?.warn({ portalSessionId: outcome.session.id, reason: outcome.reason }, 'portal unreachable during keep-alive');
        break;
      case 'SKIPPED':
        break;
    }
  }
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Lets timers, I/O and queued requests run before the next chunk. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Runs `work` over `items` with at most `concurrency` in flight. */
async function runPool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let index = 0;
  const worker = async () => {
    while (index < items.length) await work(items[index++]);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
