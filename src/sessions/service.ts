import type { Config } from '../config.js';
import type { Clock } from '../lib/clock.js';
import { unixSeconds } from '../lib/clock.js';
import { newId } from '../lib/random.js';
import type { Events, SessionEventType } from '../events.js';
import type { AuditService } from '../audit/service.js';
import type { User, UserStore } from '../accounts/store.js';
import { badUserInput, forbidden, notFound, unauthenticated, type UnauthenticatedReason } from '../graphql/errors.js';
import { describeDevice, type DeviceHints } from './device.js';
import type { RevokedReason, Session, SessionKind, SessionStore, SessionWithUser } from './store.js';
import type { RowStamp, RowVersions } from '../db/row-versions.js';
import type { QueuePublish, UnitOfWork } from '../relay/unit-of-work.js';
import { generateSessionToken, hashSessionToken, isWellFormedToken, tokenPrefix } from './token.js';

/** The caller of a request: a live session and its user, read fresh. */
export interface Viewer {
  session: Session;
  user: User;
}

/**
 * Admin powers need an ACTIVE account: a PENDING account that was given the ADMIN role is treated like
 * any other pending user until it is approved.
 */
export function isActiveAdmin(viewer: Viewer | null | undefined): boolean {
  return viewer?.user.role === 'ADMIN' && viewer.user.status === 'ACTIVE';
}

/** Whether a viewer may see a session: its own user's, or anyone's for an active admin. */
export function canSeeSession(viewer: Viewer | null | undefined, session: Session): boolean {
  return viewer?.user.id === session.userId || isActiveAdmin(viewer);
}

/** Where a request came from. */
export interface RequestMeta {
  ipAddress: string | null;
  userAgent: string | null;
}

export type AuthFailureReason = Extract<UnauthenticatedReason, 'INVALID_TOKEN' | 'SESSION_EXPIRED' | 'SESSION_REVOKED'>;

/** How many presented tokens' sessions and users the HTTP path keeps (see SessionService.findRemembered). */
const RECENT_TOKENS = 10_000;

/**
 * A viewer a delivery was authorized against, with stamps of its session and user rows as read: the
 * next delivery on the same subscription may use it without reading again while both rows provably
 * have not changed (see {@link SessionService.stillCurrent}).
 */
export interface KnownViewer {
  readonly viewer: Viewer;
  readonly session: RowStamp;
  readonly user: RowStamp;
}

/** A delivery's re-read; `known` is set when the viewer may be reused for the next delivery. */
export type DeliveryAuth = AuthResult & { known?: KnownViewer };

export type AuthResult =
  | { ok: true; viewer: Viewer }
  | {
      ok: false;
      reason: AuthFailureReason;
      revokedReason?: RevokedReason | null;
      /** When the session stopped being usable (unix seconds), if it existed. */
      endedAt?: number;
    };

/** A session that was just issued, with the only copy of its token. */
export interface IssuedSession {
  token: string;
  session: Session;
}

export type IssueResult =
  | ({ kind: 'created' } & IssuedSession)
  | { kind: 'limit'; limit: number; activeSessions: Session[] };

export interface IssueOptions {
  device?: DeviceHints | null;
  meta: RequestMeta;
  replaceSessionId?: string | null;
  kind?: SessionKind;
  /** Lifetime override (debug sessions). */
  ttlSeconds?: number;
  /** Skip the device cap (the sign-up session is the first device anyway). */
  ignoreCap?: boolean;
  /**
   * The caller's own writes that belong with the new session (its audit entry): synchronous, run in
   * the same commit as the session row and its events.
   */
  inTransaction?: (session: Session) => void;
}

