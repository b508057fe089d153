import type { Db } from '../db/open.js';
import { rowVersionsOf, type RowVersions } from '../db/row-versions.js';
import type { User } from '../accounts/store.js';
import type { DeviceType } from './device.js';

/** Why a session ended. */
export const REVOKED_REASONS = [
  'SIGNED_OUT',
  'REVOKED_BY_USER',
  'REVOKED_BY_ADMIN',
  'DEVICE_LIMIT',
  'PASSWORD_CHANGED',
  'ACCOUNT_SUSPENDED',
  'ACCOUNT_REJECTED',
  'EXPIRED',
] as const;
export type RevokedReason = (typeof REVOKED_REASONS)[number];

export const SESSION_KINDS = ['STANDARD', 'DEBUG'] as const;
export type SessionKind = (typeof SESSION_KINDS)[number];

/** A signed-in device. Times are unix seconds. The token is never here, only its hash. */
export interface Session {
  id: string;
  userId: string;
  tokenHash: string;
  /** `gh_` + 6 characters: enough to recognise a token, far too little to use it. */
  tokenPrefix: string;
  kind: SessionKind;
  deviceName: string;
  deviceType: DeviceType;
  browser: string | null;
  os: string | null;
  ipAddress: string | null;
  userAgent: string | null;
  createdAt: number;
  lastActivityAt: number;
  expiresAt: number;
  idleExpiresAt: number;
  revokedAt: number | null;
  revokedReason: RevokedReason | null;
}

/** A session row joined with its user, as read on every authenticated request. */
export interface SessionWithUser {
  session: Session;
  user: User;
  /** True when the token matched the previous (rotated) token rather than the current one. */
  viaPreviousToken: boolean;
  previousTokenExpiresAt: number | null;
}

/** Input for creating a session under the per-user device cap, in one transaction. */
export interface CreateWithinCapInput {
  session: Session;
  cap: number;
  policy: 'reject' | 'evict-oldest';
  /** A session of the same user to sign out first (the user's choice on the device-limit screen). */
  replaceSessionId?: string | null;
  now: number;
}

export type CreateWithinCapResult =
  | { kind: 'created'; session: Session; revoked: Session[] }
  | { kind: 'limit'; activeSessions: Session[] }
  | { kind: 'replace-not-found' };

/** Per-device-type counts of live sessions. */
export interface SessionStats {
  active: number;
  createdSince: number;
  revokedSince: number;
  byDeviceType: { deviceType: DeviceType; count: number }[];
}

/** All SQL about sessions. */
export interface SessionStore {
  findWithUserByTokenHash(tokenHash: string): Promise<SessionWithUser | null>;
  findById(id: string): Promise<Session | null>;
  /**
   * Sessions by id, each with its user (null if the user row is gone), in one query whatever the
   * number of ids; ids not found are left out. For re-authorizing one event's many deliveries.
   */
  findWithUsersByIds(ids: readonly string[]): Promise<{ session: Session; user: User | null }[]>;
  createWithinCap(input: CreateWithinCapInput): Promise<CreateWithinCapResult>;
  /** {@link createWithinCap}, synchronously: for a unit of work (`UnitOfWork.run`), which it joins. */
  createWithinCapSync(input: CreateWithinCapInput): CreateWithinCapResult;
  insert(session: Session): Promise<void>;
  listForUser(userId: string, includeInactive: boolean, now: number): Promise<Session[]>;
  touch(id: string, lastActivityAt: number, idleExpiresAt: number): Promise<void>;
  rotateToken(id: string, newTokenHash: string, newTokenPrefix: string, graceUntil: number): Promise<Session | null>;
  revoke(id: string, reason: RevokedReason, now: number): Promise<Session | null>;
  revokeAllForUser(userId: string, reason: RevokedReason, now: number, exceptSessionId?: string): Promise<Session[]>;
  /**
   * {@link revoke}, synchronously: for a unit of work, whose transaction (see Transactor) cannot span
   * an await. Returns null when the session was not live.
   */
  revokeSync(id: string, reason: RevokedReason, now: number): Session | null;
  /** {@link revokeAllForUser}, synchronously (see {@link revokeSync}). */
  revokeAllForUserSync(userId: string, reason: RevokedReason, now: number, exceptSessionId?: string): Session[];
  expireDue(now: number, limit: number): Promise<Session[]>;
  countActive(now: number): Promise<number>;
  /** Live, expired and revoked session counts. */
  countByState(now: number): Promise<{ active: number; expired: number; revoked: number }>;
  /** Most recently active sessions first, across users or for one user. */
  listRecent(options: { userId?: string | null; includeInactive: boolean; now: number; limit: number }): Promise<Session[]>;
  stats(now: number, since: number): Promise<SessionStats>;
}

