import type { Db } from './open.js';

/**
 * Runs synchronous store writes as one transaction: the store-level half of a unit of work (see
 * `src/relay/unit-of-work.ts`). Every store on the same connection writes into it, so their rows
 * commit (or roll back) together with one fsync.
 */
export interface Transactor {
  /**
   * Runs `work` in one transaction and returns its result; if it throws, every write it made is rolled
   * back and the error is rethrown. `work` must be synchronous (nothing may await inside a transaction).
   * Called inside an open transaction it joins it (a savepoint).
   */
  transaction<T>(work: () => T): T;
}

/** {@link Transactor} for a better-sqlite3 connection: `BEGIN IMMEDIATE`, so the write lock is taken up front. */
export class SqliteTransactor implements Transactor {
  private readonly run: { immediate(work: () => unknown): unknown };

  constructor(db: Db) {
    this.run = db.transaction((work: () => unknown) => work());
  }

  transaction<T>(work: () => T): T {
    return this.run.immediate(work) as T;
  }
}
