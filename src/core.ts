import type pino from 'pino';
import type { Config } from './config.js';
import { systemClock, type Clock } from './lib/clock.js';
import { createLogger, type Logger } from './lib/logger.js';
import { loadOrCreateSecret } from './lib/secret.js';
import { migrate, openDatabase, type Db } from './db/open.js';
import type { Events } from './events.js';
import { createRelayedEvents, type RelayedEvents } from './relay/relay.js';
import { SqliteOutboxStore } from './relay/store.js';
import { UnitOfWork } from './relay/unit-of-work.js';
import { SqliteTransactor } from './db/transaction.js';
import { SqliteUserStore } from './accounts/store.js';
import { AccountService } from './accounts/service.js';
import { SqliteSessionStore } from './sessions/store.js';
import { rowVersionsOf } from './db/row-versions.js';
import { SessionService } from './sessions/service.js';
import { SqliteAuditStore } from './audit/store.js';
import { AuditService } from './audit/service.js';
import { OpsService } from './ops/service.js';
import { SqliteJobStore } from './jobs/store.js';
import { JobService } from './jobs/service.js';
import { SqlitePortalStore } from './portal/store.js';
import { PortalService } from './portal/service.js';
import { createConnectors, type ConnectorRegistry } from './portal/connector.js';
import type { Services } from './graphql/context.js';
import { SqliteSecurityStore } from './security/store.js';
import { SecurityService } from './security/service.js';
import { Metrics } from './ops/metrics.js';

/** Options for {@link createCore}; everything stateful can be passed in. */
export interface CoreOptions {
  clock?: Clock;
  /** Use these events instead of the database relay (tests). */
  events?: Events;
  /** Where JSON logs go (default stdout). */
  logDestination?: pino.DestinationStream;
  /** Called with the SQL text of every statement run (debugging, and tests that count queries). */
  sqlTrace?: (sql: string) => void;
  /** Upstream portal connectors by name (default: HTTP_FORM over node:http / node:https keep-alive agents). */
  portalConnectors?: ConnectorRegistry;
  /** Time limit of one upstream portal login or keep-alive call in ms (default 15 000). */
  portalTimeoutMs?: number;
}

/** Database, services and events: everything but the network. Shared by the server and the CLI. */
export interface Core {
  config: Config;
  clock: Clock;
  db: Db;
  log: Logger;
  events: Events;
  /** The cross-process event relay (null when the caller passed its own events). */
  relay: RelayedEvents | null;
  /** The server secret (credential keys and encryption at rest). */
  secret: Buffer;
  metrics: Metrics;
  services: Services;
  /** Brute-force locks and per-IP rate limits (used by accounts; purged by the server's sweeper). */
  security: SecurityService;
  /** Stops the relay and closes the database after a WAL checkpoint. */
  close(): void;
}

/** Opens and migrates the database and builds every store and service on it. */
export function createCore(config: Config, options: CoreOptions = {}): Core {
  const clock = options.clock ?? systemClock;
  const log = createLogger(config.logLevel, options.logDestination);
  // The secret first: a refused (world-readable) secret file must not leave a database open.
  const secret = loadOrCreateSecret(config);
  const db = openDatabase(config.databasePath, options.sqlTrace);
  migrate(db);

  // Unless a test passes its own, events also go through the database to and from other processes.
  const relay: RelayedEvents | null = options.events ? null : createRelayedEvents(new SqliteOutboxStore(db), clock, log);
  const events: Events = options.events ?? relay!;
  const metrics = new Metrics();
  events.onPublish = (routingKey) => metrics.eventsPublished.inc({ topic: routingKey });
  const users = new SqliteUserStore(db);
  const sessionStore = new SqliteSessionStore(db);
  const audit = new AuditService(new SqliteAuditStore(db), clock);
  // Writes, audit entries and the outbox rows of their events in one commit (see UnitOfWork).
  const unitOfWork = new UnitOfWork(new SqliteTransactor(db), events);
  const sessions = new SessionService({ sessions: sessionStore, versions: rowVersionsOf(db), users, audit, events, unitOfWork, clock, config });
  const security = new SecurityService({ store: new SqliteSecurityStore(db), audit, clock, config });
  const accounts = new AccountService({ users, sessions, audit, events, unitOfWork, clock, config, metrics, security });
  const jobs = new JobService({ jobs: new SqliteJobStore(db), events, clock, config });
  const portal = new PortalService({
    store: new SqlitePortalStore(db),
    events,
    audit,
    clock,
    secret,
    connectors: options.portalConnectors ?? createConnectors({ timeoutMs: options.portalTimeoutMs }),
    log,
    security,
  });
  const ops = new OpsService({ users, sessions: sessionStore, jobs, portal, clock, db, startedAt: Date.now() });
  const services: Services = { accounts, sessions, audit, ops, jobs, portal };

  return {
    config,
    clock,
    db,
    log,
    events,
    relay,
    secret,
    metrics,
    services,
    security,
    close() {
      relay?.stop();
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
    },
  };
}
