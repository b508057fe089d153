import { GraphQLError } from 'graphql';
import type { GraphQLContext } from './context.js';
import type { AuthResult, KnownViewer, Viewer } from '../sessions/service.js';
import { unauthenticated } from './errors.js';

/**
 * One item of a guarded stream: an event to resolve (with the viewer as re-read for this delivery,
 * when the subscriber has a session), or an error to send before the stream ends. Resolvers take the
 * event with {@link unwrapDelivery} and the viewer from the context, never from the delivery: shared
 * results (SharedResults) rely on every viewer read going through the context.
 */
export type Delivery<T> = { event: T; viewer?: Viewer } | { error: GraphQLError };

export interface GuardOptions<T> {
  /** Skips events this subscriber did not ask for (filters that are not a topic key). */
  accept?: (event: T) => boolean;
  /** Re-checked on every delivery against the viewer read fresh; throws a typed error to refuse. */
  authorize?: (viewer: Viewer) => void;
  /** The state to send first, read after the topic listener is attached so nothing is missed. */
  initial?: (viewer: Viewer | null) => Promise<T | null>;
  /**
   * An event about the subscriber's own session ending. It is delivered even though the session is
   * no longer live, and the stream ends after it (the REVOKED/EXPIRED notice before the socket closes).
   */
  isFinal?: (event: T, viewer: Viewer) => boolean;
}

/** Events carry the unix second they happened at. */
interface TimedEvent {
  at: number;
}

/**
 * The published event a delivery carries: one object shared by every subscriber of that publish, so
 * results computed from it can be shared too (see SharedResults). Null for an error delivery or
 * anything that is not a {@link Delivery}.
 */
export function sharedEventOf(item: unknown): object | null {
  if (typeof item !== 'object' || item === null || !('event' in item)) return null;
  const event = (item as { event: unknown }).event;
  return typeof event === 'object' && event !== null ? event : null;
}

/** The viewer a delivery was authorized against (read fresh for it), if any. */
export function deliveredViewerOf(item: unknown): Viewer | null {
  return typeof item === 'object' && item !== null && 'viewer' in item ? ((item as { viewer?: Viewer }).viewer ?? null) : null;
}

/** Unwraps a {@link Delivery} in a subscription field's resolve. */
export function unwrapDelivery<T>(delivery: Delivery<T>): T {
  if ('error' in delivery) throw delivery.error;
  return delivery.event;
}

/**
 * Wraps a topic stream so the subscription is authorized again on every delivery with the session
 * and user read fresh (a demoted admin stops receiving), and ends when the subscriber's session
 * ends, on every transport (graphql-ws and SSE alike).
 *
 * An iterator object rather than an async generator: a generator waiting for its next event cannot
 * be returned early, so a client that unsubscribes would leave its topic listener behind until the
 * next event; this one stops (and drops its listeners) the moment the consumer returns. Deliveries
 * are produced as the consumer pulls (the topic stream buffers meanwhile).
 */
export function guardedStream<T extends TimedEvent>(
  ctx: GraphQLContext,
  source: AsyncIterable<T>,
  options: GuardOptions<T> = {},
): AsyncIterableIterator<Delivery<T>> {
  return new GuardedStream(ctx, source[Symbol.asyncIterator](), options);
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });
const ENDED = Symbol('session ended');
const ENDED_NOW = Promise.resolve(ENDED);

/** See {@link guardedStream}. One per subscription, so its state is fields and its steps are methods. */
class GuardedStream<T extends TimedEvent> implements AsyncIterableIterator<Delivery<T>> {
  private state: 'new' | 'live' | 'last' | 'done' = 'new';
  /** The topic's next event, pulled ahead so its listener is attached before the initial state is read. */
  private pending: Promise<IteratorResult<T>> | null = null;
  /** The consumer's waiting `next()`. */
  private waiter: { resolve: (result: IteratorResult<Delivery<T>>) => void; reject: (error: unknown) => void } | null = null;
  private ended: AsyncIterator<unknown> | null = null;
  /** The subscriber's session ended (`session:<id>`); the stream ends at its next wait for an event. */
  private sessionEnded = false;
  /** Waiting for the topic's next event (the session ending then ends the stream at once). */
  private waiting = false;
  private unwatch: (() => void) | undefined;
  private readonly sessionId: string | undefined;
  /** The viewer the last delivery was authorized against, while it may be reused (see SessionService.stillCurrent). */
  private known: KnownViewer | null = null;

  constructor(
    private readonly ctx: GraphQLContext,
    private readonly events: AsyncIterator<T>,
    private readonly options: GuardOptions<T>,
  ) {
    this.sessionId = ctx.viewer?.session.id;
  }