type SessionServiceDeps = {
  sessions: SessionStore;
  /** Versions of the session and user rows, written by the stores (see RowVersions). */
  versions: RowVersions;
  users: UserStore;
  audit: AuditService;
  events: Events;
  /** Store writes, audit entries and their events in one commit (revocations, sign-ins). */
  unitOfWork: UnitOfWork;
  clock: Clock;
  config: Pick<
    Config,
    | 'sessionIdleTimeout'
    | 'sessionMaxLifetime'
    | 'sessionActivityWriteInterval'
    | 'sessionRefreshGrace'
    | 'maxSessionsPerUser'
    | 'deviceLimitPolicy'
    | 'devMode'
  >;
};

const SWEEP_CHUNK = 500;

/** Device sessions: issue, authenticate, list, rotate, revoke, expire, and tell every listener. */
export class SessionService {
  /** Deliveries waiting for the next batched re-read (see {@link reloadForDelivery}), by session id. */
  /** Recently presented tokens' sessions and users, by token hash, with their row stamps (see findRemembered). */
  private readonly recentTokens = new Map<string, { found: SessionWithUser; session: RowStamp; user: RowStamp }>();
  private pendingReloads: Map<string, { resolve: (result: DeliveryAuth) => void; reject: (error: unknown) => void }[]> | null = null;

  constructor(private readonly deps: SessionServiceDeps) {}

  private now(): number {
    return unixSeconds(this.deps.clock);
  }

  /**
   * Resolves a presented token to a live session and its user, read fresh from the store.
   * Writes last-activity at most once per SESSION_ACTIVITY_WRITE_INTERVAL. A session found past
   * its idle or absolute deadline is expired on the spot (and listeners told).
   */
  async authenticate(token: string): Promise<AuthResult> {
    return this.authenticateToken(token, false);
  }

  private async authenticateToken(token: string, remember: boolean): Promise<AuthResult> {
    if (!isWellFormedToken(token)) return { ok: false, reason: 'INVALID_TOKEN' };
    const tokenHash = hashSessionToken(token);
    const found = remember ? await this.findRemembered(tokenHash) : await this.deps.sessions.findWithUserByTokenHash(tokenHash);
    if (!found) return { ok: false, reason: 'INVALID_TOKEN' };
    const now = this.now();
    const { session, user } = found;
    if (session.revokedAt === null && found.viaPreviousToken && (found.previousTokenExpiresAt ?? 0) <= now) {
      // A rotated-away token past its grace window: the client must use the new token.
      return { ok: false, reason: 'INVALID_TOKEN' };
    }
    const ended = await this.endedFailure(session, now);
    if (ended) return ended;
    return { ok: true, viewer: { session: await this.recordActivity(session, now), user } };
  }

  /**
   * The session and user of a token hash: the copy an earlier request read, while both rows provably
   * have not changed since (see RowVersions: any write to either, here or by another process, and the
   * copy is read again), else read now and kept. At most {@link RECENT_TOKENS} copies, oldest dropped.
   */
  private async findRemembered(tokenHash: string): Promise<SessionWithUser | null> {
    const { versions } = this.deps;
    const kept = this.recentTokens.get(tokenHash);
    if (kept && versions.areCurrent(kept.session, kept.user)) return kept.found;
    if (kept) this.recentTokens.delete(tokenHash);
    const mark = versions.mark();
    const found = await this.deps.sessions.findWithUserByTokenHash(tokenHash);
    // Kept only if nothing was written between the read and now (the read is behind a promise).
    if (found && versions.unchangedSince(mark)) {
      if (this.recentTokens.size >= RECENT_TOKENS) this.recentTokens.delete(this.recentTokens.keys().next().value!);
      this.recentTokens.set(tokenHash, { found, session: versions.stamp(found.session.id, mark.epoch), user: versions.stamp(found.user.id, mark.epoch) });
    }
    return found;
  }

  /**
   * Like {@link authenticate} but throws the UNAUTHENTICATED error a transport should answer with. For
   * HTTP requests, which present the same token again and again: the session and user are read again
   * only when one of them changed (see findRemembered).
   */
  async authenticateOrThrow(token: string, http401 = true): Promise<Viewer> {
    const result = await this.authenticateToken(token, true);
    if (!result.ok) throw unauthenticated(result.reason, { http401 });
    return result.viewer;
  }

