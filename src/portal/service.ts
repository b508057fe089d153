import type { SecurityService } from '../security/service.js';
import { z } from 'zod';
import type { Clock } from '../lib/clock.js';
import { unixSeconds } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { newId } from '../lib/random.js';
import type { Events, PortalSessionEventType } from '../events.js';
import { eventBatch, type PublishEntry } from '../relay/relay.js';
import type { AuditService } from '../audit/service.js';
import { parseInput } from '../accounts/service.js';
import { conflict, forbidden, notFound, portalLoginFailed, portalUnavailable } from '../graphql/errors.js';
import { isActiveAdmin, type RequestMeta, type Viewer } from '../sessions/service.js';
import { cookieHeader, type ConnectorRegistry, type Connector, type Cookies } from './connector.js';
import { credentialKey, decrypt, derivePortalKeys, encrypt, type PortalKeys } from './crypto.js';
import {
  PORTAL_CONNECTORS,
  type Portal,
  type PortalFields,
  type PortalSession,
  type PortalStore,
  type RefreshCursor,
  type RefreshWrite,
} from './store.js';

const MAX_URL = 2048;

const httpUrl = z
  .string()
  .trim()
  .max(MAX_URL, `must be at most ${MAX_URL} characters`)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
    } catch {
      return false;
    }
  }, 'must be an http:// or https:// URL');

const formField = z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters');

const PortalInputSchema = z
  .object({
    name: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
    connector: z.enum(PORTAL_CONNECTORS),
    loginUrl: httpUrl,
    usernameField: formField,
    passwordField: formField,
    extraFields: z
      .record(z.string().min(1, 'field names must not be empty').max(100, 'field names must be at most 100 characters'), z.union([z.string().max(2000, 'values must be at most 2000 characters'), z.number(), z.boolean()]), {
        message: 'must be a JSON object of field names to strings, numbers or booleans',
      })
      .refine((fields) => Object.keys(fields).length <= 50, 'must have at most 50 fields')
      .nullish(),
    keepAliveUrl: httpUrl,
    loggedOutPattern: z.string().min(1, 'must not be empty').max(500, 'must be at most 500 characters').nullish(),
    refreshIntervalSeconds: z.number().int('must be a whole number').min(10, 'must be between 10 and 86400').max(86400, 'must be between 10 and 86400'),
    idleTimeoutSeconds: z.number().int('must be a whole number').min(60, 'must be between 60 and 2592000').max(2_592_000, 'must be between 60 and 2592000'),
  })
  .refine((v) => v.usernameField !== v.passwordField, { message: 'must differ from passwordField', path: ['usernameField'] })
  .refine((v) => !v.extraFields || !(v.usernameField in v.extraFields || v.passwordField in v.extraFields), {
    message: 'must not contain the username or password field',
    path: ['extraFields'],
  });

const OpenInputSchema = z.object({
  portalId: z.string().min(1, 'must not be empty'),
  username: z.string().min(1, 'must not be empty').max(256, 'must be at most 256 characters'),
  password: z.string().min(1, 'must not be empty').max(1024, 'must be at most 1024 characters'),
  keepAlive: z.boolean(),
});

export interface OpenPortalSessionInput {
  portalId: string;
  username: string;
  password: string;
  keepAlive?: boolean | null;
}

/** Result of one refresh attempt, for the keeper's tally and `refreshPortalSession`. */
export type RefreshOutcome =
  | { outcome: 'REFRESHED' | 'RELOGGED_IN' | 'FAILED'; session: PortalSession }
  /** Unreachable: nothing changed; the keeper tries again on its next sweep. */
  | { outcome: 'UNAVAILABLE'; session: PortalSession; reason: string }
  /** Not live any more (closed, expired, gone) by the time it was its turn. */
  | { outcome: 'SKIPPED'; session: PortalSession | null };