interface SessionRow {
  id: string;
  user_id: string;
  token_hash: string;
  token_prefix: string;
  previous_token_hash: string | null;
  previous_token_expires_at: number | null;
  kind: string;
  device_name: string;
  device_type: string;
  browser: string | null;
  os: string | null;
  ip_address: string | null;
  user_agent: string | null;
  created_at: number;
  last_activity_at: number;
  expires_at: number;
  idle_expires_at: number;
  revoked_at: number | null;
  revoked_reason: string | null;
}

function sessionFromRow(row: SessionRow): Session {
  return {
    id: row.id,
    userId: row.user_id,
    tokenHash: row.token_hash,
    tokenPrefix: row.token_prefix,
    kind: row.kind as SessionKind,
    deviceName: row.device_name,
    deviceType: row.device_type as DeviceType,
    browser: row.browser,
    os: row.os,
    ipAddress: row.ip_address,
    userAgent: row.user_agent,
    createdAt: row.created_at,
    lastActivityAt: row.last_activity_at,
    expiresAt: row.expires_at,
    idleExpiresAt: row.idle_expires_at,
    revokedAt: row.revoked_at,
    revokedReason: row.revoked_reason as RevokedReason | null,
  };
}

/**
 * The columns of a sessions ⋈ users row, read as an array (better-sqlite3's `.raw()`): building a
 * 28-key row object per row cost more than running the query (about half of a delivery's batched
 * re-read of 5,000 sessions, and of a token lookup).
 */
const JOINED_COLUMNS = `s.id, s.user_id, s.token_hash, s.token_prefix, s.previous_token_hash, s.previous_token_expires_at, s.kind,
  s.device_name, s.device_type, s.browser, s.os, s.ip_address, s.user_agent, s.created_at, s.last_activity_at, s.expires_at,
  s.idle_expires_at, s.revoked_at, s.revoked_reason,
  u.id, u.email, u.name, u.password_hash, u.role, u.status, u.status_reason, u.created_at, u.updated_at`;

/** A {@link JOINED_COLUMNS} row. */
type JoinedRow = unknown[];
const PREVIOUS_TOKEN_EXPIRES_AT = 5;

function sessionFromJoined(v: JoinedRow): Session {
  return {
    id: v[0] as string,
    userId: v[1] as string,
    tokenHash: v[2] as string,
    tokenPrefix: v[3] as string,
    kind: v[6] as SessionKind,
    deviceName: v[7] as string,
    deviceType: v[8] as DeviceType,
    browser: v[9] as string | null,
    os: v[10] as string | null,
    ipAddress: v[11] as string | null,
    userAgent: v[12] as string | null,
    createdAt: v[13] as number,
    lastActivityAt: v[14] as number,
    expiresAt: v[15] as number,
    idleExpiresAt: v[16] as number,
    revokedAt: v[17] as number | null,
    revokedReason: v[18] as RevokedReason | null,
  };
}

/** The user of a {@link JOINED_COLUMNS} row; null when the (left) join found no user. */
function userFromJoined(v: JoinedRow): User | null {
  if (v[19] === null) return null;
  return {
    id: v[19] as string,
    email: v[20] as string,
    name: v[21] as string,
    passwordHash: v[22] as string,
    role: v[23] as User['role'],
    status: v[24] as User['status'],
    statusReason: v[25] as string | null,
    createdAt: v[26] as number,
    updatedAt: v[27] as number,
  };
}

