import type { Db } from '../db/open.js';

export const PORTAL_CONNECTORS = ['HTTP_FORM'] as const;
export type PortalConnectorName = (typeof PORTAL_CONNECTORS)[number];

export const PORTAL_SESSION_STATES = ['OPENING', 'ACTIVE', 'REFRESHING', 'EXPIRED', 'FAILED', 'CLOSED'] as const;
export type PortalSessionState = (typeof PORTAL_SESSION_STATES)[number];

/** States in which a session holds (or is getting) an upstream login. */
export const LIVE_STATES: readonly PortalSessionState[] = ['OPENING', 'ACTIVE', 'REFRESHING'];

/** Static form fields sent with every login. */
export type ExtraFields = Record<string, string | number | boolean>;

/** An upstream site definition. Times are unix seconds. */
export interface Portal {
  id: string;
  name: string;
  connector: PortalConnectorName;
  loginUrl: string;
  usernameField: string;
  passwordField: string;
  extraFields: ExtraFields;
  keepAliveUrl: string;
  loggedOutPattern: string | null;
  refreshIntervalSeconds: number;
  idleTimeoutSeconds: number;
  createdAt: number;
  updatedAt: number;
}

/** The editable part of a portal. */
export type PortalFields = Omit<Portal, 'id' | 'createdAt' | 'updatedAt'>;

/**
 * A pooled upstream login, as shown to users and carried in events: never the password, the
 * cookies or the credential key.
 */
export interface PortalSession {
  id: string;
  ownerId: string;
  portalId: string;
  username: string;
  keepAlive: boolean;
  state: PortalSessionState;
  createdAt: number;
  lastUsedAt: number;
  lastRefreshAt: number;
  /** Idle deadline; null for keep-alive sessions. */
  expiresAt: number | null;
  /** When it became EXPIRED, FAILED or CLOSED. */
  endedAt: number | null;
  failureReason: string | null;
}

/** What only the service reads: the encrypted password and cookies (null once the session is dead). */
export interface PortalSessionSecrets {
  encryptedPassword: Buffer | null;
  encryptedCookies: Buffer | null;
}

/** A full row, for inserting. */
export type NewPortalSession = PortalSession & PortalSessionSecrets & { credentialKey: string };

/** Keyset position of the refresh walk. */
export interface RefreshCursor {
  lastRefreshAt: number;
  id: string;
}

/**
 * What a keep-alive refresh needs of a session, in one read: the row and its sealed cookies (the
 * sealed password is read only for a re-login, with {@link PortalStore.findSecrets}).
 */
export interface RefreshState {
  session: PortalSession;
  encryptedCookies: Buffer | null;
}

/**
 * One keep-alive result to write: new cookies (keep-alive or re-login; `encryptedCookies` null keeps
 * the stored ones, when the portal did not change them), or a refused re-login.
 */
export type RefreshWrite =
  | { id: string; kind: 'REFRESHED'; encryptedCookies: Buffer | null; at: number }
  | { id: string; kind: 'FAILED'; reason: string; at: number };

/** All SQL about portals and portal sessions. */
export interface PortalStore {
  insertPortal(portal: Portal): Promise<void>;
  findPortal(id: string): Promise<Portal | null>;
  findPortals(ids: readonly string[]): Promise<Portal[]>;
  listPortals(): Promise<Portal[]>;
  updatePortal(id: string, fields: PortalFields, at: number): Promise<Portal | null>;
  deletePortal(id: string): Promise<boolean>;