/** The upstream part of a refresh, settled but not yet written. */
type SettledRefresh =
  /** Nothing to write (SKIPPED, UNAVAILABLE). */
  | { done: RefreshOutcome }
  | { done?: undefined; write: RefreshWrite; outcome: 'REFRESHED' | 'RELOGGED_IN' | 'FAILED'; session: PortalSession };

/**
 * A chunk of keeper refreshes whose results are written together: `run(id)` does the upstream part
 * of one refresh (at once answered when one is already running for that session), `commit()` writes
 * every settled result and its outbox rows in one transaction, then publishes and audits.
 */
export interface RefreshChunk {
  run(id: string): Promise<void>;
  /** Outcomes in the order the refreshes settled, plus the refreshes that threw. */
  commit(): Promise<{ outcomes: RefreshOutcome[]; errors: { id: string; error: unknown }[] }>;
}

type PortalServiceDeps = {
  store: PortalStore;
  events: Events;
  audit: AuditService;
  clock: Clock;
  /** The server secret; the portal keys are derived from it. */
  secret: Buffer;
  connectors: ConnectorRegistry;
  log?: Logger;
  /** Limits new upstream logins per user (a reused session costs nothing and is not counted). */
  security?: Pick<SecurityService, 'consumePortalLogin'>;
};

/** Dead sessions are kept this long (for `portalSessions` to show why) before the keeper deletes them. */
export const DEAD_RETENTION_SECONDS = 86400;

const UNDECRYPTABLE = 'The stored credentials cannot be decrypted (was GATEHOUSE_SECRET changed?). Open the session again.';

const INTERRUPTED_OPENING = 'The server stopped before the portal login finished. Open the session again.';

/**
 * The portal session pool: admin-defined portals, one upstream login per owner and credentials
 * (single flight), keep-alive refreshes with one re-login, idle expiry, events and audit.
 */
export class PortalService {
  private readonly keys: PortalKeys;
  /** Opens in progress by credential key: concurrent opens share one upstream login. */
  private readonly openFlights = new Map<string, Promise<{ session: PortalSession; isNew: boolean }>>();
  /** Session ids whose OPENING row belongs to a login in progress in this process. */
  private readonly openingIds = new Set<string>();
  /** Refreshes in progress by session id (keeper and refreshPortalSession share them). */
  private readonly refreshFlights = new Map<string, Promise<RefreshOutcome>>();
  /** How many opens are waiting on another open's login right now. */
  private joinedOpens = 0;
  /** Aborted on shutdown so in-flight upstream calls end at once. */
  private readonly shutdown = new AbortController();

  constructor(private readonly deps: PortalServiceDeps) {
    this.keys = derivePortalKeys(deps.secret);
  }

  private now(): number {
    return unixSeconds(this.deps.clock);
  }

  // ---- portals (admin) ----

  listPortals(): Promise<Portal[]> {
    return this.deps.store.listPortals();
  }

  findPortal(id: string): Promise<Portal | null> {
    return this.deps.store.findPortal(id);
  }

  findPortals(ids: readonly string[]): Promise<Portal[]> {
    return this.deps.store.findPortals(ids);
  }

  async createPortal(input: unknown): Promise<Portal> {
    const fields = parsePortalInput(input);
    const now = this.now();
    const portal: Portal = { id: newId('prt'), ...fields, createdAt: now, updatedAt: now };
    await this.deps.store.insertPortal(portal);
    return portal;
  }

  async updatePortal(id: string, input: unknown): Promise<Portal> {
    if (!(await this.deps.store.findPortal(id))) throw notFound('Portal', id);
    const portal = await this.deps.store.updatePortal(id, parsePortalInput(input), this.now());
    if (!portal) throw notFound('Portal', id);
    return portal;
  }

  /** Closes the portal's live sessions (CLOSED events) and deletes it with all its sessions. */
  async deletePortal(viewer: Viewer, id: string, meta: RequestMeta): Promise<boolean> {
    const portal = await this.deps.store.findPortal(id);
    if (!portal) throw notFound('Portal', id);
    for (const session of await this.deps.store.listLiveForPortal(id)) {
      await this.end(session.id, 'CLOSED', 'The portal was deleted by an administrator.', { actorId: viewer.user.id, ipAddress: meta.ipAddress }, portal);
    }
    return this.deps.store.deletePortal(id);
  }

