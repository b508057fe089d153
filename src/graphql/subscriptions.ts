import { GraphQLError } from 'graphql';
import { Repeater } from '@repeaterjs/repeater';
import type { GraphQLContext } from './context.js';
import type { Viewer } from '../sessions/service.js';
import { unauthenticated } from './errors.js';

/**
 * One item of a guarded stream: an event to resolve (with the viewer as re-read for this delivery,
 * when the subscriber has a session), or an error to send before the stream ends.
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
 * A Repeater rather than an async generator: a generator waiting for its next event cannot be
 * returned early, so a client that unsubscribes would leave its topic listener behind until the
 * next event; a Repeater stops (and drops its listeners) the moment the consumer returns.
 */
export function guardedStream<T extends TimedEvent>(
  ctx: GraphQLContext,
  source: AsyncIterable<T>,
  options: GuardOptions<T> = {},
): AsyncIterableIterator<Delivery<T>> {
  return new Repeater<Delivery<T>>(async (push, stop) => {
    const sessionId = ctx.viewer?.session.id;
    const events = source[Symbol.asyncIterator]();
    // Own-session streams learn of their end from their own REVOKED/EXPIRED event instead.
    const ended = sessionId && !options.isFinal ? ctx.events.subscribe('session', sessionId) : null;
    const endedSignal: Promise<typeof ENDED> | null = ended ? ended.next().then(toEnded) : null;
    const stopped: Promise<typeof ENDED> = stop.then(toEnded);
    const unwatch = options.isFinal ? ctx.socketHooks?.watchOwnSession() : undefined;
    /** Delivers the session's own final notice, then ends. */
    const finish = async (delivery: Delivery<T>, final = false) => {
      if (final) {
        // The subscriber's other streams may still be re-reading the session for events published
        // before this one (a REJECTED status with its reason): those reads are synchronous SQLite
        // behind promises, so one turn of the event loop lets them go out before the final notice.
        await new Promise((resolve) => setImmediate(resolve));
        ctx.socketHooks?.finalNoticeSent();
      }
      await push(delivery);
      stop();
    };
    try {
      // Pulling once attaches the topic listener before the initial state is read, so nothing is missed.
      let pending = events.next();
      if (options.initial) {
        const first = await options.initial(ctx.viewer);
        if (first !== null) await push({ event: first });
      }
      for (;;) {
        const next = await Promise.race(endedSignal ? [pending, endedSignal, stopped] : [pending, stopped]);
        if (next === ENDED || next.done) return;
        const event = next.value;
        pending = events.next();
        if (options.accept && !options.accept(event)) continue;
        if (!sessionId) {
          await push({ event });
          continue;
        }
        // Read after the event was published; shared with every other delivery waiting on the same turn.
        const fresh = await ctx.services.sessions.reloadForDelivery(sessionId);
        if (!fresh.ok) {
          if (ctx.viewer && options.isFinal?.(event, ctx.viewer)) return await finish({ event }, true);
          // Events from before the session ended still go out (e.g. REJECTED with its reason, published
          // just before the rejection revoked the session); anything later ends the stream.
          if (fresh.endedAt !== undefined && event.at <= fresh.endedAt) {
            await push({ event });
            continue;
          }
          return await finish({ error: unauthenticated(fresh.reason) });
        }
        try {
          options.authorize?.(fresh.viewer);
        } catch (error) {
          if (error instanceof GraphQLError) return await finish({ error });
          throw error;
        }
        if (options.isFinal?.(event, fresh.viewer)) return await finish({ event, viewer: fresh.viewer }, true);
        await push({ event, viewer: fresh.viewer });
      }
    } finally {
      stop();
      unwatch?.();
      void events.return?.();
      void ended?.return();
    }
  });
}

const ENDED = Symbol('session ended');
/** Shared rather than a closure per subscription (thousands of idle subscriptions each hold their own). */
const toEnded = (): typeof ENDED => ENDED;
