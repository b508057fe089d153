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

interface SocketState {
  sessions: Set<string>;
  /** Subscriptions on this socket watching their own session's events (they get a final notice). */
  ownSessionWatchers: number;
  pendingClose: { reason: string; timer: NodeJS.Timeout } | null;
  /** The final notice went out before the session-ended signal reached the registry. */
  finalNoticeSeen: boolean;
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
  private readonly bySession = new Map<string, { sockets: Set<ClosableSocket>; stop: () => void }>();
  private readonly state = new Map<ClosableSocket, SocketState>();

  constructor(private readonly events: Events) {}

  /** Ties a socket to a session (at connect, or at its first authorized subscribe). */
  register(sessionId: string, socket: ClosableSocket): void {
    const state = this.stateOf(socket);
    if (state.sessions.has(sessionId)) return;
    state.sessions.add(sessionId);
    let entry = this.bySession.get(sessionId);
    if (!entry) {
      const stream = this.events.subscribe('session', sessionId);
      entry = { sockets: new Set(), stop: () => void stream.return() };
      this.bySession.set(sessionId, entry);
      void (async () => {
        for await (const ended of stream) this.sessionEnded(sessionId, ended);
      })();
    }
    entry.sockets.add(socket);
  }

  /** Forgets a socket that closed. */
  unregister(socket: ClosableSocket): void {
    const state = this.state.get(socket);
    if (!state) return;
    if (state.pendingClose) clearTimeout(state.pendingClose.timer);
    this.state.delete(socket);
    for (const sessionId of state.sessions) {
      const entry = this.bySession.get(sessionId);
      if (!entry) continue;
      entry.sockets.delete(socket);
      if (entry.sockets.size === 0) {
        entry.stop();
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
    setImmediate(() => this.close(socket, pending.reason));
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

  private sessionEnded(sessionId: string, event: SessionEndedEvent) {
    const entry = this.bySession.get(sessionId);
    if (!entry) return;
    const reason = closeReasonFor(event);
    for (const socket of entry.sockets) {
      const state = this.stateOf(socket);
      if (state.ownSessionWatchers > 0 && !state.finalNoticeSeen) {
        // Wait for the subscriber's own notice (finalNoticeSent), but never forever.
        state.pendingClose = { reason, timer: setTimeout(() => this.close(socket, reason), FINAL_NOTICE_TIMEOUT_MS) };
      } else {
        setImmediate(() => this.close(socket, reason));
      }
    }
  }

  private close(socket: ClosableSocket, reason: string) {
    if (socket.readyState <= 1) socket.close(SESSION_CLOSE_CODE, reason);
  }

  private stateOf(socket: ClosableSocket): SocketState {
    let state = this.state.get(socket);
    if (!state) {
      state = { sessions: new Set(), ownSessionWatchers: 0, pendingClose: null, finalNoticeSeen: false };
      this.state.set(socket, state);
    }
    return state;
  }
}