  // ---- sessions ----

  /**
   * Returns the owner's live session for these credentials (isNew false, no upstream call), or logs
   * in once and stores a new one. Concurrent opens with the same credentials share one login.
   */
  async openSession(viewer: Viewer, input: OpenPortalSessionInput, meta: RequestMeta): Promise<{ session: PortalSession; isNew: boolean }> {
    const data = parseInput(OpenInputSchema, { ...input, keepAlive: input.keepAlive ?? true }, 'input');
    const portal = await this.deps.store.findPortal(data.portalId);
    if (!portal) throw notFound('Portal', data.portalId);
    const key = credentialKey(this.keys.credential, viewer.user.id, portal.id, data.username, data.password);
    const running = this.openFlights.get(key);
    if (running) {
      this.joinedOpens++;
      try {
        const { session } = await running;
        return { session, isNew: false };
      } finally {
        this.joinedOpens--;
      }
    }
    const flight = this.openOnce(viewer, portal, data, key, meta);
    this.openFlights.set(key, flight);
    try {
      return await flight;
    } finally {
      this.openFlights.delete(key);
    }
  }

  private async openOnce(
    viewer: Viewer,
    portal: Portal,
    data: z.infer<typeof OpenInputSchema>,
    key: string,
    meta: RequestMeta,
  ): Promise<{ session: PortalSession; isNew: boolean }> {
    const store = this.deps.store;
    const actor = { actorId: viewer.user.id, ipAddress: meta.ipAddress };
    const existing = await store.findLiveByKey(key);
    if (existing?.state === 'OPENING') {
      // This process holds the flight for this key, so the row is a leftover of a stopped server.
      await this.end(existing.id, 'FAILED', INTERRUPTED_OPENING, { actorId: null });
    } else if (existing) {
      await this.refreshFlights.get(existing.id)?.catch(() => undefined);
      let session = await store.findSession(existing.id);
      if (session && (session.state === 'ACTIVE' || session.state === 'REFRESHING')) {
        if (data.keepAlive && !session.keepAlive) session = (await store.promoteToKeepAlive(session.id)) ?? session;
        session = (await store.touch(session.id, this.now(), this.idleDeadline(session, portal))) ?? session;
        return { session, isNew: false };
      }
    }

    await this.deps.security?.consumePortalLogin(viewer.user.id);
    const connector = this.connector(portal);
    const now = this.now();
    const id = newId('pss');
    await store.insertSession({
      id,
      ownerId: viewer.user.id,
      portalId: portal.id,
      username: data.username,
      credentialKey: key,
      keepAlive: data.keepAlive,
      state: 'OPENING',
      encryptedPassword: encrypt(this.keys.encryption, data.password, `${id}:password`),
      encryptedCookies: null,
      createdAt: now,
      lastUsedAt: now,
      lastRefreshAt: now,
      expiresAt: data.keepAlive ? null : now + portal.idleTimeoutSeconds,
      endedAt: null,
      failureReason: null,
    });
    this.openingIds.add(id);
    try {
      const result = await connector.login(portal, data.username, data.password, this.shutdown.signal).catch((error: unknown) => {
        this.deps.log?.error({ err: error, portalId: portal.id }, 'portal connector failed');
        return { status: 'UNAVAILABLE' as const, reason: 'The portal connector failed unexpectedly.' };
      });
      if (result.status !== 'OK') {
        // A refused or unreachable login leaves nothing behind.
        await store.deleteSession(id);
        await this.deps.audit.record('portal.session_failed', actor, { type: 'Portal', id: portal.id }, {
          username: data.username,
          status: result.status,
          reason: result.reason,
        });
        throw result.status === 'LOGIN_FAILED' ? portalLoginFailed(result.reason) : portalUnavailable(result.reason);
      }
      const at = this.now();
      const session = await store.activate(id, this.sealCookies(id, result.cookies), at);
      if (!session) throw conflict('PORTAL_SESSION_CLOSED', 'The portal session was closed while it was logging in. Open it again if you still need it.');
      this.publish('OPENED', session);
      await this.deps.audit.record('portal.session_opened', actor, { type: 'PortalSession', id }, {
        portalId: portal.id,
        username: data.username,
        keepAlive: data.keepAlive,
      });
      return { session, isNew: true };
    } finally {
      this.openingIds.delete(id);
    }
  }

