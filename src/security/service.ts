import type { Config } from '../config.js';
import type { Clock } from '../lib/clock.js';
import { unixSeconds } from '../lib/clock.js';
import type { AuditService } from '../audit/service.js';
import { rateLimited } from '../graphql/errors.js';
import type { FailureCounter, SecurityStore } from './store.js';

/** The first lock lasts this long; each further failure doubles it up to SIGNIN_LOCK_MAX. */
export const FIRST_LOCK_SECONDS = 30;

type SecurityConfig = Pick<Config, 'signInLockThreshold' | 'signInIpLockThreshold' | 'signInLockMax' | 'signInFailureDecay' | 'signUpRateLimit' | 'portalLoginRateLimit'>;

type SecurityDeps = {
  store: SecurityStore;
  audit: AuditService;
  clock: Clock;
  config: SecurityConfig;
};

type Scope = 'account' | 'ip';

/** The counter key of an account: the lower-cased, trimmed email (also for emails nobody has). */
export function accountKey(email: string): string {
  return `account:${String(email ?? '').trim().toLowerCase().slice(0, 320)}`;
}

export function ipKey(ip: string): string {
  return `ip:${ip}`;
}

/** How long a counter with `failures` failures locks its key, in seconds (0: not locked). */
export function lockSecondsFor(failures: number, threshold: number, maxSeconds: number): number {
  if (threshold <= 0 || failures < threshold) return 0;
  const doublings = Math.min(failures - threshold, 30);
  return Math.min(FIRST_LOCK_SECONDS * 2 ** doublings, maxSeconds);
}

