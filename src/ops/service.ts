import type { Clock } from '../lib/clock.js';
import { unixSeconds } from '../lib/clock.js';
import { databaseInfo, type Db } from '../db/open.js';
import type { SessionStore, SessionStats } from '../sessions/store.js';
import type { UserStatus, UserStore } from '../accounts/store.js';
import type { Role } from '../config.js';
import type { JobService } from '../jobs/service.js';
import type { JobStats } from '../jobs/store.js';
import type { PortalService } from '../portal/service.js';
import { VERSION } from '../version.js';

/** The `/health` and `health` answer; both share these keys. */
export interface Health {
  status: 'ok' | 'degraded';
  version: string;
  uptimeSeconds: number;
  activeSessions: number;
  activePortalSessions: number;
  keepAlivePortalSessions: number;
}

export interface Stats {
  users: Record<UserStatus, number> & { total: number; byRole: { role: Role; count: number }[] };
  sessions: SessionStats;
  jobs: JobStats;
  portalSessions: { active: number; keepAlive: number };
}

type OpsDeps = {
  users: UserStore;
  sessions: SessionStore;
  jobs: JobService;
  portal: Pick<PortalService, 'counts'>;
  clock: Clock;
  db: Db;
  startedAt: number;
};

/** Health, readiness and admin statistics. */
export class OpsService {
  constructor(private readonly deps: OpsDeps) {}

  async health(): Promise<Health> {
    const now = unixSeconds(this.deps.clock);
    const portal = await this.deps.portal.counts();
    return {
      status: 'ok',
      version: VERSION,
      uptimeSeconds: Math.max(0, Math.floor((Date.now() - this.deps.startedAt) / 1000)),
      activeSessions: await this.deps.sessions.countActive(now),
      activePortalSessions: portal.active,
      keepAlivePortalSessions: portal.keepAlive,
    };
  }

  /** True when the database answers a query. */
  ready(): boolean {
    try {
      return this.deps.db.prepare('SELECT 1').pluck().get() === 1;
    } catch {
      return false;
    }
  }

  /** What `gatehouse status` prints. */
  async status() {
    const now = unixSeconds(this.deps.clock);
    return {
      database: databaseInfo(this.deps.db),
      sessions: await this.deps.sessions.countByState(now),
      users: await this.usersByStatus(),
      portalSessions: await this.deps.portal.counts(),
    };
  }

  /** Users per status plus the total. */
  private async usersByStatus(): Promise<Record<UserStatus, number> & { total: number }> {
    const byStatus = await this.deps.users.countByStatus();
    return { ...byStatus, total: Object.values(byStatus).reduce((a, b) => a + b, 0) };
  }

  async stats(): Promise<Stats> {
    const now = unixSeconds(this.deps.clock);
    return {
      users: { ...(await this.usersByStatus()), byRole: await this.deps.users.countByRole() },
      sessions: await this.deps.sessions.stats(now, now - 86400),
      jobs: await this.deps.jobs.stats(),
      portalSessions: await this.deps.portal.counts(),
    };
  }
}