  /**
   * The session's cookies as a Cookie header, for its owner only. Marks it used and, for a
   * non-keep-alive session, moves its idle deadline.
   */
  async useSession(viewer: Viewer, id: string): Promise<{ session: PortalSession; cookieHeader: string }> {
    await this.ownSession(viewer, id);
    await this.refreshFlights.get(id)?.catch(() => undefined);
    let session = (await this.deps.store.findSession(id)) ?? notFoundSession(id);
    const portal = (await this.deps.store.findPortal(session.portalId)) ?? notFoundSession(id);
    if (session.state === 'ACTIVE' && !session.keepAlive && session.expiresAt !== null && session.expiresAt <= this.now()) {
      session = (await this.end(id, 'EXPIRED', "Not used within the portal's idle timeout.", { actorId: null })) ?? session;
    }
    this.assertUsable(session);
    const sealed = (await this.deps.store.findSecrets(id))?.encryptedCookies;
    if (!sealed) throw conflict('PORTAL_SESSION_ENDED', 'This portal session has ended. Open a new one with openPortalSession.');
    const cookies = this.openCookies(id, sealed);
    const touched = await this.deps.store.touch(id, this.now(), this.idleDeadline(session, portal));
    return { session: touched ?? session, cookieHeader: cookieHeader(cookies) };
  }

  /** Calls the keep-alive URL now (logging in again once if the portal logged the session out). */
  async refreshSession(viewer: Viewer, id: string): Promise<PortalSession> {
    const session = await this.ownSession(viewer, id);
    if (session.state === 'OPENING' || !this.isLive(session)) this.assertUsable(session);
    const result = await this.refresh(id);
    if (result.outcome === 'UNAVAILABLE') throw portalUnavailable(result.reason);
    return result.session ?? session;
  }

  /** Ends a session (owner or an active admin); a session that already ended is returned as it is. */
  async closeSession(viewer: Viewer, id: string, meta: RequestMeta): Promise<PortalSession> {
    const session = await this.deps.store.findSession(id);
    if (!session) throw notFound('Portal session', id);
    if (session.ownerId !== viewer.user.id && !isActiveAdmin(viewer)) throw notOwner();
    if (!this.isLive(session)) return session;
    return (await this.end(id, 'CLOSED', null, { actorId: viewer.user.id, ipAddress: meta.ipAddress })) ?? session;
  }

  /** The caller's sessions, or with `all` every session (admins only). Newest first. */
  listSessions(viewer: Viewer, all: boolean): Promise<PortalSession[]> {
    if (all) {
      if (!isActiveAdmin(viewer)) throw forbidden('NOT_ADMIN');
      return this.deps.store.listAll(1000);
    }
    return this.deps.store.listForOwner(viewer.user.id, 1000);
  }

  /** A session its owner or an admin may see; null otherwise (others cannot tell it exists). */
  async getSession(viewer: Viewer | null, id: string): Promise<PortalSession | null> {
    const session = await this.deps.store.findSession(id);
    if (!session || !viewer) return null;
    return session.ownerId === viewer.user.id || isActiveAdmin(viewer) ? session : null;
  }

  /** Live portal sessions for /health and stats. */
  counts(): Promise<{ active: number; keepAlive: number }> {
    return this.deps.store.counts(this.now());
  }

  /** For tests and metrics: opens in flight and opens waiting on them. */
  flightStats(): { opening: number; joined: number; refreshing: number } {
    return { opening: this.openFlights.size, joined: this.joinedOpens, refreshing: this.refreshFlights.size };
  }

