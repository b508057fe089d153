import type { Repeater } from '@repeaterjs/repeater';
import type { PubSub } from 'graphql-yoga';
import type { Role } from './config.js';
import type { UserStatus } from './accounts/store.js';
import type { RevokedReason, Session } from './sessions/store.js';
import type { Job } from './jobs/store.js';
import type { Portal, PortalSession } from './portal/store.js';

/** Pushed on `user:status:<userId>` whenever an account's status or role changes. */
export interface AccountStatusEvent {
  userId: string;
  status: UserStatus;
  previousStatus: UserStatus | null;
  role: Role;
  reason: string | null;
  /** Unix seconds. */
  at: number;
}

export type SessionEventType = 'CREATED' | 'REVOKED' | 'EXPIRED' | 'REFRESHED';

/** Pushed on `user:sessions:<userId>` for every change to one of that user's sessions. */
export interface SessionEvent {
  type: SessionEventType;
  session: Session;
  reason: RevokedReason | null;
  at: number;
}

/** Pushed on `session:<sessionId>` when that session stops being usable. */
export interface SessionEndedEvent {
  sessionId: string;
  type: 'REVOKED' | 'EXPIRED';
  reason: RevokedReason;
}

export type PendingApprovalType = 'REQUESTED' | 'APPROVED' | 'REJECTED';

/** Pushed on `admins` when the approval queue changes. */
export interface PendingApprovalEvent {
  type: PendingApprovalType;
  userId: string;
  at: number;
}

export type JobEventType = 'POSTED' | 'UPDATED' | 'CLOSED' | 'REOPENED' | 'DELETED';

/** Pushed on `jobs` and `jobs:employer:<employerId>` for every change to a job. */
export interface JobEvent {
  type: JobEventType;
  job: Job;
  at: number;
}

export type PortalSessionEventType = 'OPENED' | 'REFRESHED' | 'REFRESH_FAILED' | 'EXPIRED' | 'CLOSED';

/** Pushed on `portal:<ownerId>` for every change to one of that user's portal sessions (never secrets). */
export interface PortalSessionEvent {
  type: PortalSessionEventType;
  session: PortalSession;
  at: number;
  /**
   * The session's portal as it was, on the CLOSED events of a portal being deleted: by the time the
   * event is delivered the portal row is gone, and the session's `portal` still resolves from this.
   */
  portal?: Portal;
}

/**
 * Topics, each keyed by the id it concerns so a publish reaches only the listeners of that key
 * (a set of streams per key) instead of being broadcast and filtered.
 */
export type Topics = {
  'user:status': [userId: string, event: AccountStatusEvent];
  'user:sessions': [userId: string, event: SessionEvent];
  session: [sessionId: string, event: SessionEndedEvent];
  admins: [event: PendingApprovalEvent];
  jobs: [event: JobEvent];
  'jobs:employer': [employerId: string, event: JobEvent];
  portal: [ownerId: string, event: PortalSessionEvent];
};

/** The app's typed pubsub, plus live subscriber counts (for metrics and for tests to know a stream is live). */
export type Events = PubSub<Topics> & {
  /** How many streams currently listen on a topic (and key). */
  subscriberCount(routingKey: keyof Topics, id?: string): number;
  /** Live listeners per routing key (all keys of a topic added up), for metrics. */
  listenersByTopic(): Record<string, number>;
  /** Called after every local publish, with its routing key (metrics). */
  onPublish?: (routingKey: string) => void;
};

/** How many undelivered events one slow subscriber may hold before its oldest are dropped. */
const SUBSCRIBER_BUFFER = 1024;

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

/**
 * One subscription to one topic key: an async iterator over the events published there, with a
 * sliding buffer of {@link SUBSCRIBER_BUFFER} (the oldest is dropped when a slow consumer falls
 * behind). Like a Repeater it attaches its listener on the first `next()` (an iterator nobody pulls
 * holds no listener) and detaches it the moment the consumer returns, even while a `next()` waits:
 * that call then resolves as done. The stream itself is what its key's listener set holds
 * (`deliver`), so an idle subscription is this object and its place in that set, nothing else.
 */