const LIVE = 'revoked_at IS NULL AND expires_at > @now AND idle_expires_at > @now';

/** SQLite implementation of {@link SessionStore}. Multi-step units of work are IMMEDIATE transactions. */
export class SqliteSessionStore implements SessionStore {
  private readonly stmts;
  private readonly createTx;
  /** Every write reports the session ids it touched (see RowVersions). */
  private readonly versions: RowVersions;

  constructor(private readonly db: Db) {
    this.versions = rowVersionsOf(db);
    this.stmts = {
      withUser: db
        .prepare(
          `SELECT ${JOINED_COLUMNS}
             FROM sessions s JOIN users u ON u.id = s.user_id
            WHERE s.token_hash = @hash OR s.previous_token_hash = @hash`,
        )
        .raw(),
      byId: db.prepare('SELECT * FROM sessions WHERE id = ?'),
      // One statement for any number of ids (a JSON array bound as one parameter, so no variable limit).
      withUsersByIds: db
        .prepare(
          `SELECT ${JOINED_COLUMNS}
             FROM sessions s LEFT JOIN users u ON u.id = s.user_id
            WHERE s.id IN (SELECT value FROM json_each(?))`,
        )
        .raw(),
      insert: db.prepare(
        `INSERT INTO sessions (id, user_id, token_hash, token_prefix, kind, device_name, device_type, browser, os, ip_address,
           user_agent, created_at, last_activity_at, expires_at, idle_expires_at)
         VALUES (@id, @userId, @tokenHash, @tokenPrefix, @kind, @deviceName, @deviceType, @browser, @os, @ipAddress,
           @userAgent, @createdAt, @lastActivityAt, @expiresAt, @idleExpiresAt)`,
      ),
      liveForUser: db.prepare(`SELECT * FROM sessions WHERE user_id = @userId AND ${LIVE} ORDER BY last_activity_at DESC, id`),
      // Least recently active first: the order the device limit evicts in.
      liveStandardForUser: db.prepare(
        `SELECT * FROM sessions WHERE user_id = @userId AND kind = 'STANDARD' AND ${LIVE}
          ORDER BY last_activity_at ASC, created_at ASC, id LIMIT @limit`,
      ),
      countLiveStandardForUser: db
        .prepare(`SELECT count(*) FROM sessions WHERE user_id = @userId AND kind = 'STANDARD' AND ${LIVE}`)
        .pluck(),
      allForUser: db.prepare('SELECT * FROM sessions WHERE user_id = ? ORDER BY last_activity_at DESC, id'),
      touch: db.prepare('UPDATE sessions SET last_activity_at = ?, idle_expires_at = ? WHERE id = ? AND revoked_at IS NULL'),
      rotate: db.prepare(
        `UPDATE sessions SET previous_token_hash = token_hash, previous_token_expires_at = @graceUntil,
                token_hash = @newHash, token_prefix = @newPrefix
          WHERE id = @id AND revoked_at IS NULL RETURNING *`,
      ),
      revoke: db.prepare(
        `UPDATE sessions SET revoked_at = @now, revoked_reason = @reason, previous_token_hash = NULL
          WHERE id = @id AND revoked_at IS NULL RETURNING *`,
      ),
      revokeAll: db.prepare(
        `UPDATE sessions SET revoked_at = @now, revoked_reason = @reason, previous_token_hash = NULL
          WHERE user_id = @userId AND revoked_at IS NULL AND id IS NOT @except RETURNING *`,
      ),
      expireDue: db.prepare(
        `UPDATE sessions SET revoked_at = @now, revoked_reason = 'EXPIRED', previous_token_hash = NULL
          WHERE id IN (SELECT id FROM sessions WHERE revoked_at IS NULL AND idle_expires_at <= @now
                       UNION SELECT id FROM sessions WHERE revoked_at IS NULL AND expires_at <= @now
                       LIMIT @limit)
          RETURNING *`,
      ),
      countActive: db.prepare(`SELECT count(*) FROM sessions WHERE ${LIVE}`).pluck(),
      countByState: db.prepare(
        `SELECT coalesce(sum(${LIVE}), 0) AS active,
                coalesce(sum(revoked_reason = 'EXPIRED' OR (revoked_at IS NULL AND NOT (${LIVE}))), 0) AS expired,
                coalesce(sum(revoked_at IS NOT NULL AND revoked_reason <> 'EXPIRED'), 0) AS revoked
           FROM sessions`,
      ),
      createdSince: db.prepare('SELECT count(*) FROM sessions WHERE created_at >= ?').pluck(),
      revokedSince: db.prepare("SELECT count(*) FROM sessions WHERE revoked_at >= ? AND revoked_reason <> 'EXPIRED'").pluck(),
      byDeviceType: db.prepare(
        `SELECT device_type AS deviceType, count(*) AS count FROM sessions WHERE ${LIVE}
          GROUP BY device_type ORDER BY device_type`,
      ),
    };

    this.createTx = db.transaction((input: CreateWithinCapInput): CreateWithinCapResult => {
      const { session, now } = input;
      const revoked: Session[] = [];
      if (input.replaceSessionId) {
        const target = this.stmts.byId.get(input.replaceSessionId) as SessionRow | undefined;
        if (!target || target.user_id !== session.userId) return { kind: 'replace-not-found' };
        const row = this.stmts.revoke.get({ id: target.id, reason: 'DEVICE_LIMIT', now }) as SessionRow | undefined;
        this.versions.changed(target.id);
        if (row) revoked.push(sessionFromRow(row));
      }
      if (session.kind === 'STANDARD') {
        // Count first: a sign-in under the cap reads no session rows (a user may hold hundreds).
        const liveCount = this.stmts.countLiveStandardForUser.get({ userId: session.userId, now }) as number;
        if (liveCount >= input.cap) {
          const over = liveCount - input.cap + 1;
          // Reject lists them all (the device-limit screen); evict-oldest needs only the oldest `over`.
          const limit = input.policy === 'reject' ? -1 : over;
          const live = this.stmts.liveStandardForUser.all({ userId: session.userId, now, limit }) as SessionRow[];
          if (input.policy === 'reject') {
            // Undo the replacement too: nothing changes unless the whole sign-in succeeds.
            throw new LimitReached(live.map(sessionFromRow));
          }
          for (const oldest of live) {
            const row = this.stmts.revoke.get({ id: oldest.id, reason: 'DEVICE_LIMIT', now }) as SessionRow | undefined;
            this.versions.changed(oldest.id);
            if (row) revoked.push(sessionFromRow(row));
          }
        }
      }
      this.stmts.insert.run(session);
      this.versions.changed(session.id);
      return { kind: 'created', session, revoked };
    });
  }

