/** Close code for a socket refused by {@link AnonymousSockets} (the same as TOO_MANY_SOCKETS; graphql-ws does not retry it). */
export const ANONYMOUS_SOCKETS_CLOSE_CODE = 4429;

type Tracked = { ip: string; state: 'pending' | 'anonymous' };

/**
 * Caps graphql-ws sockets without a session per client IP. A socket is *pending* from the upgrade until
 * its `connection_init`, then *anonymous* when that carried no token (GraphiQL style: it authorizes each
 * operation instead), or leaves both counts when it carried one (those are capped per session instead).
 * At most `max` pending and `max` anonymous sockets per IP; the socket over either cap is closed with
 * {@link ANONYMOUS_SOCKETS_CLOSE_CODE} and the reason `TOO_MANY_PENDING_SOCKETS` or
 * `TOO_MANY_ANONYMOUS_SOCKETS`. Closing a socket frees its slot.
 */
export class AnonymousSockets<S extends object> {
  private readonly pending = new Map<string, number>();
  private readonly anonymous = new Map<string, number>();
  private readonly tracked = new Map<S, Tracked>();

  constructor(private readonly max: number) {}

  /** A socket was upgraded. False when its IP already has `max` sockets waiting for connection_init. */
  opened(socket: S, ip: string | null): boolean {
    const key = ip ?? 'unknown';
    if ((this.pending.get(key) ?? 0) >= this.max) return false;
    this.tracked.set(socket, { ip: key, state: 'pending' });
    bump(this.pending, key, 1);
    return true;
  }

  /**
   * Its connection_init carried no token. False when the IP already has `max` anonymous sockets (the
   * caller closes it; it no longer counts as pending).
   */
  initialisedAnonymously(socket: S): boolean {
    const entry = this.leavePending(socket);
    if (!entry) return true;
    if ((this.anonymous.get(entry.ip) ?? 0) >= this.max) {
      this.tracked.delete(socket); // counted nowhere; it is about to close
      return false;
    }
    entry.state = 'anonymous';
    bump(this.anonymous, entry.ip, 1);
    return true;
  }

  /** Its connection_init carried a token: it is capped per session from now on. */
  initialisedWithToken(socket: S): void {
    // Counted nowhere from now on: nothing is kept for it (an authenticated socket holds no entry here).
    if (this.leavePending(socket)) this.tracked.delete(socket);
  }

  /** The socket closed: its slot is free again. */
  closed(socket: S): void {
    const entry = this.tracked.get(socket);
    if (!entry) return;
    this.tracked.delete(socket);
    if (entry.state === 'pending') bump(this.pending, entry.ip, -1);
    if (entry.state === 'anonymous') bump(this.anonymous, entry.ip, -1);
  }

  /** Sockets of an IP waiting for connection_init, and initialised without a token. */
  counts(ip: string): { pending: number; anonymous: number } {
    return { pending: this.pending.get(ip) ?? 0, anonymous: this.anonymous.get(ip) ?? 0 };
  }

  private leavePending(socket: S): Tracked | undefined {
    const entry = this.tracked.get(socket);
    if (!entry || entry.state !== 'pending') return undefined;
    bump(this.pending, entry.ip, -1);
    return entry;
  }
}

function bump(counts: Map<string, number>, key: string, delta: number) {
  const next = (counts.get(key) ?? 0) + delta;
  if (next > 0) counts.set(key, next);
  else counts.delete(key);
}
