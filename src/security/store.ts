import type { Db } from '../db/open.js';

/** Failed sign-ins counted under one key (`account:<email>` or `ip:<address>`). Times are unix seconds. */
export interface FailureCounter {
  key: string;
  failures: number;
  lastFailureAt: number;
  /** Sign-ins under this key are refused until then (null: not locked). */
  lockedUntil: number | null;
}

/** One fixed window of a rate limit. */
export interface RateWindow {
  key: string;
  startedAt: number;
  hits: number;
}

/** All SQL about brute-force counters and rate-limit windows. */
export interface SecurityStore {
  findFailures(keys: readonly string[]): Promise<FailureCounter[]>;
  /**
   * Reads each key's counter, lets `next` compute its new value, and writes it, all in one
   * transaction so concurrent failures are never lost. Returns the stored counters.
   */
  updateFailures(keys: readonly string[], next: (current: FailureCounter | null, key: string) => FailureCounter): Promise<FailureCounter[]>;
  clearFailures(key: string): Promise<void>;
  /**
   * Reads the window under `key`, lets `next` decide its new value (or null to leave it), and
   * writes it, in one transaction. Returns what `next` returned.
   */
  updateWindow(key: string, next: (current: RateWindow | null) => RateWindow | null): Promise<RateWindow | null>;
  /** Deletes failure counters quiet (no failure, no lock) since `failuresQuietSince` or earlier, and windows started at `windowsStartedBy` or earlier. */
  purge(failuresQuietSince: number, windowsStartedBy: number): Promise<number>;
}

interface FailureRow {
  key: string;
  failures: number;
  last_failure_at: number;
  locked_until: number | null;
}

const fromRow = (row: FailureRow): FailureCounter => ({
  key: row.key,
  failures: row.failures,
  lastFailureAt: row.last_failure_at,
  lockedUntil: row.locked_until,
});

/** SQLite implementation of {@link SecurityStore}. */
export class SqliteSecurityStore implements SecurityStore {
  private readonly stmts;

  constructor(private readonly db: Db) {
    this.stmts = {
      failure: db.prepare('SELECT * FROM signin_failures WHERE key = ?'),
      upsertFailure: db.prepare(
        `INSERT INTO signin_failures (key, failures, last_failure_at, locked_until) VALUES (@key, @failures, @lastFailureAt, @lockedUntil)
         ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, last_failure_at = excluded.last_failure_at, locked_until = excluded.locked_until`,
      ),
      clearFailure: db.prepare('DELETE FROM signin_failures WHERE key = ?'),
      window: db.prepare('SELECT key, started_at AS startedAt, hits FROM rate_limit_windows WHERE key = ?'),
      upsertWindow: db.prepare(
        `INSERT INTO rate_limit_windows (key, started_at, hits) VALUES (@key, @startedAt, @hits)
         ON CONFLICT (key) DO UPDATE SET started_at = excluded.started_at, hits = excluded.hits`,
      ),
      purgeFailures: db.prepare('DELETE FROM signin_failures WHERE max(last_failure_at, coalesce(locked_until, 0)) <= ?'),
      purgeWindows: db.prepare('DELETE FROM rate_limit_windows WHERE started_at <= ?'),
    };
  }

  async findFailures(keys: readonly string[]): Promise<FailureCounter[]> {
    return keys.map((key) => this.stmts.failure.get(key) as FailureRow | undefined).filter((row) => row !== undefined).map(fromRow);
  }

  async updateFailures(keys: readonly string[], next: (current: FailureCounter | null, key: string) => FailureCounter): Promise<FailureCounter[]> {
    return this.db
      .transaction(() =>
        keys.map((key) => {
          const row = this.stmts.failure.get(key) as FailureRow | undefined;
          const updated = next(row ? fromRow(row) : null, key);
          this.stmts.upsertFailure.run(updated);
          return updated;
        }),
      )
      .immediate();
  }

  async clearFailures(key: string): Promise<void> {
    this.stmts.clearFailure.run(key);
  }

  async updateWindow(key: string, next: (current: RateWindow | null) => RateWindow | null): Promise<RateWindow | null> {
    return this.db
      .transaction(() => {
        const current = (this.stmts.window.get(key) as RateWindow | undefined) ?? null;
        const updated = next(current);
        if (updated) this.stmts.upsertWindow.run(updated);
        return updated;
      })
      .immediate();
  }

  async purge(failuresQuietSince: number, windowsStartedBy: number): Promise<number> {
    return this.db
      .transaction(() => this.stmts.purgeFailures.run(failuresQuietSince).changes + this.stmts.purgeWindows.run(windowsStartedBy).changes)
      .immediate();
  }
}