  async findWithUserByTokenHash(tokenHash: string): Promise<SessionWithUser | null> {
    const row = this.stmts.withUser.get({ hash: tokenHash }) as JoinedRow | undefined;
    if (!row) return null;
    const session = sessionFromJoined(row);
    const viaPreviousToken = session.tokenHash !== tokenHash;
    return {
      session,
      user: userFromJoined(row)!,
      viaPreviousToken,
      previousTokenExpiresAt: viaPreviousToken ? (row[PREVIOUS_TOKEN_EXPIRES_AT] as number | null) : null,
    };
  }

  async findById(id: string): Promise<Session | null> {
    const row = this.stmts.byId.get(id) as SessionRow | undefined;
    return row ? sessionFromRow(row) : null;
  }

  async findWithUsersByIds(ids: readonly string[]): Promise<{ session: Session; user: User | null }[]> {
    if (ids.length === 0) return [];
    const rows = this.stmts.withUsersByIds.all(JSON.stringify(ids)) as JoinedRow[];
    return rows.map((row) => ({ session: sessionFromJoined(row), user: userFromJoined(row) }));
  }

  async createWithinCap(input: CreateWithinCapInput): Promise<CreateWithinCapResult> {
    return this.createWithinCapSync(input);
  }

  createWithinCapSync(input: CreateWithinCapInput): CreateWithinCapResult {
    try {
      return this.createTx.immediate(input);
    } catch (error) {
      if (error instanceof LimitReached) {
        // Most recently active first, as the device-limit screen lists them.
        return { kind: 'limit', activeSessions: [...error.live].reverse() };
      }
      throw error;
    }
  }

