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
}

/**
 * The keeper loop: every tick it expires idle sessions, refreshes due keep-alive sessions, fails
 * logins a stopped server left OPENING and deletes sessions dead for a day. All state is in the
 * database, so a restart simply carries on. Work goes in bounded chunks with a yield to the event
 * loop between chunks and a cap on concurrent upstream calls, so a sweep over thousands of sessions
 * never holds up request handling. `sweep()` runs one pass now (tests call it with a ManualClock).
 */
export class PortalKeeper {
  private readonly chunkSize: number;
  private readonly concurrency: number;
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<SweepResult> | null = null;
  private stopping = false;
  /** The last finished sweep, for logs and metrics. */
  lastSweep: { finishedAt: number; durationMs: number; result: SweepResult } | null = null;

  constructor(private readonly options: KeeperOptions) {
    this.chunkSize = options.chunkSize ?? 200;
    this.concurrency = options.concurrency ?? 8;
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

    // 3. Keep-alive refreshes, walking due sessions by last refresh.
    for (let cursor: RefreshCursor | null = null; ; ) {
      const page: { due: { id: string }[]; cursor: RefreshCursor | null } = await service.dueForRefresh(cursor, limit);
      if (page.cursor === null) break;
      await runPool(page.due, this.concurrency, async (session) => {
        try {
          this.tally(result, await service.refresh(session.id));
        } catch (error) {
          result.unavailable++;
          this.options.log?.error({ err: error, portalSessionId: session.id }, 'portal session refresh failed');
        }
      });
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