  // ---- keeper steps (each bounded by `limit`) ----

  /** Expires up to `limit` idle non-keep-alive sessions (EXPIRED events). */
  async expireIdle(limit: number): Promise<PortalSession[]> {
    return this.writeWithEvents<PortalSession[], PortalSession[]>(
      (inTransaction) => this.deps.store.expireIdle(this.now(), limit, inTransaction),
      (rows, at) => rows.map((session): PublishEntry => ({ topic: 'portal', args: [session.ownerId, { type: 'EXPIRED', session, at }] })),
    );
  }

  /** Keep-alive sessions due for a refresh after `cursor` (skipping ones being refreshed right now). */
  async dueForRefresh(cursor: RefreshCursor | null, limit: number): Promise<{ due: PortalSession[]; cursor: RefreshCursor | null }> {
    const rows = await this.deps.store.dueForRefresh(this.now(), cursor, limit);
    const last = rows.at(-1);
    return {
      due: rows.filter((s) => !this.refreshFlights.has(s.id)),
      cursor: last ? { lastRefreshAt: last.lastRefreshAt, id: last.id } : null,
    };
  }

  /** Marks OPENING rows no login in this process owns (a stopped server's leftovers) FAILED. */
  async failInterruptedOpenings(afterId: string, limit: number): Promise<{ failed: number; lastId: string | null }> {
    const rows = await this.deps.store.listOpening(afterId, limit);
    let failed = 0;
    for (const row of rows) {
      if (this.openingIds.has(row.id)) continue;
      if (await this.end(row.id, 'FAILED', INTERRUPTED_OPENING, { actorId: null })) failed++;
    }
    return { failed, lastId: rows.at(-1)?.id ?? null };
  }

  /** Deletes up to `limit` sessions that ended more than a day ago. */
  deleteDead(limit: number): Promise<number> {
    return this.deps.store.deleteEnded(this.now() - DEAD_RETENTION_SECONDS, limit);
  }

  /**
   * Refreshes one session (single flight per session): keep-alive call; when the portal answers
   * logged out, one re-login with the stored credentials; if that is refused the session is FAILED
   * (REFRESH_FAILED). An unreachable portal changes nothing and is retried on the next sweep.
   */
  refresh(id: string): Promise<RefreshOutcome> {
    const running = this.refreshFlights.get(id);
    if (running) return running;
    const flight = this.settleRefresh(id, (portalId) => this.deps.store.findPortal(portalId))
      .then(async (settled) => (await this.applyRefreshes([settled]))[0])
      .finally(() => this.refreshFlights.delete(id));
    this.refreshFlights.set(id, flight);
    return flight;
  }

  /**
   * Starts a chunk of refreshes (the keeper's) written in one transaction by `commit()`. Each
   * session's single flight lasts until that commit, so `useSession` never hands out cookies a
   * settled keep-alive already replaced.
   */
  refreshChunk(): RefreshChunk {
    const settled: { id: string; result: SettledRefresh; resolve: (o: RefreshOutcome) => void; reject: (e: unknown) => void }[] = [];
    const errors: { id: string; error: unknown }[] = [];
    const flights = this.refreshFlights;
    // Portals are read once per chunk (a chunk holds well under a second of refreshes); a portal
    // edited meanwhile applies from the next chunk on.
    const portals = new Map<string, Promise<Portal | null>>();
    const portalOf = (portalId: string) => {
      let portal = portals.get(portalId);
      if (!portal) portals.set(portalId, (portal = this.deps.store.findPortal(portalId)));
      return portal;
    };
    return {
      run: async (id) => {
        if (flights.has(id)) return;
        let resolve!: (o: RefreshOutcome) => void;
        let reject!: (e: unknown) => void;
        const flight = new Promise<RefreshOutcome>((res, rej) => {
          resolve = res;
          reject = rej;
        });
        flight.catch(() => undefined); // joiners see the rejection; nobody else has to
        flights.set(id, flight);
        try {
          settled.push({ id, result: await this.settleRefresh(id, portalOf), resolve, reject });
        } catch (error) {
          flights.delete(id);
          reject(error);
          errors.push({ id, error });
        }
      },
      commit: async () => {
        const items = settled.splice(0);
        try {
          const outcomes = await this.applyRefreshes(items.map((i) => i.result));
          items.forEach((item, n) => {
            flights.delete(item.id);
            item.resolve(outcomes[n]);
          });
          return { outcomes, errors: errors.splice(0) };
        } catch (error) {
          for (const item of items) {
            flights.delete(item.id);
            item.reject(error);
          }
          throw error;
        }
      },
    };
  }