/** A readable "when": `in 30 seconds`, `in 2 minutes`. */
function inWords(seconds: number): string {
  if (seconds < 120) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minutes`;
}

/**
 * Brute-force protection and per-IP rate limits, persisted in SQLite so a lock survives restarts
 * and holds across every process on the database.
 *
 * Sign-in: failures are counted per account (lower-cased email) and per client IP. At the
 * threshold the key locks for 30 s, and each further failure doubles the lock up to
 * SIGNIN_LOCK_MAX. While locked, sign-in is refused with RATE_LIMITED before any password check.
 * A counter starts again from zero after SIGNIN_FAILURE_DECAY without failures (counted from the
 * end of its lock). A successful sign-in clears the account's counter, never the IP's.
 */
export class SecurityService {
  constructor(private readonly deps: SecurityDeps) {}

  private now(): number {
    return unixSeconds(this.deps.clock);
  }

  private keysFor(email: string, ip: string | null): { key: string; scope: Scope; threshold: number }[] {
    const { signInLockThreshold, signInIpLockThreshold } = this.deps.config;
    const keys: { key: string; scope: Scope; threshold: number }[] = [];
    if (signInLockThreshold > 0) keys.push({ key: accountKey(email), scope: 'account', threshold: signInLockThreshold });
    if (ip && signInIpLockThreshold > 0) keys.push({ key: ipKey(ip), scope: 'ip', threshold: signInIpLockThreshold });
    return keys;
  }

  /** The failures still counted at `now` (0 once the counter has decayed). */
  private liveFailures(counter: FailureCounter | null, now: number): number {
    if (!counter) return 0;
    const quietSince = Math.max(counter.lastFailureAt, counter.lockedUntil ?? 0);
    return now >= quietSince + this.deps.config.signInFailureDecay ? 0 : counter.failures;
  }

  /** Throws RATE_LIMITED (ACCOUNT_LOCKED or IP_LOCKED) while the account or the IP is locked. */
  async assertSignInAllowed(email: string, ip: string | null): Promise<void> {
    const keys = this.keysFor(email, ip);
    if (keys.length === 0) return;
    const now = this.now();
    const counters = await this.deps.store.findFailures(keys.map((k) => k.key));
    let worst: { scope: Scope; until: number } | null = null;
    for (const counter of counters) {
      if (counter.lockedUntil === null || counter.lockedUntil <= now) continue;
      const scope = keys.find((k) => k.key === counter.key)!.scope;
      if (!worst || counter.lockedUntil > worst.until) worst = { scope, until: counter.lockedUntil };
    }
    if (!worst) return;
    const retryAfter = worst.until - now;
    const at = new Date(worst.until * 1000).toISOString().replace('.000Z', 'Z');
    const what = worst.scope === 'account' ? 'this account' : 'your network address';
    throw rateLimited(
      retryAfter,
      worst.scope === 'account' ? 'ACCOUNT_LOCKED' : 'IP_LOCKED',
      `Too many failed sign-ins for ${what}, so sign-in is locked for now. Try again in ${inWords(retryAfter)} (after ${at}).`,
    );
  }

  /** Counts one failed sign-in against the account and the IP; starts or lengthens their locks. */
  async recordSignInFailure(email: string, ip: string | null, user: { id: string } | null): Promise<void> {
    const keys = this.keysFor(email, ip);
    if (keys.length === 0) return;
    const now = this.now();
    const { signInLockMax } = this.deps.config;
    const updated = await this.deps.store.updateFailures(
      keys.map((k) => k.key),
      (current, key) => {
        const { threshold } = keys.find((k) => k.key === key)!;
        const failures = this.liveFailures(current, now) + 1;
        const lockSeconds = lockSecondsFor(failures, threshold, signInLockMax);
        return { key, failures, lastFailureAt: now, lockedUntil: lockSeconds > 0 ? now + lockSeconds : null };
      },
    );
    for (const counter of updated) {
      if (counter.lockedUntil === null) continue;
      const { scope } = keys.find((k) => k.key === counter.key)!;
      await this.deps.audit.record(
        'user.sign_in_locked',
        { actorId: user?.id ?? null, ipAddress: ip },
        scope === 'account' && user ? { type: 'User', id: user.id } : null,
        { scope, failures: counter.failures, lockSeconds: counter.lockedUntil - now, emailKnown: Boolean(user) },
      );
    }
  }

  /** A correct password: the account starts from zero again (the IP counter stays). */
  async recordSignInSuccess(email: string): Promise<void> {
    if (this.deps.config.signInLockThreshold > 0) await this.deps.store.clearFailures(accountKey(email));
  }

  /** Takes one sign-up from the IP's allowance; throws RATE_LIMITED (TOO_MANY_SIGN_UPS) when it is used up. */
  async consumeSignUp(ip: string | null): Promise<void> {
    const limit = this.deps.config.signUpRateLimit;
    if (!limit || !ip) return;
    await this.consumeWindow(`signup:${ip}`, limit, (retryAfter) =>
      rateLimited(
        retryAfter,
        'TOO_MANY_SIGN_UPS',
        `Too many sign-ups from your network address (at most ${limit.count} per ${inWords(limit.windowSeconds)}). Try again in ${inWords(retryAfter)}.`,
      ),
    );
  }

  /** Takes one upstream portal login from the user's allowance; RATE_LIMITED (TOO_MANY_PORTAL_LOGINS) when used up. */
  async consumePortalLogin(userId: string): Promise<void> {
    const limit = this.deps.config.portalLoginRateLimit;
    if (!limit) return;
    await this.consumeWindow(`portal:${userId}`, limit, (retryAfter) =>
      rateLimited(
        retryAfter,
        'TOO_MANY_PORTAL_LOGINS',
        `Too many new portal logins for your account (at most ${limit.count} per ${inWords(limit.windowSeconds)}). Reuse an open portal session, or try again in ${inWords(retryAfter)}.`,
      ),
    );
  }

  /** Fixed-window counter: one hit against `key`, or the refusal built by `refuse` when the window is full. */
  private async consumeWindow(key: string, limit: { count: number; windowSeconds: number }, refuse: (retryAfter: number) => Error) {
    const now = this.now();
    let retryAfter = 0;
    await this.deps.store.updateWindow(key, (current) => {
      if (!current || current.startedAt + limit.windowSeconds <= now) return { key, startedAt: now, hits: 1 };
      if (current.hits >= limit.count) {
        retryAfter = Math.max(1, current.startedAt + limit.windowSeconds - now);
        return null;
      }
      return { ...current, hits: current.hits + 1 };
    });
    if (retryAfter > 0) throw refuse(retryAfter);
  }

  /** Deletes counters and windows that can no longer matter. Returns how many rows went. */
  async purge(): Promise<number> {
    const now = this.now();
    const { signInFailureDecay, signUpRateLimit, portalLoginRateLimit } = this.deps.config;
    const longestWindow = Math.max(signUpRateLimit?.windowSeconds ?? 0, portalLoginRateLimit?.windowSeconds ?? 0);
    return this.deps.store.purge(now - signInFailureDecay, now - longestWindow);
  }
}
