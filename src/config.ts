import { z } from 'zod';

/** Roles a user can hold. */
export const ROLES = ['ADMIN', 'EMPLOYER', 'STAGE_MANAGER', 'MEMBER'] as const;
export type Role = (typeof ROLES)[number];

const DURATION = /^(\d+)\s*(ms|s|m|h|d)$/;
const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/**
 * Parses `30s`, `15m`, `24h`, `30d` (or a bare number of seconds) into whole seconds.
 * Returns `null` when the text is not a duration.
 */
export function parseDurationSeconds(text: string): number | null {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const match = DURATION.exec(trimmed);
  if (!match) return null;
  return Math.round(Number(match[1]) * UNIT_SECONDS[match[2]]);
}

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const seconds = parseDurationSeconds(value);
      if (seconds === null || seconds <= 0) {
        ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration; use e.g. 30s, 15m, 24h or 30d` });
        return z.NEVER;
      }
      return seconds;
    });

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
    .default(fallback ? 'true' : 'false')
    .transform((value) => value === 'true' || value === '1' || value === 'yes');

/** TRUST_PROXY: a boolean (true = one proxy) or how many reverse proxies stand in front (0–10). */
const proxyHops = z
  .string()
  .default('false')
  .transform((value, ctx) => {
    const v = value.trim().toLowerCase();
    if (v === 'true' || v === 'yes') return 1;
    if (v === 'false' || v === 'no' || v === '') return 0;
    if (/^\d+$/.test(v) && Number(v) <= 10) return Number(v);
    ctx.addIssue({ code: 'custom', message: `"${value}" is not true, false or a number of proxies from 0 to 10` });
    return z.NEVER;
  });

const roleList = z
  .string()
  .default('EMPLOYER,STAGE_MANAGER')
  .transform((value, ctx) => {
    const roles = value.split(',').map((r) => r.trim().toUpperCase()).filter(Boolean);
    for (const role of roles) {
      if (!(ROLES as readonly string[]).includes(role)) {
        ctx.addIssue({ code: 'custom', message: `unknown role "${role}"; use ${ROLES.join(', ')}` });
        return z.NEVER;
      }
    }
    return roles as Role[];
  });

/** `COUNT/DURATION` (e.g. `10/10m`), or `off`: at most COUNT events per DURATION window. */
export interface RateLimit {
  count: number;
  windowSeconds: number;
}

const rateLimit = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx): RateLimit | null => {
      if (/^(off|0)$/i.test(value.trim())) return null;
      const match = /^(\d+)\s*\/\s*(.+)$/.exec(value.trim());
      const seconds = match ? parseDurationSeconds(match[2]) : null;
      if (!match || Number(match[1]) < 1 || seconds === null || seconds <= 0) {
        ctx.addIssue({ code: 'custom', message: `"${value}" is not a rate limit; use COUNT/DURATION such as 10/10m, or off` });
        return z.NEVER;
      }
      return { count: Number(match[1]), windowSeconds: seconds };
    });

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_PATH: z.string().min(1).default('data/gatehouse.db'),
  GATEHOUSE_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  SESSION_IDLE_TIMEOUT: duration('24h'),
  SESSION_MAX_LIFETIME: duration('30d'),
  SESSION_ACTIVITY_WRITE_INTERVAL: duration('60s'),
  SESSION_REFRESH_GRACE: duration('30s'),
  SESSION_SWEEP_INTERVAL: duration('30s'),
  MAX_SESSIONS_PER_USER: z.coerce.number().int().min(1).max(1000).default(3),
  DEVICE_LIMIT_POLICY: z.enum(['reject', 'evict-oldest']).default('reject'),
  APPROVAL_REQUIRED_ROLES: roleList,
  DEV_MODE: bool(false),
  COOKIE_MODE: bool(false),
  ALLOWED_ORIGINS: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean)),
  TRUST_PROXY: proxyHops,
  PORTAL_KEEPER_TICK: duration('60s'),
  PORTAL_KEEPER_MAX_RATE: z
    .string()
    .default('auto')
    .transform((value, ctx): number | 'auto' => {
      const v = value.trim().toLowerCase();
      if (v === 'auto') return 'auto';
      if (v === 'off') return 0;
      if (/^\d+(\.\d+)?$/.test(v) && Number(v) <= 100_000) return Number(v);
      ctx.addIssue({ code: 'custom', message: `"${value}" is not a rate; use auto, off (0) or refreshes per second such as 50` });
      return z.NEVER;
    }),
  ADMIN_EMAIL: z.email('must be an email address').optional(),
  ADMIN_PASSWORD: z.string().min(10, 'must be at least 10 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NODE_ENV: z.string().optional(),
  // Hardening (README "Security").
  SIGNIN_LOCK_THRESHOLD: z.coerce.number().int().min(0).max(1000).default(5),
  SIGNIN_IP_LOCK_THRESHOLD: z.coerce.number().int().min(0).max(100000).default(20),
  SIGNIN_LOCK_MAX: duration('15m'),
  SIGNIN_FAILURE_DECAY: duration('15m'),
  SIGNUP_RATE_LIMIT: rateLimit('10/10m'),
  PORTAL_LOGIN_RATE_LIMIT: rateLimit('30/10m'),
  INTROSPECTION: z.enum(['true', 'false', '1', '0', 'yes', 'no']).optional(),
  GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(1).max(100).default(10),
  GRAPHQL_MAX_ALIASES: z.coerce.number().int().min(0).max(1000).default(15),
  GRAPHQL_MAX_TOKENS: z.coerce.number().int().min(50).max(100000).default(2000),
  GRAPHQL_MAX_DIRECTIVES: z.coerce.number().int().min(0).max(1000).default(10),
  GRAPHQL_MAX_COST: z.coerce.number().int().min(10).max(10000000).default(5000),
  GRAPHQL_MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
  WS_INIT_TIMEOUT: duration('5s'),
  WS_MAX_SUBSCRIPTIONS_PER_SOCKET: z.coerce.number().int().min(1).max(10000).default(50),
  WS_MAX_SOCKETS_PER_SESSION: z.coerce.number().int().min(1).max(10000).default(20),
  WS_MAX_ANONYMOUS_SOCKETS_PER_IP: z.coerce.number().int().min(1).max(100000).default(20),
});

/** Validated server configuration. Durations are whole seconds. */
export interface Config {
  port: number;
  host: string;
  databasePath: string;
  /** Explicit secret; when absent the server generates one next to the database. */
  secret?: string;
  sessionIdleTimeout: number;
  sessionMaxLifetime: number;
  sessionActivityWriteInterval: number;
  sessionRefreshGrace: number;
  sessionSweepInterval: number;
  maxSessionsPerUser: number;
  deviceLimitPolicy: 'reject' | 'evict-oldest';
  approvalRequiredRoles: Role[];
  devMode: boolean;
  cookieMode: boolean;
  allowedOrigins: string[];
  /** Take the client IP from X-Forwarded-For (trustProxyHops > 0). */
  trustProxy: boolean;
  /** How many reverse proxies append to X-Forwarded-For: the client is that many entries from the right. */
  trustProxyHops: number;
  portalKeeperTick: number;
  /**
   * Keep-alive refreshes the portal keeper starts per second: `auto` spreads each sweep's due sessions
   * over half of min(PORTAL_KEEPER_TICK, the shortest refreshIntervalSeconds); a number is a fixed pace;
   * 0 (`off`) runs them as fast as the concurrency cap allows.
   */
  portalKeeperMaxRate: number | 'auto';
  adminEmail?: string;
  adminPassword?: string;
  logLevel: string;
  /** Failed sign-ins per account (lower-cased email) before it locks; 0 turns the account lock off. */
  signInLockThreshold: number;
  /** Failed sign-ins per client IP before it locks; 0 turns the IP lock off. */
  signInIpLockThreshold: number;
  /** Longest lock in seconds (the first lasts 30 s and each further failure doubles it). */
  signInLockMax: number;
  /** Seconds without failures (after any lock ended) before a failure counter starts again from zero. */
  signInFailureDecay: number;
  /** Sign-ups per client IP per window; null = unlimited. */
  signUpRateLimit: RateLimit | null;
  /** New upstream portal logins per user (reused sessions are free). */
  portalLoginRateLimit: RateLimit | null;
  /** Schema introspection (and GraphiQL); default on unless NODE_ENV=production. */
  introspection: boolean;
  /** graphql-armor limits on every operation (HTTP and graphql-ws). */
  queryLimits: { maxDepth: number; maxAliases: number; maxTokens: number; maxDirectives: number; maxCost: number };
  /** HTTP: the largest request body in bytes (counted as it streams, chunked or not); larger is 413 BODY_TOO_LARGE. */
  maxBodyBytes: number;
  /** graphql-ws: seconds a socket may stay open without connection_init (closed with 4408). */
  wsInitTimeout: number;
  /** graphql-ws: operations running at once on one socket. */
  wsMaxSubscriptionsPerSocket: number;
  /** graphql-ws: sockets authenticated as one session. */
  wsMaxSocketsPerSession: number;
  /**
   * graphql-ws: sockets per client IP without a session token at connection_init (GraphiQL style),
   * and, separately, sockets per client IP still waiting for their connection_init.
   */
  wsMaxAnonymousSocketsPerIp: number;
}

/** Thrown when the environment holds a bad value; the message names every bad variable. */
export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the configuration from an environment object (default `process.env`). */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Treat empty strings as unset so `FOO= npm start` falls back to the default.
  const cleaned = Object.fromEntries(
    Object.keys(EnvSchema.shape).map((key) => [key, env[key] === '' ? undefined : env[key]]),
  );
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databasePath: e.DATABASE_PATH,
    secret: e.GATEHOUSE_SECRET,
    sessionIdleTimeout: e.SESSION_IDLE_TIMEOUT,
    sessionMaxLifetime: e.SESSION_MAX_LIFETIME,
    sessionActivityWriteInterval: e.SESSION_ACTIVITY_WRITE_INTERVAL,
    sessionRefreshGrace: e.SESSION_REFRESH_GRACE,
    sessionSweepInterval: e.SESSION_SWEEP_INTERVAL,
    maxSessionsPerUser: e.MAX_SESSIONS_PER_USER,
    deviceLimitPolicy: e.DEVICE_LIMIT_POLICY,
    approvalRequiredRoles: e.APPROVAL_REQUIRED_ROLES,
    devMode: e.DEV_MODE,
    cookieMode: e.COOKIE_MODE,
    allowedOrigins: e.ALLOWED_ORIGINS,
    trustProxy: e.TRUST_PROXY > 0,
    trustProxyHops: e.TRUST_PROXY,
    portalKeeperTick: e.PORTAL_KEEPER_TICK,
    portalKeeperMaxRate: e.PORTAL_KEEPER_MAX_RATE,
    adminEmail: e.ADMIN_EMAIL,
    adminPassword: e.ADMIN_PASSWORD,
    logLevel: e.LOG_LEVEL,
    signInLockThreshold: e.SIGNIN_LOCK_THRESHOLD,
    signInIpLockThreshold: e.SIGNIN_IP_LOCK_THRESHOLD,
    signInLockMax: e.SIGNIN_LOCK_MAX,
    signInFailureDecay: e.SIGNIN_FAILURE_DECAY,
    signUpRateLimit: e.SIGNUP_RATE_LIMIT,
    portalLoginRateLimit: e.PORTAL_LOGIN_RATE_LIMIT,
    introspection: e.INTROSPECTION === undefined ? e.NODE_ENV !== 'production' : ['true', '1', 'yes'].includes(e.INTROSPECTION),
    queryLimits: {
      maxDepth: e.GRAPHQL_MAX_DEPTH,
      maxAliases: e.GRAPHQL_MAX_ALIASES,
      maxTokens: e.GRAPHQL_MAX_TOKENS,
      maxDirectives: e.GRAPHQL_MAX_DIRECTIVES,
      maxCost: e.GRAPHQL_MAX_COST,
    },
    maxBodyBytes: e.GRAPHQL_MAX_BODY_BYTES,
    wsInitTimeout: e.WS_INIT_TIMEOUT,
    wsMaxSubscriptionsPerSocket: e.WS_MAX_SUBSCRIPTIONS_PER_SOCKET,
    wsMaxSocketsPerSession: e.WS_MAX_SOCKETS_PER_SESSION,
    wsMaxAnonymousSocketsPerIp: e.WS_MAX_ANONYMOUS_SOCKETS_PER_IP,
  };
}
