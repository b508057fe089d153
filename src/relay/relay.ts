import type { Clock } from '../lib/clock.js';
import { unixSeconds } from '../lib/clock.js';
import { newId } from '../lib/random.js';
import type { Logger } from '../lib/logger.js';
import { createEvents, type Events, type Topics } from '../events.js';
import type { OutboxStore } from './store.js';

/** How long relayed events are kept; a process that was away longer starts from "now". */
const RETENTION_SECONDS = 600;
const BATCH = 500;

/** One publish as data: a topic and the arguments `publish` takes after it. */
export type PublishEntry = { [K in keyof Topics]: { topic: K; args: Topics[K] } }[keyof Topics];

/**
 * A batch of publishes split in two steps: `persist()` appends the outbox rows (call it inside the
 * store transaction that made the changes, so one commit holds both), `deliver()` hands the events to
 * local subscribers in order (call it after that commit).
 */
export interface EventBatch {
  persist(): void;
  deliver(): void;
}

/** Events that can persist a batch of publishes in one transaction (the database relay). */
export interface BatchingEvents {
  batch(entries: readonly PublishEntry[]): EventBatch;
}

/**
 * A batch for any Events: the relay's own when it has one, else one that only delivers locally
 * (tests' plain pubsub, which has no outbox).
 */
export function eventBatch(events: Events, entries: readonly PublishEntry[]): EventBatch {
  const batching = (events as Partial<BatchingEvents>).batch;
  if (typeof batching === 'function') return batching.call(events, entries);
  return {
    persist() {},
    deliver() {
      for (const entry of entries) (events.publish as (key: string, ...rest: unknown[]) => void)(entry.topic, ...entry.args);
    },
  };
}

/** Events that also reach (and hear from) every other Gatehouse process on the same database. */
export interface RelayedEvents extends Events, BatchingEvents {
  /** This process's id in the outbox. */
  readonly origin: string;
  /** Delivers events other processes wrote since the last call; returns how many. */
  pollOnce(): number;
  /** Polls every `intervalMs` until {@link stop}. */
  start(intervalMs: number): void;
  stop(): void;
}

/**
 * Wraps the in-process pubsub with an SQLite outbox: every publish is also written there, and a
 * poller replays what other processes wrote, so `gatehouse sessions revoke` in a shell reaches the
 * running server's sockets within a poll interval. Local delivery stays synchronous and first.
 */
export function createRelayedEvents(store: OutboxStore, clock: Clock, log?: Logger): RelayedEvents {
  const local = createEvents();
  const origin = newId('proc');
  let lastSeen = store.lastId();
  let timer: NodeJS.Timeout | undefined;
  let polls = 0;

  const relayed: RelayedEvents = {
    origin,
    subscribe: local.subscribe.bind(local) as Events['subscribe'],
    subscriberCount: local.subscriberCount.bind(local),
    listenersByTopic: local.listenersByTopic.bind(local),
    set onPublish(hook: ((routingKey: string) => void) | undefined) {
      local.onPublish = hook;
    },
    get onPublish() {
      return local.onPublish;
    },
    publish: ((routingKey: string, ...args: unknown[]) => {
      (local.publish as (key: string, ...rest: unknown[]) => void)(routingKey, ...args);
      const keyed = args.length > 1;
      try {
        store.append({
          origin,
          topic: routingKey,
          key: keyed ? String(args[0]) : null,
          payload: JSON.stringify(keyed ? args[1] : args[0]),
          at: unixSeconds(clock),
        });
      } catch (error) {
        // Local listeners already have it; only other processes miss this one.
        log?.error({ err: error, topic: routingKey }, 'could not relay an event to other processes');
      }
    }) as Events['publish'],
    batch(entries) {
      let persisted = false;
      return {
        persist() {
          if (persisted) return;
          persisted = true;
          const at = unixSeconds(clock);
          try {
            store.appendMany(
              entries.map(({ topic, args }) => {
                const keyed = args.length > 1;
                return { origin, topic, key: keyed ? String(args[0]) : null, payload: JSON.stringify(keyed ? args[1] : args[0]), at };
              }),
            );
          } catch (error) {
            // As for a single publish: local listeners still get them; only other processes miss these.
            log?.error({ err: error, events: entries.length }, 'could not relay a batch of events to other processes');
          }
        },
        deliver() {
          const publish = local.publish as (key: string, ...rest: unknown[]) => void;
          for (const { topic, args } of entries) publish(topic, ...args);
        },
      };
    },
    pollOnce() {
      let delivered = 0;
      for (;;) {
        const rows = store.readAfter(lastSeen, origin, BATCH);
        for (const row of rows) {
          lastSeen = row.id;
          const payload = JSON.parse(row.payload) as unknown;
          const publish = local.publish as (key: string, ...rest: unknown[]) => void;
          if (row.key === null) publish(row.topic, payload);
          else publish(row.topic, row.key, payload);
          delivered += 1;
        }
        if (rows.length < BATCH) break;
      }
      if (++polls % 60 === 0) store.pruneBefore(unixSeconds(clock) - RETENTION_SECONDS);
      return delivered;
    },
    start(intervalMs) {
      lastSeen = Math.max(lastSeen, store.lastId());
      timer = setInterval(() => {
        try {
          relayed.pollOnce();
        } catch (error) {
          log?.error({ err: error }, 'event relay poll failed');
        }
      }, intervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
  return relayed;
}