  insertSession(session: NewPortalSession): Promise<void>;
  /** Many rows in one transaction (imports, tests). */
  insertSessions(sessions: NewPortalSession[]): Promise<void>;
  findSession(id: string): Promise<PortalSession | null>;
  findSecrets(id: string): Promise<PortalSessionSecrets | null>;
  /** The session and its sealed cookies in one read (a keep-alive refresh). */
  findRefreshState(id: string): Promise<RefreshState | null>;
  /** The live (OPENING, ACTIVE or REFRESHING) session holding this credential key. */
  findLiveByKey(credentialKey: string): Promise<PortalSession | null>;
  /** Newest first. */
  listForOwner(ownerId: string, limit: number): Promise<PortalSession[]>;
  listAll(limit: number): Promise<PortalSession[]>;
  listLiveForPortal(portalId: string): Promise<PortalSession[]>;
  /** Removes an OPENING row whose login failed. */
  deleteSession(id: string): Promise<void>;
  /** OPENING → ACTIVE with the first cookies. */
  activate(id: string, encryptedCookies: Buffer, now: number): Promise<PortalSession | null>;
  /** Marks use; a non-keep-alive session's idle deadline moves to `expiresAt`. Live sessions only. */
  touch(id: string, now: number, expiresAt: number | null): Promise<PortalSession | null>;
  /** Turns a live session into a keep-alive one (no idle deadline). */
  promoteToKeepAlive(id: string): Promise<PortalSession | null>;
  /** ACTIVE → REFRESHING while it logs in again. */
  markRefreshing(id: string): Promise<PortalSession | null>;
  /** ACTIVE/REFRESHING → ACTIVE after a keep-alive or re-login; clears the failure reason. Null cookies keep the stored ones. */
  markRefreshed(id: string, encryptedCookies: Buffer | null, now: number): Promise<PortalSession | null>;
  /**
   * A chunk of keep-alive results in one transaction: REFRESHED as {@link markRefreshed}, FAILED as
   * {@link end}. Answers the changed row per write, null where the session was no longer live.
   * `inTransaction` runs before the commit with those rows (the caller's outbox rows go in the same
   * commit); if it throws, nothing is written.
   */
  applyRefreshResults(writes: readonly RefreshWrite[], inTransaction?: (rows: (PortalSession | null)[]) => void): Promise<(PortalSession | null)[]>;
  /** Live → EXPIRED/FAILED/CLOSED, wiping the password and cookies. Null when it was not live. */
  end(id: string, state: 'EXPIRED' | 'FAILED' | 'CLOSED', reason: string | null, now: number): Promise<PortalSession | null>;
  /**
   * Expires up to `limit` non-keep-alive sessions whose idle deadline passed. `inTransaction` runs
   * with the expired rows before the commit (the caller's outbox rows go in the same commit).
   */
  expireIdle(now: number, limit: number, inTransaction?: (rows: PortalSession[]) => void): Promise<PortalSession[]>;
  /** Keep-alive sessions due for a refresh (last refresh older than the portal's interval), after `cursor`. */
  dueForRefresh(now: number, cursor: RefreshCursor | null, limit: number): Promise<PortalSession[]>;
  /** OPENING rows after `afterId` (leftovers of a login a stopped server never finished). */
  listOpening(afterId: string, limit: number): Promise<PortalSession[]>;
  /**
   * How many keep-alive sessions are due now (counted up to `cap`), and the shortest refresh interval
   * of any portal (null: none).
   */
  refreshBacklog(now: number, cap: number): Promise<{ due: number; minIntervalSeconds: number | null }>;
  /** Deletes up to `limit` sessions that ended at or before `before`; returns how many. */
  deleteEnded(before: number, limit: number): Promise<number>;
  /** Live sessions (non-keep-alive ones only before their idle deadline). */
  counts(now: number): Promise<{ active: number; keepAlive: number }>;
}

interface PortalRow {
  id: string;
  name: string;
  connector: string;
  login_url: string;
  username_field: string;
  password_field: string;
  extra_fields: string;
  keep_alive_url: string;
  logged_out_pattern: string | null;
  refresh_interval_seconds: number;
  idle_timeout_seconds: number;
  created_at: number;
  updated_at: number;
}

interface SessionRow {
  id: string;
  owner_id: string;
  portal_id: string;
  username: string;
  credential_key: string;
  keep_alive: number;
  state: string;
  encrypted_password: Buffer | null;
  encrypted_cookies: Buffer | null;
  created_at: number;
  last_used_at: number;
  last_refresh_at: number;
  expires_at: number | null;
  ended_at: number | null;
  failure_reason: string | null;
}

