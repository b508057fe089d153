import DataLoader from 'dataloader';
import type { Config } from '../config.js';
import type { Clock } from '../lib/clock.js';
import type { Events } from '../events.js';
import type { AccountService } from '../accounts/service.js';
import type { User } from '../accounts/store.js';
import type { AuditService } from '../audit/service.js';
import type { RequestMeta, SessionService, Viewer } from '../sessions/service.js';
import type { OpsService } from '../ops/service.js';
import type { JobService } from '../jobs/service.js';
import type { PortalService } from '../portal/service.js';
import type { Portal } from '../portal/store.js';
import type { Logger } from '../lib/logger.js';

/** Everything the resolvers call into. */
export interface Services {
  accounts: AccountService;
  sessions: SessionService;
  audit: AuditService;
  ops: OpsService;
  jobs: JobService;
  portal: PortalService;
}

/** Shared, long-lived parts of the app handed to every request. */
export interface AppDeps {
  config: Config;
  clock: Clock;
  events: Events;
  services: Services;
  log: Logger;
}

/** Per-request loaders; new for every operation so nothing about a user outlives a request. */
export interface Loaders {
  users: DataLoader<string, User | null>;
  portals: DataLoader<string, Portal | null>;
}

/** The GraphQL context of one operation (HTTP request or graphql-ws subscribe). */
export interface GraphQLContext extends AppDeps {
  /** The caller, read fresh for this operation; null when anonymous. */
  viewer: Viewer | null;
  meta: RequestMeta;
  requestId: string;
  transport: 'http' | 'ws';
  loaders: Loaders;
  /**
   * Users whose private fields (email, status…) this operation may show besides the viewer's own: the
   * user a signUp or signIn just proved to be (the request itself is still anonymous).
   */
  revealedUserIds: Set<string>;
  /** Cookie mode over HTTP only: sets or clears the session cookie on this response. */
  cookies?: SessionCookies;
  /** graphql-ws only: lets a subscription tell the socket registry about its final notice. */
  socketHooks?: SocketHooks;
}

/** Writes the session cookie of the current HTTP response (cookie mode). */
export interface SessionCookies {
  set(token: string, maxAgeSeconds: number): void;
  clear(): void;
}

/** What a graphql-ws subscription may tell the socket it runs on. */
export interface SocketHooks {
  /** This subscription watches its own session's events; returns the undo. */
  watchOwnSession(): () => void;
  /** The final REVOKED/EXPIRED notice is being delivered; the socket may close after it. */
  finalNoticeSent(): void;
}

/** Builds the per-operation context once the caller is known. */
export function createContext(
  deps: AppDeps,
  init: { viewer: Viewer | null; meta: RequestMeta; requestId: string; transport: 'http' | 'ws'; socketHooks?: SocketHooks; cookies?: SessionCookies },
): GraphQLContext {
  // Loaders are built on first use: most subscriptions never load anything, and a subscription's
  // context lives as long as it does. (A class with prototype getters, so yoga's Object.assign of
  // this context copies the holder, not the loaders.)
  // Written out rather than spread: a literal gets one fixed shape, which every resolver's reads use.
  return {
    config: deps.config,
    clock: deps.clock,
    events: deps.events,
    services: deps.services,
    log: deps.log,
    viewer: init.viewer,
    meta: init.meta,
    requestId: init.requestId,
    transport: init.transport,
    socketHooks: init.socketHooks,
    cookies: init.cookies,
    loaders: freshLoaders(deps, init.viewer),
    revealedUserIds: new Set(),
  };
}

/**
 * New loaders for one unit of work on an existing context: a subscription's context lives as long as
 * the subscription, so each event it resolves gets its own (rows loaded for one event are not served
 * for the next). `viewer`'s own user row is primed when given.
 */
export function freshLoaders(deps: AppDeps, viewer: Viewer | null): Loaders {
  return new LazyLoaders(deps, viewer);
}

class LazyLoaders implements Loaders {
  private usersLoader?: Loaders['users'];
  private portalsLoader?: Loaders['portals'];

  constructor(
    private readonly deps: AppDeps,
    private readonly viewer: Viewer | null,
  ) {}

  get users(): Loaders['users'] {
    if (!this.usersLoader) {
      const { accounts } = this.deps.services;
      this.usersLoader = loaderById((ids) => accounts.getUsers(ids));
      // The viewer's own row is already loaded with the session; seed it so it is not read twice.
      if (this.viewer) this.usersLoader.prime(this.viewer.user.id, this.viewer.user);
    }
    return this.usersLoader;
  }

  get portals(): Loaders['portals'] {
    const { portal } = this.deps.services;
    return (this.portalsLoader ??= loaderById((ids) => portal.findPortals(ids)));
  }
}

/** A DataLoader over a batch read by ids; ids not found load as null. */
function loaderById<T extends { id: string }>(read: (ids: readonly string[]) => Promise<T[]>): DataLoader<string, T | null> {
  return new DataLoader(async (ids) => {
    const byId = new Map((await read(ids)).map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}