  /**
   * The upstream part of a refresh: keep-alive call; when the portal answers logged out, one
   * re-login with the stored credentials (the row is REFRESHING meanwhile). Writes nothing else.
   */
  private async settleRefresh(id: string, portalOf: (portalId: string) => Promise<Portal | null>): Promise<SettledRefresh> {
    const store = this.deps.store;
    // One read for the row and its sealed cookies; the password is read and opened only when the
    // portal logged the session out (most refreshes are a keep-alive that works).
    const state = await store.findRefreshState(id);
    const session = state?.session ?? null;
    if (!state || !session || (session.state !== 'ACTIVE' && session.state !== 'REFRESHING')) return { done: { outcome: 'SKIPPED', session } };
    const portal = await portalOf(session.portalId);
    const { encryptedCookies } = state;
    if (!portal || !encryptedCookies) return { done: { outcome: 'SKIPPED', session } };
    const connector = this.connector(portal);

    if (session.state === 'ACTIVE') {
      let cookies: Cookies;
      try {
        cookies = this.openCookies(id, encryptedCookies);
      } catch {
        return this.failWrite(session, UNDECRYPTABLE);
      }
      const alive = await connector.keepAlive(portal, cookies, this.shutdown.signal).catch(() => ({
        status: 'UNAVAILABLE' as const,
        reason: 'The portal connector failed unexpectedly.',
      }));
      if (alive.status === 'UNAVAILABLE') return { done: { outcome: 'UNAVAILABLE', session, reason: alive.reason } };
      if (alive.status === 'OK') {
        // Unchanged cookies keep their stored ciphertext (no re-seal); changed ones are sealed anew.
        const sealed = sameCookies(cookies, alive.cookies) ? null : this.sealCookies(id, alive.cookies);
        return { write: { id, kind: 'REFRESHED', encryptedCookies: sealed, at: this.now() }, outcome: 'REFRESHED', session };
      }
      // Logged out upstream: log in again, once.
      if (!(await store.markRefreshing(id))) return { done: { outcome: 'SKIPPED', session: await store.findSession(id) } };
    }

    const encryptedPassword = (await store.findSecrets(id))?.encryptedPassword;
    // Wiped: the session ended meanwhile.
    if (!encryptedPassword) return { done: { outcome: 'SKIPPED', session: (await store.findSession(id)) ?? session } };
    let password: string;
    try {
      password = this.openPassword(id, encryptedPassword);
    } catch {
      return this.failWrite(session, UNDECRYPTABLE);
    }
    const login = await connector.login(portal, session.username, password, this.shutdown.signal).catch(() => ({
      status: 'UNAVAILABLE' as const,
      reason: 'The portal connector failed unexpectedly.',
    }));
    if (login.status === 'UNAVAILABLE') {
      // Still REFRESHING: the next sweep tries the login again.
      return { done: { outcome: 'UNAVAILABLE', session: (await store.findSession(id)) ?? session, reason: login.reason } };
    }
    if (login.status === 'LOGIN_FAILED') {
      return this.failWrite(session, `The portal logged the session out and logging in again failed: ${login.reason}`);
    }
    return { write: { id, kind: 'REFRESHED', encryptedCookies: this.sealCookies(id, login.cookies), at: this.now() }, outcome: 'RELOGGED_IN', session };
  }

