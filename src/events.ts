import { createPubSub, SlidingBuffer, type PubSub } from 'graphql-yoga';
import type { Role } from './config.js';
import type { UserStatus } from './accounts/store.js';
import type { RevokedReason, Session } from './sessions/store.js';

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

/**
 * Topics, each keyed by the id it concerns so a publish reaches only the listeners of that key
 * (an EventTarget per key) instead of being broadcast and filtered.
 */
export type Topics = {
  'user:status': [userId: string, event: AccountStatusEvent];
  'user:sessions': [userId: string, event: SessionEvent];
  session: [sessionId: string, event: SessionEndedEvent];
  admins: [event: PendingApprovalEvent];
};

/** The app's typed pubsub. */
export type Events = PubSub<Topics>;

/** Creates the in-process pubsub. A slow consumer drops its oldest buffered events instead of erroring. */
export function createEvents(): Events {
  return createPubSub<Topics>({ repeaterBuffer: new SlidingBuffer(1024) });
}
