import { setMaxListeners } from 'node:events';
import { Repeater, SlidingBuffer } from '@repeaterjs/repeater';
import type { PubSub } from 'graphql-yoga';
import type { Role } from './config.js';
import type { UserStatus } from './accounts/store.js';
import type { RevokedReason, Session } from './sessions/store.js';
import type { Job } from './jobs/store.js';
import type { PortalSession } from './portal/store.js';

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
}

/**
 * Topics, each keyed by the id it concerns so a publish reaches only the listeners of that key
 * (an EventTarget per key) instead of being broadcast and filtered.
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

/**
 * Creates the in-process pubsub: one EventTarget event type per topic key, so a publish reaches only
 * that key's listeners. Each subscription gets its own buffer (a shared one would mix streams).
 */
export function createEvents(target: EventTarget = new EventTarget()): Events {
  // Many subscribers on one key is normal (one user's sockets × subscriptions, capped by the ws
  // limits), not a leak: raise Node's warning threshold of 10 listeners per event type.
  setMaxListeners(5000, target);
  const counts = new Map<string, number>();
  const count = (topic: string, delta: number) => {
    const next = (counts.get(topic) ?? 0) + delta;
    if (next > 0) counts.set(topic, next);
    else counts.delete(topic);
  };
  const byRoutingKey = new Map<string, number>();
  const events: Events = {
    subscriberCount(routingKey: string, id?: string) {
      return counts.get(id === undefined ? routingKey : `${routingKey}:${id}`) ?? 0;
    },
    listenersByTopic() {
      return Object.fromEntries(byRoutingKey);
    },
    publish(routingKey: string, ...args: unknown[]) {
      const keyed = args.length > 1;
      const topic = keyed ? `${routingKey}:${String(args[0])}` : routingKey;
      target.dispatchEvent(new CustomEvent(topic, { detail: keyed ? args[1] : args[0] }));
      events.onPublish?.(routingKey);
    },
    subscribe(routingKey: string, id?: string) {
      const topic = id === undefined ? routingKey : `${routingKey}:${id}`;
      return new Repeater((push, stop) => {
        const listener = (event: Event) => void push((event as CustomEvent).detail);
        target.addEventListener(topic, listener);
        count(topic, 1);
        byRoutingKey.set(routingKey, (byRoutingKey.get(routingKey) ?? 0) + 1);
        void stop.then(() => {
          target.removeEventListener(topic, listener);
          count(topic, -1);
          byRoutingKey.set(routingKey, (byRoutingKey.get(routingKey) ?? 1) - 1);
        });
      }, new SlidingBuffer(SUBSCRIBER_BUFFER));
    },
  } as Events;
  return events;
}
