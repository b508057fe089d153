import { Worker } from 'node:worker_threads';
import type { Db } from './open.js';
import type { Logger } from '../lib/logger.js';

/** What one checkpoint did: WAL frames in the log, how many are now in the database file, and whether a reader held some back. */
export interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

/** SQLite's default automatic checkpoint threshold (WAL pages), restored when the thread is gone. */
const DEFAULT_AUTOCHECKPOINT = 1000;

/**
 * Checkpoints the WAL from a worker thread with its own connection, so copying committed frames back
 * into the database file, and that file's fsync, never hold the server's event loop. SQLite's
 * automatic checkpoint runs inside whichever commit crosses 1,000 WAL pages, on the main thread:
 * under a write-heavy load (a keeper sweep, a sign-in flood) that stalled every request for
 * 100–300 ms (bench scenario 7's event-loop delay). While the thread runs, the main connection's
 * automatic checkpoint is off; if the thread fails, it is turned back on.
 */
export class WalCheckpointer {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (result: CheckpointResult) => void; reject: (error: Error) => void }>();

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly intervalMs = 1000,
  ) {}

  /** Starts the thread (an in-memory database has no WAL: nothing to do). */
  start(): void {
    if (this.worker || this.db.memory) return;
    const worker = new Worker(new URL('./checkpoint-worker.mjs', import.meta.url), {
      workerData: { path: this.db.name, intervalMs: this.intervalMs },
    });
    worker.unref();
    worker.on('message', (message: { type: string; id?: number; result?: CheckpointResult; error?: string; message?: string }) => {
      if (message.type === 'error') this.log.error({ err: { message: message.message } }, 'WAL checkpoint failed');
      if (message.type !== 'done' || message.id === undefined) return;
      const waiter = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      if (message.error !== undefined) waiter?.reject(new Error(message.error));
      else waiter?.resolve(message.result!);
    });
    worker.on('error', (error) => this.log.error({ err: error }, 'WAL checkpoint thread failed'));
    worker.on('exit', () => {
      if (this.worker !== worker) return;
      // Gone without stop(): let SQLite checkpoint inside commits again rather than grow the WAL.
      this.worker = null;
      this.db.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT}`);
      for (const waiter of this.waiting.values()) waiter.reject(new Error('the WAL checkpoint thread stopped'));
      this.waiting.clear();
    });
    this.db.pragma('wal_autocheckpoint = 0');
    this.worker = worker;
  }

  /** Runs a checkpoint on the thread now (tests, and anyone who wants the WAL small at once). */
  checkpointNow(): Promise<CheckpointResult> {
    const worker = this.worker;
    if (!worker) return Promise.reject(new Error('the WAL checkpoint thread is not running'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ type: 'now', id });
    });
  }

  /** Stops the thread and gives checkpoints back to the main connection (its close checkpoints the rest). */
  async stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = null;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'stop' });
    await exited;
    this.db.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT}`);
  }
}
