import type { Events, SessionEndedEvent } from '../events.js';

/** The part of a WebSocket the registry needs. */
export interface ClosableSocket {
  close(code: number, reason: string): void;
  readonly readyState: number;
}

/** Close code for "your session is no longer valid"; graphql-ws clients treat it as fatal, not retryable. */
export const SESSION_CLOSE_CODE = 4401;

/** How long to wait for a socket's own REVOKED/EXPIRED notice to go out before closing anyway. */
const FINAL_NOTICE_TIMEOUT_MS = 1000;

/** What the registry keeps per socket (a class: one shape for all sockets, no per-socket closures). */
class SocketState {
  /** The first session the socket was tied to (nearly every socket has exactly one). */
  session: string;
  /** Further sessions (per-operation tokens of other sessions on the same socket), if any. */
  moreSessions: Set<string> | null = null;
  /** Subscriptions on this socket watching their own session's events (they get a final notice). */
  ownSessionWatchers = 0;
  pendingClose: { reason: string; timer: NodeJS.Timeout } | null = null;
  /** The final notice went out before the session-ended signal reached the registry. */
  finalNoticeSeen = false;

  constructor(session: string) {
    this.session = session;
  }

  has(sessionId: string): boolean {
    return this.session === sessionId || (this.moreSessions?.has(sessionId) ?? false);
  }

  add(sessionId: string): void {
    if (this.session === '') this.session = sessionId;
    else (this.moreSessions ??= new Set()).add(sessionId);
  }

  /** Every session the socket is tied to. */
  sessions(): string[] {
    const all = this.session === '' ? [] : [this.session];
    if (this.moreSessions) all.push(...this.moreSessions);
    return all;
  }
}

/** One session's open sockets and its `session:<id>` watch (pulled one event at a time, no async loop). */
class SessionWatch {
  readonly sockets = new Set<ClosableSocket>();
  private readonly stream: AsyncIterator<SessionEndedEvent>;

  constructor(
    private readonly registry: SessionSockets,
    readonly sessionId: string,
    events: Events,
  ) {
    this.stream = events.subscribe('session', sessionId);
    this.pull();
  }

  stop(): void {
    void this.stream.return?.();
  }

  private pull(): void {
    void this.stream.next().then((result) => {
      if (result.done) return;
      this.registry.sessionEnded(this, result.value);
      this.pull();
    });
  }
}

/** The close reason for a session that ended: `SESSION_EXPIRED` or `SESSION_REVOKED:<reason>`. */
export function closeReasonFor(event: SessionEndedEvent): string {
  return event.type === 'EXPIRED' ? 'SESSION_EXPIRED' : `SESSION_REVOKED:${event.reason}`;
}

/**
 * Which graphql-ws sockets belong to which session. Each session with sockets listens on its own
 * `session:<id>` topic, so ending one session touches only that session's sockets. When a session
 * ends, its subscribers get their REVOKED/EXPIRED notice first and the sockets then close with 4401.
 */
export class SessionSockets {
  private readonly bySession = new Map<string, SessionWatch>();
  private readonly state = new Map<ClosableSocket, SocketState>();

  constructor(private readonly events: Events) {}

  /** Ties a socket to a session (at connect, or at its first authorized subscribe). */
  register(sessionId: string, socket: ClosableSocket): void {
    let state = this.state.get(socket);
    if (!state) {
      state = new SocketState(sessionId);
      this.state.set(socket, state);
    } else if (state.has(sessionId)) {
      return;
    } else {
      state.add(sessionId);
    }
    let watch = this.bySession.get(sessionId);
    if (!watch) {
      watch = new SessionWatch(this, sessionId, this.events);
      this.bySession.set(sessionId, watch);
    }
    watch.sockets.add(socket);
  }

  /** Forgets a socket that closed. */
  unregister(socket: ClosableSocket): void {
    const state = this.state.get(socket);
    if (!state) return;
    if (state.pendingClose) clearTimeout(state.pendingClose.timer);
    this.state.delete(socket);
    for (const sessionId of state.sessions()) {
      const watch = this.bySession.get(sessionId);
      if (!watch) continue;
      watch.sockets.delete(socket);
      if (watch.sockets.size === 0) {
        watch.stop();
        this.bySession.delete(sessionId);
      }
    }
  }

  /** A subscription on `socket` watches its own session; returns the function that undoes it. */
  watchOwnSession(socket: ClosableSocket): () => void {
    const state = this.stateOf(socket);
    state.ownSessionWatchers += 1;
    return () => {
      state.ownSessionWatchers = Math.max(0, state.ownSessionWatchers - 1);
    };
  }

  /**
   * `watchOwnSession` and `finalNoticeSent` bound to one socket, for an operation's context: a small
   * object with methods instead of two closures per operation.
   */
  hooksFor(socket: ClosableSocket): SocketHooksOf {
    return new SocketHooksOf(this, socket);
  }

  /** The final REVOKED/EXPIRED notice for this socket's session is being sent: close right after it. */
  finalNoticeSent(socket: ClosableSocket): void {
    const state = this.state.get(socket);
    const pending = state?.pendingClose;
    if (!state || !pending) {
      if (state) state.finalNoticeSeen = true;
      return;
    }
    clearTimeout(pending.timer);
    // The notice is written in the current chain of microtasks; close once it has been queued.
    setImmediate(closeSocket, socket, pending.reason);
  }

  /** Whether `socket` may be tied to `sessionId` without the session exceeding `max` sockets. */
  hasRoomFor(sessionId: string, socket: ClosableSocket, max: number): boolean {
    const sockets = this.bySession.get(sessionId)?.sockets;
    return !sockets || sockets.has(socket) || sockets.size < max;
  }

  /** Number of sockets tied to at least one session. */
  get socketCount(): number {
    return this.state.size;
  }

  /** Number of sessions with at least one open socket. */
  get sessionCount(): number {
    return this.bySession.size;
  }

  /** @internal The watch of a session saw it end (called by {@link SessionWatch}). */
  sessionEnded(watch: SessionWatch, event: SessionEndedEvent): void {
    if (this.bySession.get(watch.sessionId) !== watch) return;
    const reason = closeReasonFor(event);
    for (const socket of watch.sockets) {
      const state = this.stateOf(socket);
      if (state.ownSessionWatchers > 0 && !state.finalNoticeSeen) {
        // Wait for the subscriber's own notice (finalNoticeSent), but never forever.
        state.pendingClose = { reason, timer: setTimeout(closeSocket, FINAL_NOTICE_TIMEOUT_MS, socket, reason) };
      } else {
        setImmediate(closeSocket, socket, reason);
      }
    }
  }

  private stateOf(socket: ClosableSocket): SocketState {
    let state = this.state.get(socket);
    if (!state) {
      // Not tied to a session (yet): an empty entry that takes the first session registered.
      state = new SocketState('');
      this.state.set(socket, state);
    }
    return state;
  }
}

/** The registry's per-socket hooks for one socket (see {@link SessionSockets.hooksFor}); matches `SocketHooks` in graphql/context.ts. */
export class SocketHooksOf {
  constructor(
    private readonly registry: SessionSockets,
    private readonly socket: ClosableSocket,
  ) {}

  watchOwnSession(): () => void {
    return this.registry.watchOwnSession(this.socket);
  }

  finalNoticeSent(): void {
    this.registry.finalNoticeSent(this.socket);
  }
}

function closeSocket(socket: ClosableSocket, reason: string): void {
  if (socket.readyState <= 1) socket.close(SESSION_CLOSE_CODE, reason);
}