  next(): Promise<IteratorResult<Delivery<T>>> {
    if (this.state === 'done' || this.state === 'last') {
      this.end();
      return Promise.resolve(DONE);
    }
    const result = new Promise<IteratorResult<Delivery<T>>>((resolve, reject) => (this.waiter = { resolve, reject }));
    this.produce().then(
      (value) => this.settle(value === null ? DONE : { value, done: false }),
      (error: unknown) => {
        const waiter = this.waiter;
        this.waiter = null;
        this.end();
        waiter?.reject(error);
      },
    );
    return result;
  }

  return(): Promise<IteratorResult<Delivery<T>>> {
    this.end();
    return Promise.resolve(DONE);
  }

  throw(error?: unknown): Promise<IteratorResult<Delivery<T>>> {
    this.end();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Delivery<T>> {
    return this;
  }

  /** The next delivery, or null when the stream is over. */
  private async produce(): Promise<Delivery<T> | null> {
    const { ctx, options, sessionId } = this;
    if (this.state === 'new') {
      this.state = 'live';
      // Pulling once attaches the topic listener before the initial state is read, so nothing is missed.
      this.pending = this.events.next();
      if (sessionId && !options.isFinal) {
        // Own-session streams learn of their end from their own REVOKED/EXPIRED event instead.
        this.ended = ctx.events.subscribe('session', sessionId);
        void this.ended.next().then(() => this.onSessionEnded());
      }
      if (options.isFinal) this.unwatch = ctx.socketHooks?.watchOwnSession();
      if (options.initial) {
        const first = await options.initial(ctx.viewer);
        if (first !== null) return { event: first };
      }
    }
    for (;;) {
      // Once the session has ended, an event already waiting still wins (events published before the
      // end go out, see below); otherwise the stream ends.
      this.waiting = true;
      const next = this.sessionEnded ? await Promise.race([this.pending!, ENDED_NOW]) : await this.pending!;
      this.waiting = false;
      if (next === ENDED) {
        this.end();
        return null;
      }
      if (next.done || this.stopped) return null;
      const event = next.value;
      this.pending = this.events.next();
      if (options.accept && !options.accept(event)) continue;
      if (!sessionId) return { event };
      // Checked after the event was published: the viewer of the last delivery if provably unchanged
      // since, else read again (one read shared with every other delivery waiting on the same turn).
      const unchanged = this.known && ctx.services.sessions.stillCurrent(this.known);
      let fresh: AuthResult;
      if (unchanged) {
        fresh = { ok: true, viewer: unchanged };
      } else {
        const read = await ctx.services.sessions.reloadForDelivery(sessionId);
        if (this.stopped) return null;
        this.known = read.known ?? null;
        fresh = read;
      }
      if (!fresh.ok) {
        if (ctx.viewer && options.isFinal?.(event, ctx.viewer)) return this.last({ event }, true);
        // Events from before the session ended still go out (e.g. REJECTED with its reason, published
        // just before the rejection revoked the session); anything later ends the stream.
        if (fresh.endedAt !== undefined && event.at <= fresh.endedAt) return { event };
        return this.last({ error: unauthenticated(fresh.reason) });
      }
      try {
        options.authorize?.(fresh.viewer);
      } catch (error) {
        if (error instanceof GraphQLError) return this.last({ error });
        throw error;
      }
      if (options.isFinal?.(event, fresh.viewer)) return this.last({ event, viewer: fresh.viewer }, true);
      return { event, viewer: fresh.viewer };
    }
  }

  private onSessionEnded() {
    this.sessionEnded = true;
    if (this.waiting) this.end();
  }

  /** Delivers one last item (the session's own final notice, or the error that ends it); then the stream ends. */
  private async last(delivery: Delivery<T>, finalNotice = false): Promise<Delivery<T> | null> {
    this.state = 'last';
    if (finalNotice) {
      // The subscriber's other streams may still be re-reading the session for events published
      // before this one (a REJECTED status with its reason): those reads are synchronous SQLite
      // behind promises, so one turn of the event loop lets them go out before the final notice.
      await new Promise((resolve) => setImmediate(resolve));
      if (this.stopped) return null;
      this.ctx.socketHooks?.finalNoticeSent();
    }
    return delivery;
  }

  /** A getter, so TypeScript does not narrow it away across the awaits that may change it. */
  private get stopped(): boolean {
    return this.state === 'done';
  }

  private settle(result: IteratorResult<Delivery<T>>) {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.resolve(result);
  }

  private end() {
    if (this.state === 'done') return;
    this.state = 'done';
    this.unwatch?.();
    void this.events.return?.();
    void this.ended?.return?.();
    this.settle(DONE);
  }
}
