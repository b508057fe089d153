import type { Transactor } from '../db/transaction.js';
import type { Events, Topics } from '../events.js';
import { eventBatch, type EventBatch, type PublishEntry } from './relay.js';

/**
 * Queues an event inside a unit of work: its outbox row is written in the unit's transaction, and
 * local subscribers get it after the commit. Typed like `Events.publish`.
 */
export type QueuePublish = <K extends keyof Topics>(topic: K, ...args: Topics[K]) => void;

/**
 * Store writes, audit entries and the events they cause, made durable with ONE commit.
 *
 * `run(work)` opens a transaction, calls `work` with a `publish` that only queues, appends the outbox
 * rows of the queued events inside the same transaction (when the events are the database relay),
 * commits, and only then delivers the events to local subscribers (and so to graphql-ws sockets) in
 * the order they were queued. If `work` throws, nothing is written and nothing is delivered.
 *
 * `work` must be synchronous: it calls the stores' synchronous methods (a store transaction cannot
 * span an await). Nested `run`s join the outer transaction and their events are delivered with the
 * outer ones, after the outer commit.
 */
export class UnitOfWork {
  /** Events queued by the run in progress (null when none is). */
  private queued: PublishEntry[] | null = null;

  constructor(
    private readonly transactor: Transactor,
    private readonly events: Events,
  ) {}

  run<T>(work: (publish: QueuePublish) => T): T {
    const outer = this.queued;
    if (outer) {
      // Already inside a unit of work: its transaction and its delivery cover this one.
      const mark = outer.length;
      try {
        return this.transactor.transaction(() => work(queueInto(outer)));
      } catch (error) {
        outer.length = mark; // rolled back to the savepoint: so are its events
        throw error;
      }
    }
    const entries: PublishEntry[] = [];
    let batch: EventBatch | null = null;
    this.queued = entries;
    let result: T;
    try {
      result = this.transactor.transaction(() => {
        const value = work(queueInto(entries));
        if (entries.length > 0) {
          batch = eventBatch(this.events, entries);
          batch.persist();
        }
        return value;
      });
    } finally {
      this.queued = null;
    }
    (batch as EventBatch | null)?.deliver();
    return result;
  }
}

function queueInto(entries: PublishEntry[]): QueuePublish {
  return ((topic: keyof Topics, ...args: unknown[]) => {
    entries.push({ topic, args } as PublishEntry);
  }) as QueuePublish;
}
