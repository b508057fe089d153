import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseDurationSeconds } from '../../src/config.js';

/** Runs loadConfig and returns the ConfigError it throws (fails the test when it does not throw one). */
function configErrorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig(${JSON.stringify(env)}) did not throw`);
}

describe('loadConfig defaults (DESIGN.md section 8)', () => {
  it('uses the documented defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config.port).toBe(4000);
    expect(config.host).toBe('127.0.0.1');
    expect(config.databasePath).toBe('data/gatehouse.db');
    expect(config.secret).toBeUndefined();
    expect(config.sessionIdleTimeout).toBe(86_400);
    expect(config.sessionMaxLifetime).toBe(2_592_000);
    expect(config.sessionActivityWriteInterval).toBe(60);
    expect(config.sessionRefreshGrace).toBe(30);
    expect(config.maxSessionsPerUser).toBe(3);
    expect(config.deviceLimitPolicy).toBe('reject');
    expect([...config.approvalRequiredRoles].sort()).toEqual(['EMPLOYER', 'STAGE_MANAGER']);
    expect(config.devMode).toBe(false);
    expect(config.cookieMode).toBe(false);
    expect(config.trustProxy).toBe(false);
    expect(config.allowedOrigins).toEqual([]);
    expect(config.portalKeeperTick).toBe(60);
    expect(config.logLevel).toBe('info');
    expect(config.adminEmail).toBeUndefined();
    expect(config.adminPassword).toBeUndefined();
  });

  it('treats empty strings as unset', () => {
    const config = loadConfig({ PORT: '', SESSION_IDLE_TIMEOUT: '', DEVICE_LIMIT_POLICY: '' });
    expect(config.port).toBe(4000);
    expect(config.sessionIdleTimeout).toBe(86_400);
    expect(config.deviceLimitPolicy).toBe('reject');
  });

  it('reads explicit values', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_PATH: '/tmp/x.db',
      MAX_SESSIONS_PER_USER: '5',
      DEVICE_LIMIT_POLICY: 'evict-oldest',
      APPROVAL_REQUIRED_ROLES: 'employer',
      DEV_MODE: 'true',
    });
    expect(config.port).toBe(8080);
    expect(config.host).toBe('0.0.0.0');
    expect(config.databasePath).toBe('/tmp/x.db');
    expect(config.maxSessionsPerUser).toBe(5);
    expect(config.deviceLimitPolicy).toBe('evict-oldest');
    expect(config.approvalRequiredRoles).toEqual(['EMPLOYER']);
    expect(config.devMode).toBe(true);
  });
});

describe('durations', () => {
  it.each([
    ['30s', 30],
    ['15m', 900],
    ['24h', 86_400],
    ['30d', 2_592_000],
  ])('parses %s as %i seconds', (text, seconds) => {
    expect(parseDurationSeconds(text)).toBe(seconds);
    expect(loadConfig({ SESSION_IDLE_TIMEOUT: text }).sessionIdleTimeout).toBe(seconds);
    expect(loadConfig({ SESSION_MAX_LIFETIME: text }).sessionMaxLifetime).toBe(seconds);
    expect(loadConfig({ SESSION_ACTIVITY_WRITE_INTERVAL: text }).sessionActivityWriteInterval).toBe(seconds);
  });

  it('rejects text that is not a duration', () => {
    expect(parseDurationSeconds('forever')).toBeNull();
    expect(parseDurationSeconds('10 years')).toBeNull();
    expect(parseDurationSeconds('')).toBeNull();
  });
});

describe('bad values stop start-up with a message naming the variable', () => {
  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['SESSION_IDLE_TIMEOUT', 'forever'],
    ['SESSION_MAX_LIFETIME', '0s'],
    ['SESSION_ACTIVITY_WRITE_INTERVAL', '1 minute'],
    ['DEVICE_LIMIT_POLICY', 'random'],
    ['APPROVAL_REQUIRED_ROLES', 'KING'],
    ['MAX_SESSIONS_PER_USER', 'many'],
    ['DEV_MODE', 'maybe'],
  ])('%s=%s', (name, value) => {
    const error = configErrorOf({ [name]: value });
    expect(error.name).toBe('ConfigError');
    expect(error.message).toContain(name);
    expect(error.problems.some((p) => p.startsWith(`${name}:`))).toBe(true);
  });

  it('names the bad value itself where it helps (duration, role)', () => {
    expect(configErrorOf({ SESSION_IDLE_TIMEOUT: 'forever' }).message).toContain('"forever"');
    expect(configErrorOf({ APPROVAL_REQUIRED_ROLES: 'KING' }).message).toContain('KING');
  });

  it('reads PORTAL_KEEPER_MAX_RATE as auto (default), off/0 or refreshes per second', () => {
    expect(loadConfig({}).portalKeeperMaxRate).toBe('auto');
    expect(loadConfig({ PORTAL_KEEPER_MAX_RATE: 'AUTO' }).portalKeeperMaxRate).toBe('auto');
    expect(loadConfig({ PORTAL_KEEPER_MAX_RATE: 'off' }).portalKeeperMaxRate).toBe(0);
    expect(loadConfig({ PORTAL_KEEPER_MAX_RATE: '0' }).portalKeeperMaxRate).toBe(0);
    expect(loadConfig({ PORTAL_KEEPER_MAX_RATE: '12.5' }).portalKeeperMaxRate).toBe(12.5);
    expect(configErrorOf({ PORTAL_KEEPER_MAX_RATE: 'fast' }).message).toContain('"fast" is not a rate');
    expect(configErrorOf({ PORTAL_KEEPER_MAX_RATE: '-5' }).message).toContain('PORTAL_KEEPER_MAX_RATE');
  });

  it('lists every bad variable at once', () => {
    const error = configErrorOf({ PORT: 'abc', DEVICE_LIMIT_POLICY: 'random' });
    expect(error.problems).toHaveLength(2);
    expect(error.message).toContain('PORT');
    expect(error.message).toContain('DEVICE_LIMIT_POLICY');
  });
});
