import type { Db } from '../db/open.js';
import { rowVersionsOf, type RowVersions } from '../db/row-versions.js';

/** One relayed event as stored. */
export interface OutboxRow {
  id: number;
  origin: string;
  topic: string;
  key: string | null;
  payload: string;
  at: number;
}

/** All SQL about the cross-process event outbox. */
export interface OutboxStore {
  append(row: Omit<OutboxRow, 'id'>): void;
  /**
   * Many rows in one transaction, in order. Called inside another store's transaction on the same
   * connection, the rows commit (or roll back) with it.
   */
  appendMany(rows: Omit<OutboxRow, 'id'>[]): void;
  /** Rows after `afterId` written by other processes, oldest first. */
  readAfter(afterId: number, exceptOrigin: string, limit: number): OutboxRow[];
  lastId(): number;
  pruneBefore(at: number): number;
}

/**
 * SQLite implementation of {@link OutboxStore}. Synchronous on purpose: publishing must not reorder
 * events, and each call is one indexed statement.
 */
export class SqliteOutboxStore implements OutboxStore {
  private readonly stmts;
  private readonly appendAll;
  private readonly versions: RowVersions;

  constructor(db: Db) {
    this.versions = rowVersionsOf(db);
    this.stmts = {
      append: db.prepare('INSERT INTO event_outbox (origin, topic, key, payload, at) VALUES (@origin, @topic, @key, @payload, @at)'),
      readAfter: db.prepare('SELECT * FROM event_outbox WHERE id > ? AND origin <> ? ORDER BY id LIMIT ?'),
      lastId: db.prepare('SELECT coalesce(max(id), 0) FROM event_outbox').pluck(),
      prune: db.prepare('DELETE FROM event_outbox WHERE at < ?'),
    };
    // Nested inside an open transaction this is a savepoint: a failure undoes only these rows.
    this.appendAll = db.transaction((rows: Omit<OutboxRow, 'id'>[]) => {
      for (const row of rows) this.stmts.append.run(row);
    });
  }

  append(row: Omit<OutboxRow, 'id'>): void {
    this.stmts.append.run(row);
  }

  appendMany(rows: Omit<OutboxRow, 'id'>[]): void {
    if (rows.length > 0) this.appendAll(rows);
  }

  readAfter(afterId: number, exceptOrigin: string, limit: number): OutboxRow[] {
    const rows = this.stmts.readAfter.all(afterId, exceptOrigin, limit) as OutboxRow[];
    // Their events are about to be replayed here: deliveries must see those processes' commits.
    if (rows.length > 0) this.versions.foreignRowsRead();
    return rows;
  }

  lastId(): number {
    return this.stmts.lastId.get() as number;
  }

  pruneBefore(at: number): number {
    return this.stmts.prune.run(at).changes;
  }
}