  private failWrite(session: PortalSession, reason: string): SettledRefresh {
    return { write: { id: session.id, kind: 'FAILED', reason, at: this.now() }, outcome: 'FAILED', session };
  }

  /**
   * Writes settled refreshes in one transaction together with the outbox rows of their events,
   * then publishes them locally in the same order (REFRESHED, or REFRESH_FAILED) and audits failures.
   */
  private async applyRefreshes(settled: readonly SettledRefresh[]): Promise<RefreshOutcome[]> {
    const writes: RefreshWrite[] = [];
    for (const item of settled) if (!item.done) writes.push(item.write);
    type Changed = (PortalSession | null)[];
    const rows = await this.writeWithEvents<Changed, Changed>(
      (inTransaction) => this.deps.store.applyRefreshResults(writes, inTransaction),
      (changed, at) => {
        const entries: PublishEntry[] = [];
        changed.forEach((session, n) => {
          if (!session) return;
          const type: PortalSessionEventType = writes[n].kind === 'FAILED' ? 'REFRESH_FAILED' : 'REFRESHED';
          entries.push({ topic: 'portal', args: [session.ownerId, { type, session, at }] });
        });
        return entries;
      },
    );
    const outcomes: RefreshOutcome[] = [];
    let n = 0;
    for (const item of settled) {
      if (item.done) {
        outcomes.push(item.done);
        continue;
      }
      const row = rows[n++];
      if (!row) {
        // No longer live (closed or ended meanwhile): nothing was written.
        outcomes.push({ outcome: 'SKIPPED', session: await this.deps.store.findSession(item.session.id) });
        continue;
      }
      if (item.outcome === 'FAILED' && item.write.kind === 'FAILED') {
        await this.deps.audit.record('portal.session_failed', { actorId: null }, { type: 'PortalSession', id: row.id }, { portalId: row.portalId, reason: item.write.reason });
      }
      outcomes.push({ outcome: item.outcome, session: row });
    }
    return outcomes;
  }

  /**
   * A store write whose events must reach other processes: `entriesOf` runs inside the store's
   * transaction with what it changed, so the outbox rows commit with the rows; local subscribers get
   * the events, in order, after the commit.
   */
  private async writeWithEvents<C, R>(
    write: (inTransaction: (changed: C) => void) => Promise<R>,
    entriesOf: (changed: C, at: number) => PublishEntry[],
  ): Promise<R> {
    let deliver = () => {};
    const result = await write((changed) => {
      const batch = eventBatch(this.deps.events, entriesOf(changed, this.now()));
      batch.persist();
      deliver = () => batch.deliver();
    });
    deliver();
    return result;
  }

  /** How many keep-alive sessions are due now (up to `cap`), and the shortest refresh interval of any portal. */
  refreshBacklog(cap: number): Promise<{ due: number; minIntervalSeconds: number | null }> {
    return this.deps.store.refreshBacklog(this.now(), cap);
  }

  /** Ends a live session, wiping its secrets; publishes and audits. Null when it was not live. */
  private async end(
    id: string,
    state: 'EXPIRED' | 'FAILED' | 'CLOSED',
    reason: string | null,
    actor: { actorId: string | null; ipAddress?: string | null },
    deletedPortal?: Portal,
  ): Promise<PortalSession | null> {
    const session = await this.deps.store.end(id, state, reason, this.now());
    if (!session) return null;
    const type: PortalSessionEventType = state === 'FAILED' ? 'REFRESH_FAILED' : state;
    this.publish(type, session, deletedPortal);
    if (state === 'CLOSED') {
      await this.deps.audit.record('portal.session_closed', actor, { type: 'PortalSession', id }, { portalId: session.portalId, reason });
    } else if (state === 'FAILED') {
      await this.deps.audit.record('portal.session_failed', actor, { type: 'PortalSession', id }, { portalId: session.portalId, reason });
    }
    return session;
  }

  /** Aborts in-flight upstream calls and waits for opens and refreshes to settle (shutdown). */
  async stop(): Promise<void> {
    this.shutdown.abort();
    await Promise.allSettled([...this.openFlights.values(), ...this.refreshFlights.values()]);
  }