  async insert(session: Session): Promise<void> {
    this.stmts.insert.run(session);
    this.versions.changed(session.id);
  }

  async listForUser(userId: string, includeInactive: boolean, now: number): Promise<Session[]> {
    const rows = includeInactive ? this.stmts.allForUser.all(userId) : this.stmts.liveForUser.all({ userId, now });
    return (rows as SessionRow[]).map(sessionFromRow);
  }

  async touch(id: string, lastActivityAt: number, idleExpiresAt: number): Promise<void> {
    this.stmts.touch.run(lastActivityAt, idleExpiresAt, id);
    this.versions.changed(id);
  }

  async rotateToken(id: string, newTokenHash: string, newTokenPrefix: string, graceUntil: number): Promise<Session | null> {
    const row = this.stmts.rotate.get({ id, newHash: newTokenHash, newPrefix: newTokenPrefix, graceUntil }) as SessionRow | undefined;
    this.versions.changed(id);
    return row ? sessionFromRow(row) : null;
  }

  async revoke(id: string, reason: RevokedReason, now: number): Promise<Session | null> {
    return this.revokeSync(id, reason, now);
  }

  async revokeAllForUser(userId: string, reason: RevokedReason, now: number, exceptSessionId?: string): Promise<Session[]> {
    return this.revokeAllForUserSync(userId, reason, now, exceptSessionId);
  }

  revokeSync(id: string, reason: RevokedReason, now: number): Session | null {
    const row = this.stmts.revoke.get({ id, reason, now }) as SessionRow | undefined;
    this.versions.changed(id);
    return row ? sessionFromRow(row) : null;
  }

  revokeAllForUserSync(userId: string, reason: RevokedReason, now: number, exceptSessionId?: string): Session[] {
    const rows = this.stmts.revokeAll.all({ userId, reason, now, except: exceptSessionId ?? null }) as SessionRow[];
    for (const row of rows) this.versions.changed(row.id);
    return rows.map(sessionFromRow);
  }

  async expireDue(now: number, limit: number): Promise<Session[]> {
    const rows = this.stmts.expireDue.all({ now, limit }) as SessionRow[];
    for (const row of rows) this.versions.changed(row.id);
    return rows.map(sessionFromRow);
  }

  async countActive(now: number): Promise<number> {
    return this.stmts.countActive.get({ now }) as number;
  }

  async countByState(now: number): Promise<{ active: number; expired: number; revoked: number }> {
    return this.stmts.countByState.get({ now }) as { active: number; expired: number; revoked: number };
  }

  async listRecent(options: { userId?: string | null; includeInactive: boolean; now: number; limit: number }): Promise<Session[]> {
    const where: string[] = [];
    const params: Record<string, unknown> = { now: options.now, limit: options.limit };
    if (options.userId) {
      where.push('user_id = @userId');
      params.userId = options.userId;
    }
    if (!options.includeInactive) where.push(LIVE);
    const sql = `SELECT * FROM sessions ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY last_activity_at DESC, id LIMIT @limit`;
    return (this.db.prepare(sql).all(params) as SessionRow[]).map(sessionFromRow);
  }

  async stats(now: number, since: number): Promise<SessionStats> {
    return {
      active: this.stmts.countActive.get({ now }) as number,
      createdSince: this.stmts.createdSince.get(since) as number,
      revokedSince: this.stmts.revokedSince.get(since) as number,
      byDeviceType: this.stmts.byDeviceType.all({ now }) as SessionStats['byDeviceType'],
    };
  }
}

/** Rolls the create transaction back when the cap is hit under the `reject` policy. */
class LimitReached extends Error {
  constructor(public readonly live: Session[]) {
    super('device limit reached');
  }
}