  /**
   * Re-reads a viewer by session id (not token, so a rotated token keeps its sockets), in one query
   * for the session and its user. Returns the failure when the session is gone or has ended.
   */
  async reload(sessionId: string): Promise<AuthResult> {
    const [found] = await this.deps.sessions.findWithUsersByIds([sessionId]);
    return this.reloadedResult(found, this.now());
  }

  /**
   * Like {@link reload}, for a subscription delivery: every call made until the next turn of the event
   * loop is answered by one store query for all their sessions and users (one event fanned out to N
   * subscribers costs one read, not 2N). The read runs after every call it answers was made, so no
   * delivery is authorized against state older than its event; nothing is kept after it.
   */
  reloadForDelivery(sessionId: string): Promise<DeliveryAuth> {
    return new Promise((resolve, reject) => {
      let pending = this.pendingReloads;
      if (!pending) {
        pending = this.pendingReloads = new Map();
        setImmediate(() => void this.flushReloads());
      }
      const waiters = pending.get(sessionId);
      if (waiters) waiters.push({ resolve, reject });
      else pending.set(sessionId, [{ resolve, reject }]);
    });
  }

  private async flushReloads(): Promise<void> {
    const pending = this.pendingReloads;
    this.pendingReloads = null;
    if (!pending) return;
    try {
      const { versions } = this.deps;
      const mark = versions.mark();
      const found = await this.deps.sessions.findWithUsersByIds([...pending.keys()]);
      // Stamps are valid only if nothing was written between the read and now (the read is behind a promise).
      const stampable = versions.unchangedSince(mark);
      const byId = new Map(found.map((row) => [row.session.id, row]));
      const now = this.now();
      for (const [sessionId, waiters] of pending) {
        const found = byId.get(sessionId);
        // Live sessions (nearly all) are answered without a promise each; ended ones may need a write.
        let result: DeliveryAuth | null = found ? liveResult(found, now) : null;
        if (result?.ok && stampable) {
          const { viewer } = result;
          result = { ...result, known: { viewer, session: versions.stamp(viewer.session.id, mark.epoch), user: versions.stamp(viewer.user.id, mark.epoch) } };
        }
        if (!result) {
          try {
            result = await this.reloadedResult(found, now);
          } catch (error) {
            for (const waiter of waiters) waiter.reject(error);
            continue;
          }
        }
        for (const waiter of waiters) waiter.resolve(result);
      }
    } catch (error) {
      for (const waiters of pending.values()) for (const waiter of waiters) waiter.reject(error);
    }
  }

  /**
   * The viewer of `known` if it can be used for a delivery now without reading again: neither its
   * session nor its user row has been written since it was read (by this process or another), and
   * the session has not run past its idle or absolute deadline. Null means: read it again
   * ({@link reloadForDelivery}).
   */
  stillCurrent(known: KnownViewer): Viewer | null {
    const { versions } = this.deps;
    if (!versions.areCurrent(known.session, known.user, versions.foreignEpochThisTurn())) return null;
    return liveResult(known.viewer, this.now()) ? known.viewer : null;
  }

  /** The {@link reload} answer for a session and its user as read (undefined: no such session). See also liveResult. */
  private async reloadedResult(found: { session: Session; user: User | null } | undefined, now: number): Promise<AuthResult> {
    if (!found) return { ok: false, reason: 'INVALID_TOKEN' };
    const live = liveResult(found, now);
    if (live) return live;
    // Not live: ended (revoked or past a deadline, expired now if need be), or its user is gone.
    return (await this.endedFailure(found.session, now)) ?? { ok: false, reason: 'INVALID_TOKEN' };
  }

