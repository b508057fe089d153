import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { migrate, openDatabase } from '../../src/db/open.js';
import { ManualClock } from '../../src/lib/clock.js';
import { AuditService } from '../../src/audit/service.js';
import { SqliteAuditStore } from '../../src/audit/store.js';
import { SecurityService, lockSecondsFor } from '../../src/security/service.js';
import { SqliteSecurityStore } from '../../src/security/store.js';
import { commonPasswords, passwordProblem } from '../../src/security/password-policy.js';

const BASE = { DATABASE_PATH: '/tmp/never-opened.db' };

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...BASE, ...env });
  } catch (error) {
    return (error as ConfigError).problems;
  }
  return [];
}

describe('hardening configuration', () => {
  it('has the documented defaults', () => {
    const config = loadConfig(BASE);
    expect({
      signInLockThreshold: config.signInLockThreshold,
      signInIpLockThreshold: config.signInIpLockThreshold,
      signInLockMax: config.signInLockMax,
      signInFailureDecay: config.signInFailureDecay,
      signUpRateLimit: config.signUpRateLimit,
      introspection: config.introspection,
      queryLimits: config.queryLimits,
      wsInitTimeout: config.wsInitTimeout,
      wsMaxSubscriptionsPerSocket: config.wsMaxSubscriptionsPerSocket,
      wsMaxSocketsPerSession: config.wsMaxSocketsPerSession,
    }).toEqual({
      signInLockThreshold: 5,
      signInIpLockThreshold: 20,
      signInLockMax: 900,
      signInFailureDecay: 900,
      signUpRateLimit: { count: 10, windowSeconds: 600 },
      introspection: true,
      queryLimits: { maxDepth: 10, maxAliases: 15, maxTokens: 2000, maxDirectives: 10, maxCost: 5000 },
      wsInitTimeout: 5,
      wsMaxSubscriptionsPerSocket: 50,
      wsMaxSocketsPerSession: 20,
    });
  });

  it('parses SIGNUP_RATE_LIMIT as COUNT/DURATION or off', () => {
    expect(loadConfig({ ...BASE, SIGNUP_RATE_LIMIT: '3 / 1h' }).signUpRateLimit).toEqual({ count: 3, windowSeconds: 3600 });
    expect(loadConfig({ ...BASE, SIGNUP_RATE_LIMIT: 'off' }).signUpRateLimit).toBeNull();
    expect(loadConfig({ ...BASE, SIGNUP_RATE_LIMIT: '0' }).signUpRateLimit).toBeNull();
  });

  it('names each bad hardening variable', () => {
    expect(problems({ SIGNUP_RATE_LIMIT: 'lots' })).toEqual(['SIGNUP_RATE_LIMIT: "lots" is not a rate limit; use COUNT/DURATION such as 10/10m, or off']);
    expect(problems({ SIGNUP_RATE_LIMIT: '0/10m' })[0]).toMatch(/^SIGNUP_RATE_LIMIT: /);
    expect(problems({ SIGNIN_LOCK_THRESHOLD: '-1' })[0]).toMatch(/^SIGNIN_LOCK_THRESHOLD: /);
    expect(problems({ SIGNIN_LOCK_MAX: 'forever' })[0]).toMatch(/^SIGNIN_LOCK_MAX: "forever" is not a duration/);
    expect(problems({ WS_INIT_TIMEOUT: '0' })[0]).toMatch(/^WS_INIT_TIMEOUT: /);
    expect(problems({ WS_MAX_SUBSCRIPTIONS_PER_SOCKET: '0' })[0]).toMatch(/^WS_MAX_SUBSCRIPTIONS_PER_SOCKET: /);
    expect(problems({ GRAPHQL_MAX_DEPTH: 'deep' })[0]).toMatch(/^GRAPHQL_MAX_DEPTH: /);
    expect(problems({ INTROSPECTION: 'sometimes' })[0]).toMatch(/^INTROSPECTION: /);
  });
});

describe('lock durations', () => {
  it('start at 30 s at the threshold and double up to the maximum', () => {
    expect([4, 5, 6, 7, 8, 9, 10, 11, 100].map((f) => lockSecondsFor(f, 5, 900))).toEqual([0, 30, 60, 120, 240, 480, 900, 900, 900]);
    expect(lockSecondsFor(3, 0, 900)).toBe(0); // threshold 0: off
    expect(lockSecondsFor(5, 5, 10)).toBe(10); // a maximum below 30 s wins
  });
});

describe('password policy', () => {
  it('ships a few hundred common passwords and compares case-insensitively', () => {
    expect(commonPasswords().size).toBeGreaterThan(300);
    expect(passwordProblem('QwErTy123456')).toMatch(/most common/);
    expect(passwordProblem('  password123  ')).toMatch(/most common/);
    expect(passwordProblem('a-long-unusual-passphrase')).toBeNull();
  });

  it('refuses the email, its local part and the name', () => {
    const account = { email: 'Jane.Doe@example.test', name: 'Jane Doe Smith' };
    expect(passwordProblem('jane.doe@example.test', account)).toBe('must not be your email address');
    expect(passwordProblem('JANE.DOE12', { email: 'jane.doe12@example.test' })).toBe('must not be your email address');
    expect(passwordProblem('jane doe smith', account)).toBe('must not be your name');
    expect(passwordProblem('short', account)).toBe('must be at least 10 characters');
    expect(passwordProblem('x'.repeat(257), account)).toBe('must be at most 256 characters');
  });
});

describe('SecurityService.purge', () => {
  it('drops counters only once they have decayed, and finished sign-up windows', async () => {
    const db = openDatabase(':memory:');
    migrate(db);
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const config = loadConfig(BASE);
    const security = new SecurityService({ store: new SqliteSecurityStore(db), audit: new AuditService(new SqliteAuditStore(db), clock), clock, config });
    for (let i = 0; i < 10; i++) await security.recordSignInFailure('locked@example.test', '10.0.0.1', null); // 10 failures: 900 s lock
    await security.recordSignInFailure('once@example.test', null, null);
    await security.consumeSignUp('10.0.0.1');
    const rows = () => db.prepare("SELECT key FROM signin_failures UNION ALL SELECT key FROM rate_limit_windows ORDER BY key").pluck().all();
    expect(rows()).toEqual(['account:locked@example.test', 'account:once@example.test', 'ip:10.0.0.1', 'signup:10.0.0.1']);

    clock.advance(600); // the sign-up window is over; every failure still counts
    expect(await security.purge()).toBe(1);
    clock.advance(300); // 15 minutes without failures: the unlocked counters have decayed; the lock just ended
    expect(await security.purge()).toBe(2);
    expect(rows()).toEqual(['account:locked@example.test']);
    clock.advance(899); // a lock's counter decays 15 minutes after the lock ends
    expect(await security.purge()).toBe(0);
    clock.advance(1);
    expect(await security.purge()).toBe(1);
    expect(rows()).toEqual([]);
    db.close();
  });
});