  private async ownSession(viewer: Viewer, id: string): Promise<PortalSession> {
    const session = await this.deps.store.findSession(id);
    if (!session) throw notFound('Portal session', id);
    if (session.ownerId !== viewer.user.id) throw notOwner();
    return session;
  }

  private assertUsable(session: PortalSession): void {
    switch (session.state) {
      case 'ACTIVE':
        return;
      case 'REFRESHING':
        // No refresh is running (useSession() waited for it), so the last re-login could not reach the portal.
        throw portalUnavailable('The portal logged this session out and could not be reached to log in again; Gatehouse retries on its next sweep.');
      case 'OPENING':
        throw conflict('PORTAL_SESSION_OPENING', 'This portal session is still logging in. Try again in a moment.');
      default: {
        const why = session.failureReason ? ` (${session.failureReason})` : '';
        throw conflict('PORTAL_SESSION_ENDED', `This portal session is ${session.state}${why}. Open a new one with openPortalSession.`);
      }
    }
  }

  private isLive(session: PortalSession): boolean {
    return session.state === 'OPENING' || session.state === 'ACTIVE' || session.state === 'REFRESHING';
  }

  private idleDeadline(session: PortalSession, portal: Portal): number | null {
    return session.keepAlive ? null : this.now() + portal.idleTimeoutSeconds;
  }

  private connector(portal: Portal): Connector {
    const connector = this.deps.connectors[portal.connector];
    if (!connector) throw new Error(`no connector named ${portal.connector}`);
    return connector;
  }

  private sealCookies(id: string, cookies: Cookies): Buffer {
    return encrypt(this.keys.encryption, JSON.stringify(cookies), `${id}:cookies`);
  }

  private openCookies(id: string, sealed: Buffer): Cookies {
    return JSON.parse(decrypt(this.keys.encryption, sealed, `${id}:cookies`)) as Cookies;
  }

  private openPassword(id: string, sealed: Buffer): string {
    return decrypt(this.keys.encryption, sealed, `${id}:password`);
  }

  private publish(type: PortalSessionEventType, session: PortalSession, deletedPortal?: Portal): void {
    this.deps.events.publish('portal', session.ownerId, { type, session, at: this.now(), ...(deletedPortal ? { portal: deletedPortal } : {}) });
  }
}

/** Same cookie names and values (order aside). */
function sameCookies(a: Cookies, b: Cookies): boolean {
  let count = 0;
  for (const name in a) {
    if (b[name] !== a[name] || !Object.hasOwn(b, name)) return false;
    count++;
  }
  for (const _ in b) count--;
  return count === 0;
}

function notOwner() {
  return forbidden('NOT_OWNER', 'This portal session belongs to another user, so you cannot use or change it.');
}

function notFoundSession(id: string): never {
  throw notFound('Portal session', id);
}

/** Validates a PortalInput (BAD_USER_INPUT per field) and fills the optional parts. */
function parsePortalInput(input: unknown): PortalFields {
  const raw = (input ?? {}) as Record<string, unknown>;
  const data = parseInput(
    PortalInputSchema,
    {
      ...raw,
      usernameField: raw.usernameField ?? 'username',
      passwordField: raw.passwordField ?? 'password',
      refreshIntervalSeconds: raw.refreshIntervalSeconds ?? 300,
      idleTimeoutSeconds: raw.idleTimeoutSeconds ?? 1800,
    },
    'input',
  );
  return {
    name: data.name,
    connector: data.connector,
    loginUrl: data.loginUrl,
    usernameField: data.usernameField,
    passwordField: data.passwordField,
    extraFields: data.extraFields ?? {},
    keepAliveUrl: data.keepAliveUrl,
    loggedOutPattern: data.loggedOutPattern ?? null,
    refreshIntervalSeconds: data.refreshIntervalSeconds,
    idleTimeoutSeconds: data.idleTimeoutSeconds,
  };
}
