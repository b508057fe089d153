import type { Db } from '../db/open.js';

/** One line of the audit trail. `detail` is free-form JSON and never holds a secret. */
export interface AuditEvent {
  id: number;
  at: number;
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  ipAddress: string | null;
  detail: Record<string, unknown> | null;
}

export type NewAuditEvent = Omit<AuditEvent, 'id'>;

/** Filter for reading the audit trail. */
export interface AuditFilter {
  userId?: string | null;
  action?: string | null;
  since?: number | null;
}

/** All SQL about the audit trail. */
export interface AuditStore {
  append(event: NewAuditEvent): Promise<void>;
  /** {@link append}, synchronously: for a unit of work's transaction (see Transactor), which it commits with. */
  appendSync(event: NewAuditEvent): void;
  /** Newest first; `before` is the id of the last row already seen. */
  list(filter: AuditFilter, first: number, before?: number | null): Promise<AuditEvent[]>;
}

interface AuditRow {
  id: number;
  at: number;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  ip_address: string | null;
  detail: string | null;
}

/** SQLite implementation of {@link AuditStore}. */
export class SqliteAuditStore implements AuditStore {
  private readonly insert;

  constructor(private readonly db: Db) {
    this.insert = db.prepare(
      `INSERT INTO audit_events (at, actor_id, action, target_type, target_id, ip_address, detail)
       VALUES (@at, @actorId, @action, @targetType, @targetId, @ipAddress, @detail)`,
    );
  }

  async append(event: NewAuditEvent): Promise<void> {
    this.appendSync(event);
  }

  appendSync(event: NewAuditEvent): void {
    this.insert.run({ ...event, detail: event.detail ? JSON.stringify(event.detail) : null });
  }

  async list(filter: AuditFilter, first: number, before?: number | null): Promise<AuditEvent[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.userId) {
      // Session entries name their user in detail.userId (the target is the session).
      where.push("(actor_id = ? OR target_id = ? OR json_extract(detail, '$.userId') = ?)");
      params.push(filter.userId, filter.userId, filter.userId);
    }
    if (filter.action) {
      where.push('action = ?');
      params.push(filter.action);
    }
    if (filter.since != null) {
      where.push('at >= ?');
      params.push(filter.since);
    }
    if (before != null) {
      where.push('id < ?');
      params.push(before);
    }
    const sql = `SELECT * FROM audit_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...params, first) as AuditRow[]).map((row) => ({
      id: row.id,
      at: row.at,
      actorId: row.actor_id,
      action: row.action,
      targetType: row.target_type,
      targetId: row.target_id,
      ipAddress: row.ip_address,
      detail: row.detail ? (JSON.parse(row.detail) as Record<string, unknown>) : null,
    }));
  }
}
