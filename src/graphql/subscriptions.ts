import { GraphQLError } from 'graphql';
import { Repeater } from 'graphql-yoga';
import type { GraphQLContext } from './context.js';
import type { Viewer } from '../sessions/service.js';
import { unauthenticated } from './errors.js';

/** One item of a guarded stream: an event to resolve, or an error to send before the stream ends. */
export type Delivery<T> = { event: T } | { error: GraphQLError };

export interface GuardOptions<T> {
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
export async function* guardedStream<T>(
  ctx: GraphQLContext,
  source: AsyncIterable<T>,
  options: GuardOptions<T> = {},
): AsyncGenerator<Delivery<T>> {
  const sessionId = ctx.viewer?.session.id;
  type Tagged = { kind: 'event'; event: T } | { kind: 'ended' };
  const streams: AsyncIterable<Tagged>[] = [tag(source, (event) => ({ kind: 'event', event }))];
  if (sessionId && !options.isFinal) {
    streams.push(tag(ctx.events.subscribe('session', sessionId), () => ({ kind: 'ended' as const })));
  }
  const merged = Repeater.merge(streams) as AsyncGenerator<Tagged>;
  const unwatch = options.isFinal ? ctx.socketHooks?.watchOwnSession() : undefined;
  try {
    // Pulling once attaches every listener before the initial state is read.
    let pending = merged.next();
    if (options.initial) {
      const first = await options.initial(ctx.viewer);
      if (first !== null) yield { event: first };
    }
    for (;;) {
      const { value, done } = await pending;
      if (done) return;
      if (value.kind === 'ended') return;
      const event = value.event;
      if (sessionId) {
        const fresh = await ctx.services.sessions.reload(sessionId);
        if (!fresh.ok) {
          if (ctx.viewer && options.isFinal?.(event, ctx.viewer)) {
            ctx.socketHooks?.finalNoticeSent();
            yield { event };
          } else yield { error: unauthenticated(fresh.reason) };
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
      }
      yield { event };
      pending = merged.next();
    }
  } finally {
    unwatch?.();
    await merged.return?.(undefined);
  }
}

async function* tag<S, T>(source: AsyncIterable<S>, wrap: (value: S) => T): AsyncGenerator<T> {
  for await (const value of source) yield wrap(value);
}