  /**
   * The failure for a session that is no longer usable (revoked, or past a deadline, which expires
   * it on the spot and tells its listeners); null while it is live.
   */
  private async endedFailure(session: Session, now: number): Promise<Extract<AuthResult, { ok: false }> | null> {
    if (session.revokedAt !== null) {
      return {
        ok: false,
        reason: session.revokedReason === 'EXPIRED' ? 'SESSION_EXPIRED' : 'SESSION_REVOKED',
        revokedReason: session.revokedReason,
        endedAt: session.revokedAt,
      };
    }
    if (session.expiresAt <= now || session.idleExpiresAt <= now) {
      await this.expire(session);
      return { ok: false, reason: 'SESSION_EXPIRED', revokedReason: 'EXPIRED', endedAt: Math.min(session.expiresAt, session.idleExpiresAt) };
    }
    return null;
  }

  private async recordActivity(session: Session, now: number): Promise<Session> {
    if (now - session.lastActivityAt < this.deps.config.sessionActivityWriteInterval) return session;
    const idleExpiresAt = now + this.deps.config.sessionIdleTimeout;
    await this.deps.sessions.touch(session.id, now, idleExpiresAt);
    return { ...session, lastActivityAt: now, idleExpiresAt };
  }

  /** Issues a session for a user who has proved who they are, within the device cap. */
  async issue(user: User, options: IssueOptions): Promise<IssueResult> {
    const { config } = this.deps;
    const now = this.now();
    const token = generateSessionToken();
    const device = describeDevice(options.meta.userAgent, options.device ?? {});
    const lifetime = options.ttlSeconds ?? config.sessionMaxLifetime;
    const session: Session = {
      id: newId('ses'),
      userId: user.id,
      tokenHash: hashSessionToken(token),
      tokenPrefix: tokenPrefix(token),
      kind: options.kind ?? 'STANDARD',
      deviceName: device.name,
      deviceType: device.type,
      browser: device.browser,
      os: device.os,
      ipAddress: options.meta.ipAddress,
      userAgent: options.meta.userAgent?.slice(0, 512) ?? null,
      createdAt: now,
      lastActivityAt: now,
      expiresAt: now + lifetime,
      idleExpiresAt: now + Math.min(config.sessionIdleTimeout, lifetime),
      revokedAt: null,
      revokedReason: null,
    };
    // The new row, the sessions it evicts, their audit entries, the caller's and every event: one commit.
    const result = this.deps.unitOfWork.run((publish) => {
      const created = this.deps.sessions.createWithinCapSync({
        session,
        cap: options.ignoreCap ? Number.MAX_SAFE_INTEGER : config.maxSessionsPerUser,
        policy: config.deviceLimitPolicy,
        replaceSessionId: options.replaceSessionId,
        now,
      });
      if (created.kind !== 'created') return created;
      for (const revoked of created.revoked) this.announceEndedIn(publish, revoked, { actorId: user.id, ipAddress: options.meta.ipAddress });
      publish('user:sessions', session.userId, { type: 'CREATED', session, reason: null, at: now });
      options.inTransaction?.(session);
      return created;
    });
    if (result.kind === 'replace-not-found') throw notFound('Session', options.replaceSessionId ?? undefined);
    if (result.kind === 'limit') {
      return { kind: 'limit', limit: config.maxSessionsPerUser, activeSessions: result.activeSessions };
    }
    return { kind: 'created', token, session };
  }

  /**
   * DEV_MODE only: an admin opens a short-lived DEBUG session as a user, for support. It does not
   * count against the device cap, is audited, and can be revoked like any other.
   */
  async createDebugSession(admin: Viewer, userId: string, ttlMinutes: number, meta: RequestMeta) {
    if (!this.deps.config.devMode) throw forbidden('DEV_MODE_ONLY');
    if (!Number.isInteger(ttlMinutes) || ttlMinutes < 1 || ttlMinutes > 24 * 60) {
      throw badUserInput([{ path: 'ttlMinutes', message: 'must be between 1 and 1440' }]);
    }
    const user = await this.deps.users.findById(userId);
    if (!user) throw notFound('User', userId);
    const issued = await this.issueSupportSession(user, ttlMinutes * 60, admin.user.id, meta, admin.user.email);
    return { ...issued, user };
  }