class TopicStream<T> implements AsyncIterableIterator<T> {
  private buffer: T[] | null = null;
  private waiters: ((result: IteratorResult<T>) => void)[] | null = null;
  private state: 'new' | 'live' | 'done' = 'new';

  constructor(
    private readonly attach: () => void,
    private readonly detach: () => void,
  ) {}

  deliver(value: T): void {
    if (this.state !== 'live') return;
    const waiter = this.waiters?.shift();
    if (waiter) return waiter({ value, done: false });
    const buffer = (this.buffer ??= []);
    if (buffer.length >= SUBSCRIBER_BUFFER) buffer.shift();
    buffer.push(value);
  }

  next(): Promise<IteratorResult<T>> {
    if (this.state === 'new') {
      this.state = 'live';
      this.attach();
    }
    if (this.buffer && this.buffer.length > 0) return Promise.resolve({ value: this.buffer.shift()!, done: false });
    if (this.state === 'done') return Promise.resolve(DONE);
    return new Promise((resolve) => (this.waiters ??= []).push(resolve));
  }

  return(): Promise<IteratorResult<T>> {
    if (this.state === 'live') this.detach();
    this.state = 'done';
    this.buffer = null;
    const waiters = this.waiters;
    this.waiters = null;
    for (const waiter of waiters ?? []) waiter(DONE);
    return Promise.resolve(DONE);
  }

  throw(error?: unknown): Promise<IteratorResult<T>> {
    void this.return();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}

/**
 * Creates the in-process pubsub: a set of streams per topic key, so a publish reaches only that key's
 * subscribers and a subscribe or unsubscribe costs the same with one subscriber or fifty thousand on
 * a key. (An EventTarget per key did the same routing, but Node's addEventListener and
 * removeEventListener walk the key's whole listener list: opening N jobEvents subscriptions cost
 * O(N²).) Each subscription gets its own buffer (a shared one would mix streams).
 */
export function createEvents(): Events {
  const listeners = new Map<string, Set<TopicStream<unknown>>>();
  const byRoutingKey = new Map<string, number>();
  const events: Events = {
    subscriberCount(routingKey: string, id?: string) {
      return listeners.get(id === undefined ? routingKey : `${routingKey}:${id}`)?.size ?? 0;
    },
    listenersByTopic() {
      return Object.fromEntries(byRoutingKey);
    },
    publish(routingKey: string, ...args: unknown[]) {
      const keyed = args.length > 1;
      const subscribers = listeners.get(keyed ? `${routingKey}:${String(args[0])}` : routingKey);
      // deliver() only queues or hands the value to a waiting pull, so the set cannot change under us.
      if (subscribers) for (const stream of subscribers) stream.deliver(keyed ? args[1] : args[0]);
      events.onPublish?.(routingKey);
    },
    subscribe(routingKey: string, id?: string) {
      const topic = id === undefined ? routingKey : `${routingKey}:${id}`;
      const stream: TopicStream<unknown> = new TopicStream(
        () => {
          let subscribers = listeners.get(topic);
          if (!subscribers) listeners.set(topic, (subscribers = new Set()));
          subscribers.add(stream);
          byRoutingKey.set(routingKey, (byRoutingKey.get(routingKey) ?? 0) + 1);
        },
        () => {
          const subscribers = listeners.get(topic);
          subscribers?.delete(stream);
          if (subscribers?.size === 0) listeners.delete(topic);
          byRoutingKey.set(routingKey, (byRoutingKey.get(routingKey) ?? 1) - 1);
        },
      );
      // The Repeater methods callers use (next, return, throw, async iteration), without its executor,
      // stop promise and closures: thousands of idle subscriptions each hold one of these.
      return stream as unknown as Repeater<never>;
    },
  } as Events;
  return events;
}
