import { GraphQLError } from 'graphql';
import type { GraphQLContext } from './context.js';
import type { Viewer } from '../sessions/service.js';
import { unauthenticated } from './errors.js';

/** One item of a guarded stream: an event to resolve, or an error to send before the stream ends. */
export type Delivery<T> = { event: T } | { error: GraphQLError };

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

/** Unwraps a {@link Delivery} in a subscription field's resolve. */
export function unwrapDelivery<T>(delivery: Delivery<T>): T {
  if ('error' in delivery) throw delivery.error;
  return delivery.event;
}

/**
 * Wraps a topic stream so the subscription is authorized again on every delivery with the session
 * and user read fresh (a demoted admin stops receiving), and ends when the subscriber's session
 * ends, on every transport (graphql-ws and SSE alike).
 */
export async function* guardedStream<T extends TimedEvent>(
  ctx: GraphQLContext,
  source: AsyncIterable<T>,
  options: GuardOptions<T> = {},
): AsyncGenerator<Delivery<T>> {
  const sessionId = ctx.viewer?.session.id;
  const events = source[Symbol.asyncIterator]();
  // Own-session streams learn of their end from their own REVOKED/EXPIRED event instead.
  const ended = sessionId && !options.isFinal ? ctx.events.subscribe('session', sessionId) : null;
  const endedSignal: Promise<typeof ENDED> = ended ? ended.next().then(() => ENDED) : new Promise(() => undefined);
  const unwatch = options.isFinal ? ctx.socketHooks?.watchOwnSession() : undefined;
  try {
    // Pulling once attaches the topic listener before the initial state is read, so nothing is missed.
    let pending = events.next();
    if (options.initial) {
      const first = await options.initial(ctx.viewer);
      if (first !== null) yield { event: first };
    }
    for (;;) {
      const next = await Promise.race([pending, endedSignal]);
      if (next === ENDED || next.done) return;
      const event = next.value;
      pending = events.next();
      if (options.accept && !options.accept(event)) continue;
      if (!sessionId) {
        yield { event };
        continue;
      }
      const fresh = await ctx.services.sessions.reload(sessionId);
      if (!fresh.ok) {
        if (ctx.viewer && options.isFinal?.(event, ctx.viewer)) {
          ctx.socketHooks?.finalNoticeSent();
          yield { event };
          return;
        }
        // Events from before the session ended still go out (e.g. REJECTED with its reason, published
        // just before the rejection revoked the session); anything later ends the stream.
        if (fresh.endedAt !== undefined && event.at <= fresh.endedAt) {
          yield { event };
          continue;
        }
        yield { error: unauthenticated(fresh.reason) };
        return;
      }
      try {
        options.authorize?.(fresh.viewer);
      } catch (error) {
        if (error instanceof GraphQLError) {
          yield { error };
          return;
        }
        throw error;
      }
      if (options.isFinal?.(event, fresh.viewer)) {
        ctx.socketHooks?.finalNoticeSent();
        yield { event };
        return;
      }
      yield { event };
    }
  } finally {
    unwatch?.();
    // Not awaited: a pubsub Repeater stops (and drops its listener) at once even with a pull pending.
    void events.return?.();
    void ended?.return();
  }
}

const ENDED = Symbol('session ended');