function portalFromRow(row: PortalRow): Portal {
  return {
    id: row.id,
    name: row.name,
    connector: row.connector as PortalConnectorName,
    loginUrl: row.login_url,
    usernameField: row.username_field,
    passwordField: row.password_field,
    extraFields: JSON.parse(row.extra_fields) as ExtraFields,
    keepAliveUrl: row.keep_alive_url,
    loggedOutPattern: row.logged_out_pattern,
    refreshIntervalSeconds: row.refresh_interval_seconds,
    idleTimeoutSeconds: row.idle_timeout_seconds,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function sessionFromRow(row: SessionRow): PortalSession {
  return {
    id: row.id,
    ownerId: row.owner_id,
    portalId: row.portal_id,
    username: row.username,
    keepAlive: row.keep_alive === 1,
    state: row.state as PortalSessionState,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    lastRefreshAt: row.last_refresh_at,
    expiresAt: row.expires_at,
    endedAt: row.ended_at,
    failureReason: row.failure_reason,
  };
}

function portalParams(fields: PortalFields) {
  return {
    name: fields.name,
    connector: fields.connector,
    loginUrl: fields.loginUrl,
    usernameField: fields.usernameField,
    passwordField: fields.passwordField,
    extraFields: JSON.stringify(fields.extraFields),
    keepAliveUrl: fields.keepAliveUrl,
    loggedOutPattern: fields.loggedOutPattern,
    refreshIntervalSeconds: fields.refreshIntervalSeconds,
    idleTimeoutSeconds: fields.idleTimeoutSeconds,
  };
}

function sessionParams(s: NewPortalSession) {
  return {
    id: s.id,
    ownerId: s.ownerId,
    portalId: s.portalId,
    username: s.username,
    credentialKey: s.credentialKey,
    keepAlive: s.keepAlive ? 1 : 0,
    state: s.state,
    encryptedPassword: s.encryptedPassword,
    encryptedCookies: s.encryptedCookies,
    createdAt: s.createdAt,
    lastUsedAt: s.lastUsedAt,
    lastRefreshAt: s.lastRefreshAt,
    expiresAt: s.expiresAt,
    endedAt: s.endedAt,
    failureReason: s.failureReason,
  };
}

const LIVE = "state IN ('OPENING', 'ACTIVE', 'REFRESHING')";

/** Every session column but the secrets (what {@link sessionFromRow} reads), for the keeper's hot statements. */
const SESSION_COLUMNS =
  'id, owner_id, portal_id, username, keep_alive, state, created_at, last_used_at, last_refresh_at, expires_at, ended_at, failure_reason';

/** SQLite implementation of {@link PortalStore}. */
export class SqlitePortalStore implements PortalStore {
  private readonly stmts;
  private readonly insertMany;
  private readonly applyResults;
  private readonly expireAll;

  constructor(private readonly db: Db) {
    this.stmts = {
      insertPortal: db.prepare(
        `INSERT INTO portals (id, name, connector, login_url, username_field, password_field, extra_fields, keep_alive_url,
                              logged_out_pattern, refresh_interval_seconds, idle_timeout_seconds, created_at, updated_at)
         VALUES (@id, @name, @connector, @loginUrl, @usernameField, @passwordField, @extraFields, @keepAliveUrl,
                 @loggedOutPattern, @refreshIntervalSeconds, @idleTimeoutSeconds, @createdAt, @updatedAt)`,
      ),
      portalById: db.prepare('SELECT * FROM portals WHERE id = ?'),
      listPortals: db.prepare('SELECT * FROM portals ORDER BY name COLLATE NOCASE, id'),
      updatePortal: db.prepare(
        `UPDATE portals SET name = @name, connector = @connector, login_url = @loginUrl, username_field = @usernameField,
                password_field = @passwordField, extra_fields = @extraFields, keep_alive_url = @keepAliveUrl,
                logged_out_pattern = @loggedOutPattern, refresh_interval_seconds = @refreshIntervalSeconds,
                idle_timeout_seconds = @idleTimeoutSeconds, updated_at = @at
          WHERE id = @id RETURNING *`,
      ),
      deletePortal: db.prepare('DELETE FROM portals WHERE id = ?'),
      insertSession: db.prepare(
        `INSERT INTO portal_sessions (id, owner_id, portal_id, username, credential_key, keep_alive, state, encrypted_password,
                                      encrypted_cookies, created_at, last_used_at, last_refresh_at, expires_at, ended_at, failure_reason)
         VALUES (@id, @ownerId, @portalId, @username, @credentialKey, @keepAlive, @state, @encryptedPassword,
                 @encryptedCookies, @createdAt, @lastUsedAt, @lastRefreshAt, @expiresAt, @endedAt, @failureReason)`,
      ),
      sessionById: db.prepare('SELECT * FROM portal_sessions WHERE id = ?'),
      secrets: db.prepare('SELECT encrypted_password, encrypted_cookies FROM portal_sessions WHERE id = ?'),
      refreshState: db.prepare(`SELECT ${SESSION_COLUMNS}, encrypted_cookies FROM portal_sessions WHERE id = ?`),
      liveByKey: db.prepare(`SELECT * FROM portal_sessions WHERE credential_key = ? AND ${LIVE}`),
      forOwner: db.prepare('SELECT * FROM portal_sessions WHERE owner_id = ? ORDER BY created_at DESC, id DESC LIMIT ?'),
      all: db.prepare('SELECT * FROM portal_sessions ORDER BY created_at DESC, id DESC LIMIT ?'),
      liveForPortal: db.prepare(`SELECT * FROM portal_sessions WHERE portal_id = ? AND ${LIVE}`),
      deleteSession: db.prepare('DELETE FROM portal_sessions WHERE id = ?'),
      activate: db.prepare(
        `UPDATE portal_sessions SET state = 'ACTIVE', encrypted_cookies = ?, last_refresh_at = ?
          WHERE id = ? AND state = 'OPENING' RETURNING *`,
      ),
      touch: db.prepare(
        `UPDATE portal_sessions SET last_used_at = @now, expires_at = CASE WHEN keep_alive = 1 THEN NULL ELSE @expiresAt END
          WHERE id = @id AND state IN ('ACTIVE', 'REFRESHING') RETURNING *`,
      ),
      promote: db.prepare(`UPDATE portal_sessions SET keep_alive = 1, expires_at = NULL WHERE id = ? AND ${LIVE} RETURNING *`),
      // The usual keep-alive of an ACTIVE session: `state` is not assigned, so SQLite leaves the
      // partial indexes on it alone (about 2.5× cheaper per row than markRefreshed).
      markKeptAlive: db.prepare(
        `UPDATE portal_sessions SET encrypted_cookies = coalesce(?, encrypted_cookies), last_refresh_at = ?, failure_reason = NULL
          WHERE id = ? AND state = 'ACTIVE' RETURNING ${SESSION_COLUMNS}`,
      ),
      markRefreshing: db.prepare(
        `UPDATE portal_sessions SET state = 'REFRESHING' WHERE id = ? AND state IN ('ACTIVE', 'REFRESHING') RETURNING ${SESSION_COLUMNS}`,
      ),
      // encrypted_cookies NULL keeps the stored ones (a keep-alive that changed no cookie).
      markRefreshed: db.prepare(
        `UPDATE portal_sessions SET state = 'ACTIVE', encrypted_cookies = coalesce(?, encrypted_cookies), last_refresh_at = ?, failure_reason = NULL
          WHERE id = ? AND state IN ('ACTIVE', 'REFRESHING') RETURNING ${SESSION_COLUMNS}`,
      ),
      end: db.prepare(
        `UPDATE portal_sessions SET state = @state, failure_reason = @reason, ended_at = @now,
                encrypted_password = NULL, encrypted_cookies = NULL
          WHERE id = @id AND ${LIVE} RETURNING ${SESSION_COLUMNS}`,
      ),
      expireIdle: db.prepare(
        `UPDATE portal_sessions SET state = 'EXPIRED', ended_at = @now, encrypted_password = NULL, encrypted_cookies = NULL,
                failure_reason = 'Not used within the portal''s idle timeout.'
          WHERE id IN (SELECT id FROM portal_sessions
                        WHERE keep_alive = 0 AND state IN ('ACTIVE', 'REFRESHING') AND expires_at <= @now
                        ORDER BY expires_at LIMIT @limit)
          RETURNING *`,
      ),
      dueForRefresh: db.prepare(
        `SELECT ${SESSION_COLUMNS.replace(/(^|, )/g, '$1s.')} FROM portal_sessions s JOIN portals p ON p.id = s.portal_id
          WHERE s.keep_alive = 1 AND s.state IN ('ACTIVE', 'REFRESHING')
            AND s.last_refresh_at <= @now - (SELECT coalesce(min(refresh_interval_seconds), 0) FROM portals)
            AND (s.last_refresh_at > @afterAt OR (s.last_refresh_at = @afterAt AND s.id > @afterId))
            AND s.last_refresh_at + p.refresh_interval_seconds <= @now
          ORDER BY s.last_refresh_at, s.id LIMIT @limit`,
      ),
      refreshBacklog: db.prepare(
        `SELECT (SELECT count(*) FROM (SELECT 1 FROM portal_sessions s JOIN portals p ON p.id = s.portal_id
                  WHERE s.keep_alive = 1 AND s.state IN ('ACTIVE', 'REFRESHING')
                    AND s.last_refresh_at <= @now - (SELECT coalesce(min(refresh_interval_seconds), 0) FROM portals)
                    AND s.last_refresh_at + p.refresh_interval_seconds <= @now
                  LIMIT @cap)) AS due,
                (SELECT min(refresh_interval_seconds) FROM portals) AS minIntervalSeconds`,
      ),
      listOpening: db.prepare("SELECT * FROM portal_sessions WHERE state = 'OPENING' AND id > ? ORDER BY id LIMIT ?"),
      deleteEnded: db.prepare(
        `DELETE FROM portal_sessions WHERE id IN (SELECT id FROM portal_sessions WHERE ended_at IS NOT NULL AND ended_at <= ? LIMIT ?)`,
      ),
      // Two index-only counts over the keeper's partial indexes.
      counts: db.prepare(
        `SELECT (SELECT count(*) FROM portal_sessions WHERE keep_alive = 1 AND state IN ('ACTIVE', 'REFRESHING')) AS keepAlive,
                (SELECT count(*) FROM portal_sessions WHERE keep_alive = 0 AND state IN ('ACTIVE', 'REFRESHING') AND expires_at > ?) AS idle`,
      ),
    };
    this.insertMany = db.transaction((rows: NewPortalSession[]) => {
      for (const row of rows) this.stmts.insertSession.run(sessionParams(row));
    });
    this.expireAll = db.transaction((now: number, limit: number, inTransaction?: (rows: PortalSession[]) => void): PortalSession[] => {
      const rows = (this.stmts.expireIdle.all({ now, limit }) as SessionRow[]).map(sessionFromRow);
      if (rows.length > 0) inTransaction?.(rows);
      return rows;
    });
    this.applyResults = db.transaction(
      (writes: readonly RefreshWrite[], inTransaction?: (rows: (PortalSession | null)[]) => void): (PortalSession | null)[] => {
        const rows = writes.map((w) =>
          this.one(
            w.kind === 'REFRESHED'
              ? // A REFRESHING row (a re-login) is not matched by markKeptAlive: markRefreshed sets it ACTIVE.
                (this.stmts.markKeptAlive.get(w.encryptedCookies, w.at, w.id) ?? this.stmts.markRefreshed.get(w.encryptedCookies, w.at, w.id))
              : this.stmts.end.get({ id: w.id, state: 'FAILED', reason: w.reason, now: w.at }),
          ),
        );
        inTransaction?.(rows);
        return rows;
      },
    );
  }

  async insertPortal(portal: Portal): Promise<void> {
    this.stmts.insertPortal.run({ ...portalParams(portal), id: portal.id, createdAt: portal.createdAt, updatedAt: portal.updatedAt });
  }

  async findPortal(id: string): Promise<Portal | null> {
    const row = this.stmts.portalById.get(id) as PortalRow | undefined;
    return row ? portalFromRow(row) : null;
  }

  async findPortals(ids: readonly string[]): Promise<Portal[]> {
    if (ids.length === 0) return [];
    const rows = this.db.prepare(`SELECT * FROM portals WHERE id IN (${ids.map(() => '?').join(', ')})`).all(...ids) as PortalRow[];
    return rows.map(portalFromRow);
  }

  async listPortals(): Promise<Portal[]> {
    return (this.stmts.listPortals.all() as PortalRow[]).map(portalFromRow);
  }

  async updatePortal(id: string, fields: PortalFields, at: number): Promise<Portal | null> {
    const row = this.stmts.updatePortal.get({ ...portalParams(fields), id, at }) as PortalRow | undefined;
    return row ? portalFromRow(row) : null;
  }

  async deletePortal(id: string): Promise<boolean> {
    return this.stmts.deletePortal.run(id).changes > 0;
  }

  async insertSession(session: NewPortalSession): Promise<void> {
    this.stmts.insertSession.run(sessionParams(session));
  }

  async insertSessions(sessions: NewPortalSession[]): Promise<void> {
    this.insertMany(sessions);
  }

  async findSession(id: string): Promise<PortalSession | null> {
    const row = this.stmts.sessionById.get(id) as SessionRow | undefined;
    return row ? sessionFromRow(row) : null;
  }

  async findSecrets(id: string): Promise<PortalSessionSecrets | null> {
    const row = this.stmts.secrets.get(id) as Pick<SessionRow, 'encrypted_password' | 'encrypted_cookies'> | undefined;
    return row ? { encryptedPassword: row.encrypted_password, encryptedCookies: row.encrypted_cookies } : null;
  }

  async findRefreshState(id: string): Promise<RefreshState | null> {
    const row = this.stmts.refreshState.get(id) as SessionRow | undefined;
    return row ? { session: sessionFromRow(row), encryptedCookies: row.encrypted_cookies } : null;
  }

  async findLiveByKey(credentialKey: string): Promise<PortalSession | null> {
    const row = this.stmts.liveByKey.get(credentialKey) as SessionRow | undefined;
    return row ? sessionFromRow(row) : null;
  }

  async listForOwner(ownerId: string, limit: number): Promise<PortalSession[]> {
    return (this.stmts.forOwner.all(ownerId, limit) as SessionRow[]).map(sessionFromRow);
  }

  async listAll(limit: number): Promise<PortalSession[]> {
    return (this.stmts.all.all(limit) as SessionRow[]).map(sessionFromRow);
  }

  async listLiveForPortal(portalId: string): Promise<PortalSession[]> {
    return (this.stmts.liveForPortal.all(portalId) as SessionRow[]).map(sessionFromRow);
  }

  async deleteSession(id: string): Promise<void> {
    this.stmts.deleteSession.run(id);
  }

  async activate(id: string, encryptedCookies: Buffer, now: number): Promise<PortalSession | null> {
    return this.one(this.stmts.activate.get(encryptedCookies, now, id));
  }

  async touch(id: string, now: number, expiresAt: number | null): Promise<PortalSession | null> {
    return this.one(this.stmts.touch.get({ id, now, expiresAt }));
  }

  async promoteToKeepAlive(id: string): Promise<PortalSession | null> {
    return this.one(this.stmts.promote.get(id));
  }

  async markRefreshing(id: string): Promise<PortalSession | null> {
    return this.one(this.stmts.markRefreshing.get(id));
  }

  async markRefreshed(id: string, encryptedCookies: Buffer | null, now: number): Promise<PortalSession | null> {
    return this.one(this.stmts.markRefreshed.get(encryptedCookies, now, id));
  }

  async applyRefreshResults(
    writes: readonly RefreshWrite[],
    inTransaction?: (rows: (PortalSession | null)[]) => void,
  ): Promise<(PortalSession | null)[]> {
    if (writes.length === 0) return [];
    return this.applyResults(writes, inTransaction);
  }

  async refreshBacklog(now: number, cap: number): Promise<{ due: number; minIntervalSeconds: number | null }> {
    return this.stmts.refreshBacklog.get({ now, cap }) as { due: number; minIntervalSeconds: number | null };
  }

  async end(id: string, state: 'EXPIRED' | 'FAILED' | 'CLOSED', reason: string | null, now: number): Promise<PortalSession | null> {
    return this.one(this.stmts.end.get({ id, state, reason, now }));
  }

  async expireIdle(now: number, limit: number, inTransaction?: (rows: PortalSession[]) => void): Promise<PortalSession[]> {
    return this.expireAll(now, limit, inTransaction);
  }

  async dueForRefresh(now: number, cursor: RefreshCursor | null, limit: number): Promise<PortalSession[]> {
    const rows = this.stmts.dueForRefresh.all({
      now,
      afterAt: cursor?.lastRefreshAt ?? -1,
      afterId: cursor?.id ?? '',
      limit,
    }) as SessionRow[];
    return rows.map(sessionFromRow);
  }

  async listOpening(afterId: string, limit: number): Promise<PortalSession[]> {
    return (this.stmts.listOpening.all(afterId, limit) as SessionRow[]).map(sessionFromRow);
  }

  async deleteEnded(before: number, limit: number): Promise<number> {
    return this.stmts.deleteEnded.run(before, limit).changes;
  }

  async counts(now: number): Promise<{ active: number; keepAlive: number }> {
    const { keepAlive, idle } = this.stmts.counts.get(now) as { keepAlive: number; idle: number };
    return { active: keepAlive + idle, keepAlive };
  }

  private one(row: unknown): PortalSession | null {
    return row ? sessionFromRow(row as SessionRow) : null;
  }
}