  /**
   * A DEBUG session for support (from an admin in DEV_MODE, or the operator CLI): short-lived,
   * outside the device cap, audited with who opened it.
   */
  async issueSupportSession(user: User, ttlSeconds: number, actorId: string, meta: RequestMeta = { ipAddress: null, userAgent: null }, by = actorId) {
    const issued = await this.issue(user, {
      meta,
      kind: 'DEBUG',
      ttlSeconds,
      device: { name: `Debug session by ${by}`, type: 'OTHER' },
    });
    if (issued.kind !== 'created') throw new Error('debug sessions are outside the device cap');
    await this.deps.audit.record('session.debug_created', { actorId, ipAddress: meta.ipAddress }, { type: 'Session', id: issued.session.id }, {
      userId: user.id,
      ttlMinutes: Math.round(ttlSeconds / 60),
    });
    return { token: issued.token, session: issued.session };
  }

  /** Sessions of a user; live ones only unless `includeInactive`. */
  list(userId: string, includeInactive = false): Promise<Session[]> {
    return this.deps.sessions.listForUser(userId, includeInactive, this.now());
  }

  findById(id: string): Promise<Session | null> {
    return this.deps.sessions.findById(id);
  }

  /** Issues a new token for the caller's session; the old one works for the grace window. */
  async refresh(viewer: Viewer): Promise<{ token: string; session: Session; user: User }> {
    const token = generateSessionToken();
    const graceUntil = this.now() + this.deps.config.sessionRefreshGrace;
    const session = await this.deps.sessions.rotateToken(viewer.session.id, hashSessionToken(token), tokenPrefix(token), graceUntil);
    if (!session) throw unauthenticated('SESSION_REVOKED');
    const user = (await this.deps.users.findById(session.userId)) ?? viewer.user;
    await this.deps.audit.record('session.refreshed', { actorId: user.id, ipAddress: null }, { type: 'Session', id: session.id });
    this.publish('REFRESHED', session, null);
    return { token, session, user };
  }

  /** Ends one session. Owners may end their own; admins anyone's. Idempotent. */
  async revoke(viewer: Viewer, sessionId: string, meta: RequestMeta): Promise<Session> {
    const target = await this.deps.sessions.findById(sessionId);
    if (!target) throw notFound('Session', sessionId);
    const isOwner = target.userId === viewer.user.id;
    if (!isOwner && !isActiveAdmin(viewer)) throw forbidden('NOT_OWNER');
    if (target.revokedAt !== null) return target;
    const reason: RevokedReason = !isOwner ? 'REVOKED_BY_ADMIN' : target.id === viewer.session.id ? 'SIGNED_OUT' : 'REVOKED_BY_USER';
    return (await this.revokeById(sessionId, reason, { actorId: viewer.user.id, ipAddress: meta.ipAddress })) ?? target;
  }

  /**
   * Ends a session by id with a reason, telling its listeners. Returns null when it was not live.
   * The row, its audit entry and the outbox rows of its events are one commit; the events reach
   * local subscribers after it.
   */
  async revokeById(sessionId: string, reason: RevokedReason, actor: { actorId: string | null; ipAddress: string | null }) {
    return this.deps.unitOfWork.run((publish) => {
      const revoked = this.deps.sessions.revokeSync(sessionId, reason, this.now());
      if (revoked) this.announceEndedIn(publish, revoked, actor);
      return revoked;
    });
  }

  /**
   * Ends every live session of a user except `exceptSessionId`; returns how many ended. One commit,
   * as {@link revokeById}.
   */
  async revokeAllForUser(
    userId: string,
    reason: RevokedReason,
    actor: { actorId: string | null; ipAddress: string | null },
    exceptSessionId?: string,
  ): Promise<number> {
    return this.deps.unitOfWork.run((publish) => this.revokeAllForUserIn(publish, userId, reason, actor, exceptSessionId));
  }

