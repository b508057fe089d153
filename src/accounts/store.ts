import type { Db } from '../db/open.js';
import { rowVersionsOf, type RowVersions } from '../db/row-versions.js';
import type { Role } from '../config.js';

/** Account states. */
export const USER_STATUSES = ['PENDING', 'ACTIVE', 'REJECTED', 'SUSPENDED'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

/** A user as the rest of the app sees it. Times are unix seconds. */
export interface User {
  id: string;
  email: string;
  name: string;
  passwordHash: string;
  role: Role;
  status: UserStatus;
  statusReason: string | null;
  createdAt: number;
  updatedAt: number;
}

/** Filter for listing users. */
export interface UserFilter {
  status?: UserStatus | null;
  role?: Role | null;
  search?: string | null;
}

/** Keyset page request: rows strictly after `after` in (createdAt, id) order. */
export interface PageRequest {
  first: number;
  after?: { createdAt: number; id: string } | null;
}

/** All SQL about users. */
export interface UserStore {
  insert(user: User): Promise<void>;
  findById(id: string): Promise<User | null>;
  findByIds(ids: readonly string[]): Promise<User[]>;
  findByEmail(email: string): Promise<User | null>;
  count(): Promise<number>;
  list(filter: UserFilter, page: PageRequest): Promise<User[]>;
  updateStatus(id: string, status: UserStatus, reason: string | null, at: number): Promise<User | null>;
  /** {@link updateStatus}, synchronously: for a unit of work's transaction (see Transactor). */
  updateStatusSync(id: string, status: UserStatus, reason: string | null, at: number): User | null;
  updateRole(id: string, role: Role, at: number): Promise<User | null>;
  updatePasswordHash(id: string, passwordHash: string, at: number): Promise<void>;
  countByStatus(): Promise<Record<UserStatus, number>>;
  countByRole(): Promise<{ role: Role; count: number }[]>;
}

interface UserRow {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  role: string;
  status: string;
  status_reason: string | null;
  created_at: number;
  updated_at: number;
}

/** Maps a `users` row (possibly with a `u_` prefix from a join) to a User. */
export function userFromRow(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    passwordHash: row.password_hash,
    role: row.role as Role,
    status: row.status as UserStatus,
    statusReason: row.status_reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** SQLite implementation of {@link UserStore}. */
export class SqliteUserStore implements UserStore {
  private readonly stmts;
  /** Every write reports the user id it touched (see RowVersions). */
  private readonly versions: RowVersions;

  constructor(private readonly db: Db) {
    this.versions = rowVersionsOf(db);
    this.stmts = {
      insert: db.prepare(
        `INSERT INTO users (id, email, name, password_hash, role, status, status_reason, created_at, updated_at)
         VALUES (@id, @email, @name, @passwordHash, @role, @status, @statusReason, @createdAt, @updatedAt)`,
      ),
      byId: db.prepare('SELECT * FROM users WHERE id = ?'),
      byEmail: db.prepare('SELECT * FROM users WHERE email = ?'),
      count: db.prepare('SELECT count(*) AS n FROM users').pluck(),
      updateStatus: db.prepare(
        'UPDATE users SET status = ?, status_reason = ?, updated_at = ? WHERE id = ? RETURNING *',
      ),
      updateRole: db.prepare('UPDATE users SET role = ?, updated_at = ? WHERE id = ? RETURNING *'),
      updatePassword: db.prepare('UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?'),
      countByStatus: db.prepare('SELECT status, count(*) AS n FROM users GROUP BY status'),
      countByRole: db.prepare('SELECT role, count(*) AS count FROM users GROUP BY role ORDER BY role'),
    };
  }

  async insert(user: User): Promise<void> {
    this.stmts.insert.run(user);
    this.versions.changed(user.id);
  }

  async findById(id: string): Promise<User | null> {
    const row = this.stmts.byId.get(id) as UserRow | undefined;
    return row ? userFromRow(row) : null;
  }

  async findByIds(ids: readonly string[]): Promise<User[]> {
    if (ids.length === 0) return [];
    const placeholders = ids.map(() => '?').join(',');
    const rows = this.db.prepare(`SELECT * FROM users WHERE id IN (${placeholders})`).all(...ids) as UserRow[];
    return rows.map(userFromRow);
  }

  async findByEmail(email: string): Promise<User | null> {
    const row = this.stmts.byEmail.get(email.trim()) as UserRow | undefined;
    return row ? userFromRow(row) : null;
  }

  async count(): Promise<number> {
    return this.stmts.count.get() as number;
  }

  async list(filter: UserFilter, page: PageRequest): Promise<User[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.status) {
      where.push('status = ?');
      params.push(filter.status);
    }
    if (filter.role) {
      where.push('role = ?');
      params.push(filter.role);
    }
    if (filter.search) {
      where.push("(email LIKE ? ESCAPE '\\' OR name LIKE ? ESCAPE '\\')");
      const pattern = `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      params.push(pattern, pattern);
    }
    if (page.after) {
      where.push('(created_at > ? OR (created_at = ? AND id > ?))');
      params.push(page.after.createdAt, page.after.createdAt, page.after.id);
    }
    const sql = `SELECT * FROM users ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY created_at, id LIMIT ?`;
    return (this.db.prepare(sql).all(...params, page.first) as UserRow[]).map(userFromRow);
  }

  async updateStatus(id: string, status: UserStatus, reason: string | null, at: number): Promise<User | null> {
    return this.updateStatusSync(id, status, reason, at);
  }

  updateStatusSync(id: string, status: UserStatus, reason: string | null, at: number): User | null {
    const row = this.stmts.updateStatus.get(status, reason, at, id) as UserRow | undefined;
    this.versions.changed(id);
    return row ? userFromRow(row) : null;
  }

  async updateRole(id: string, role: Role, at: number): Promise<User | null> {
    const row = this.stmts.updateRole.get(role, at, id) as UserRow | undefined;
    this.versions.changed(id);
    return row ? userFromRow(row) : null;
  }

  async updatePasswordHash(id: string, passwordHash: string, at: number): Promise<void> {
    this.stmts.updatePassword.run(passwordHash, at, id);
    this.versions.changed(id);
  }

  async countByStatus(): Promise<Record<UserStatus, number>> {
    const counts: Record<UserStatus, number> = { PENDING: 0, ACTIVE: 0, REJECTED: 0, SUSPENDED: 0 };
    for (const row of this.stmts.countByStatus.all() as { status: UserStatus; n: number }[]) counts[row.status] = row.n;
    return counts;
  }

  async countByRole(): Promise<{ role: Role; count: number }[]> {
    return this.stmts.countByRole.all() as { role: Role; count: number }[];
  }
}