  /**
   * {@link revokeAllForUser} as part of a caller's unit of work (`UnitOfWork.run`), e.g. an account
   * suspension that also changes the user row: synchronous, its events queued on `publish`.
   */
  revokeAllForUserIn(
    publish: QueuePublish,
    userId: string,
    reason: RevokedReason,
    actor: { actorId: string | null; ipAddress: string | null },
    exceptSessionId?: string,
  ): number {
    const revoked = this.deps.sessions.revokeAllForUserSync(userId, reason, this.now(), exceptSessionId);
    for (const session of revoked) this.announceEndedIn(publish, session, actor);
    return revoked.length;
  }

  /** Marks one session expired and tells its listeners. */
  private async expire(session: Session): Promise<void> {
    await this.revokeById(session.id, 'EXPIRED', { actorId: null, ipAddress: null });
  }

  /**
   * Expires every session past its idle or absolute deadline, in chunks so a large backlog never
   * holds the event loop for long. Returns how many expired.
   */
  async sweepExpired(): Promise<number> {
    let total = 0;
    for (;;) {
      const expired = await this.deps.sessions.expireDue(this.now(), SWEEP_CHUNK);
      this.announceEnded(expired, { actorId: null, ipAddress: null });
      total += expired.length;
      if (expired.length < SWEEP_CHUNK) return total;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Sessions across users (or of one user), most recently active first: the operator's view. */
  listRecent(options: { userId?: string | null; includeInactive?: boolean; limit?: number }): Promise<Session[]> {
    return this.deps.sessions.listRecent({
      userId: options.userId,
      includeInactive: options.includeInactive ?? false,
      limit: options.limit ?? 100,
      now: this.now(),
    });
  }

  /** Live session count, for /health and stats. */
  countActive(): Promise<number> {
    return this.deps.sessions.countActive(this.now());
  }

  /**
   * Audits and announces sessions that a store write already ended (in its own transaction): the
   * audit entries and outbox rows of all of them in one more commit, then the events.
   */
  private announceEnded(sessions: readonly Session[], actor: { actorId: string | null; ipAddress: string | null }): void {
    if (sessions.length === 0) return;
    this.deps.unitOfWork.run((publish) => {
      for (const session of sessions) this.announceEndedIn(publish, session, actor);
    });
  }

  /** The audit entry and the events of an ended session, inside a unit of work. */
  private announceEndedIn(publish: QueuePublish, session: Session, actor: { actorId: string | null; ipAddress: string | null }): void {
    const reason = session.revokedReason ?? 'REVOKED_BY_USER';
    const type = reason === 'EXPIRED' ? 'EXPIRED' : 'REVOKED';
    this.deps.audit.recordSync(
      type === 'EXPIRED' ? 'session.expired' : reason === 'SIGNED_OUT' ? 'user.signed_out' : 'session.revoked',
      actor,
      { type: 'Session', id: session.id },
      { reason, userId: session.userId, device: session.deviceName },
    );
    // Order matters: the session's own subscribers get REVOKED/EXPIRED first, then its sockets close.
    publish('user:sessions', session.userId, { type, session, reason, at: this.now() });
    publish('session', session.id, { sessionId: session.id, type, reason });
  }

  private publish(type: SessionEventType, session: Session, reason: RevokedReason | null) {
    this.deps.events.publish('user:sessions', session.userId, { type, session, reason, at: this.now() });
  }
}

/** The answer for a session read fresh that is live and has its user; null when it needs a closer look (reloadedResult). */
function liveResult(found: { session: Session; user: User | null }, now: number): AuthResult | null {
  const { session, user } = found;
  if (session.revokedAt !== null || session.expiresAt <= now || session.idleExpiresAt <= now || !user) return null;
  return { ok: true, viewer: { session, user } };
}
