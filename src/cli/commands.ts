/**
 * The operator verbs of the `gatehouse` CLI. Each verb opens the same database the server uses and
 * goes through the same services, so rules, audit entries and live events are identical; events
 * reach a running server through the database relay within a poll interval.
 */
import { existsSync, statSync } from 'node:fs';
import { loadConfig, parseDurationSeconds, ROLES, type Config, type Role } from '../config.js';
import { createCore, type Core } from '../core.js';
import { backupDatabase, integrityCheck, listMigrations, openDatabase, schemaVersion } from '../db/open.js';
import { secretPath } from '../lib/secret.js';
import { randomToken } from '../lib/random.js';
import { passwordProblem } from '../security/password-policy.js';
import type { User } from '../accounts/store.js';
import type { Session } from '../sessions/store.js';

/** Output sink, so tests and the real CLI print the same way. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
}

/** A misuse or a failed operation: printed as one line, exit code 1 (2 for usage). */
export class CliError extends Error {
  constructor(message: string, public readonly exitCode = 1) {
    super(message);
  }
}

const CLI_META = { ipAddress: null, userAgent: 'gatehouse-cli' };
const CLI_ACTOR = { viewer: null, meta: CLI_META, actorId: 'cli' };

/** Opens the services on the configured database (no network), runs `run`, and closes. */
async function withApp<T>(config: Config, run: (app: Core) => Promise<T>): Promise<T> {
  const core = createCore({ ...config, logLevel: 'silent' });
  try {
    return await run(core);
  } finally {
    core.close();
  }
}

async function requireUser(app: Core, email: string): Promise<User> {
  const user = await app.services.accounts.findByEmail(email);
  if (!user) throw new CliError(`no user with email ${email}`);
  return user;
}

function iso(seconds: number | null): string {
  return seconds === null ? '-' : new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd());
}

/** `gatehouse status`: what an operator checks first. */
export async function status(config: Config, io: Io, options: { json?: boolean }): Promise<void> {
  await withApp(config, async (app) => {
    const ops = await app.services.ops.status();
    if (options.json) {
      io.out(JSON.stringify(ops, null, 2));
      return;
    }
    io.out(`database        ${config.databasePath} (${(ops.database.sizeBytes / 1024).toFixed(0)} KiB, WAL ${(ops.database.walBytes / 1024).toFixed(0)} KiB)`);
    io.out(`schema version  ${ops.database.schemaVersion} (latest ${ops.database.latestVersion})`);
    io.out(`sessions        ${ops.sessions.active} active, ${ops.sessions.expired} expired, ${ops.sessions.revoked} revoked`);
    io.out(`users           ${ops.users.total} total: ${ops.users.ACTIVE} active, ${ops.users.PENDING} pending, ${ops.users.SUSPENDED} suspended, ${ops.users.REJECTED} rejected`);
    io.out(`pending         ${ops.users.PENDING} awaiting approval`);
    io.out(`portal sessions ${ops.portalSessions.active} active, ${ops.portalSessions.keepAlive} keep-alive`);
  });
}

/** `gatehouse user create --email E --role R [--admin] [--name N] [--password P]`. */
export async function userCreate(
  config: Config,
  io: Io,
  options: { email?: string; role?: string; admin?: boolean; name?: string; password?: string },
): Promise<void> {
  if (!options.email) throw new CliError('user create needs --email', 2);
  const role = (options.admin ? 'ADMIN' : (options.role ?? 'MEMBER').toUpperCase()) as Role;
  if (!ROLES.includes(role)) throw new CliError(`--role must be one of ${ROLES.join(', ')}`, 2);
  const generated = options.password ? null : randomToken(15);
  const name = options.name ?? options.email.split('@')[0];
  const problem = options.password === undefined ? null : passwordProblem(options.password, { email: options.email, name });
  if (problem) throw new CliError(`--password ${problem}`);
  await withApp(config, async (app) => {
    const user = await app.services.accounts.createUser(
      { email: options.email!, name, password: options.password ?? generated!, role, status: 'ACTIVE' },
      { actorId: 'cli', ipAddress: null },
    );
    io.out(`created ${user.role} ${user.email} (${user.id})`);
    if (generated) io.out(`password (shown once): ${generated}`);
  });
}

/** `gatehouse user approve|suspend|reactivate EMAIL [--reason R]`. */
export async function userStatus(config: Config, io: Io, action: 'approve' | 'suspend' | 'reactivate', email: string | undefined, reason?: string) {
  if (!email) throw new CliError(`user ${action} needs an EMAIL`, 2);
  await withApp(config, async (app) => {
    const user = await requireUser(app, email);
    const accounts = app.services.accounts;
    const updated =
      action === 'approve'
        ? await accounts.approve(user.id, CLI_ACTOR)
        : action === 'suspend'
          ? await accounts.suspend(user.id, reason, CLI_ACTOR)
          : await accounts.reactivate(user.id, CLI_ACTOR);
    io.out(`${updated.email} is now ${updated.status}`);
  });
}

function sessionRow(session: Session, email: string): string[] {
  return [
    session.id,
    email,
    `${session.tokenPrefix}…`,
    session.kind,
    session.deviceName,
    session.ipAddress ?? '-',
    iso(session.lastActivityAt),
    session.revokedAt === null ? 'active' : (session.revokedReason ?? 'revoked').toLowerCase(),
  ];
}

/** `gatehouse sessions list [--user EMAIL] [--all] [--json]`. Never prints a token, only its prefix. */
export async function sessionsList(config: Config, io: Io, options: { user?: string; all?: boolean; json?: boolean }) {
  await withApp(config, async (app) => {
    const user = options.user ? await requireUser(app, options.user) : null;
    const sessions = await app.services.sessions.listRecent({ userId: user?.id, includeInactive: options.all, limit: 500 });
    const users = new Map((await app.services.accounts.getUsers([...new Set(sessions.map((s) => s.userId))])).map((u) => [u.id, u]));
    if (options.json) {
      io.out(
        JSON.stringify(
          sessions.map((s) => ({
            id: s.id,
            user: users.get(s.userId)?.email ?? s.userId,
            tokenPrefix: s.tokenPrefix,
            kind: s.kind,
            device: s.deviceName,
            deviceType: s.deviceType,
            ipAddress: s.ipAddress,
            createdAt: iso(s.createdAt),
            lastActivityAt: iso(s.lastActivityAt),
            revokedReason: s.revokedReason,
          })),
          null,
          2,
        ),
      );
      return;
    }
    if (sessions.length === 0) {
      io.out('no sessions');
      return;
    }
    const header = ['ID', 'USER', 'TOKEN', 'KIND', 'DEVICE', 'IP', 'LAST ACTIVITY', 'STATE'];
    for (const line of table([header, ...sessions.map((s) => sessionRow(s, users.get(s.userId)?.email ?? s.userId))])) io.out(line);
  });
}

/** `gatehouse sessions revoke ID` or `--user EMAIL`: reaches live clients through the running server. */
export async function sessionsRevoke(config: Config, io: Io, id: string | undefined, options: { user?: string }) {
  if (!id && !options.user) throw new CliError('sessions revoke needs a session ID or --user EMAIL', 2);
  await withApp(config, async (app) => {
    const actor = { actorId: 'cli', ipAddress: null };
    if (options.user) {
      const user = await requireUser(app, options.user);
      const count = await app.services.sessions.revokeAllForUser(user.id, 'REVOKED_BY_ADMIN', actor);
      io.out(`revoked ${count} session(s) of ${user.email}`);
      return;
    }
    const session = await app.services.sessions.findById(id!);
    if (!session) throw new CliError(`no session ${id}`);
    const revoked = await app.services.sessions.revokeById(id!, 'REVOKED_BY_ADMIN', actor);
    io.out(revoked ? `revoked ${id}` : `${id} was already ended (${session.revokedReason})`);
  });
}

/** `gatehouse sessions create --user EMAIL --ttl 1h`: a DEBUG session for support, printed once, audited. */
export async function sessionsCreate(config: Config, io: Io, options: { user?: string; ttl?: string }) {
  if (!options.user) throw new CliError('sessions create needs --user EMAIL', 2);
  const ttlSeconds = parseDurationSeconds(options.ttl ?? '1h');
  if (ttlSeconds === null || ttlSeconds < 60 || ttlSeconds > 86400) throw new CliError('--ttl must be a duration from 1m to 24h, e.g. 30m or 1h', 2);
  await withApp(config, async (app) => {
    const user = await requireUser(app, options.user!);
    const issued = await app.services.sessions.issueSupportSession(user, ttlSeconds, 'cli');
    io.out(`DEBUG session ${issued.session.id} for ${user.email}, expires ${iso(issued.session.expiresAt)}`);
    io.out(`token (shown once): ${issued.token}`);
  });
}

/** One `doctor` finding. */
export interface Finding {
  check: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

/** `gatehouse doctor`: config, database integrity, migrations, secret file, clock. Exit 1 on any problem. */
export async function doctor(env: Record<string, string | undefined>, io: Io): Promise<boolean> {
  const findings: Finding[] = [];
  let config: Config | null = null;
  try {
    config = loadConfig(env);
    findings.push({ check: 'config', ok: true, detail: 'environment is valid' });
  } catch (error) {
    findings.push({ check: 'config', ok: false, detail: (error as Error).message.replace(/\n\s*/g, ' '), fix: 'Fix the named variables (README: Configuration).' });
  }
  if (config) {
    if (!existsSync(config.databasePath)) {
      findings.push({ check: 'database', ok: false, detail: `${config.databasePath} does not exist`, fix: 'Run `gatehouse migrate` or start the server once.' });
    } else {
      const db = openDatabase(config.databasePath);
      try {
        const integrity = integrityCheck(db);
        findings.push({ check: 'integrity', ok: integrity === 'ok', detail: `integrity_check: ${integrity}`, fix: integrity === 'ok' ? undefined : 'Restore the latest backup (README: Backup and restore).' });
        const version = schemaVersion(db);
        const latest = listMigrations().at(-1)?.version ?? 0;
        findings.push({
          check: 'migrations',
          ok: version === latest,
          detail: `schema version ${version}, this build ${latest}`,
          fix: version < latest ? 'Run `gatehouse migrate`.' : version > latest ? 'This database is from a newer Gatehouse: upgrade, or restore a backup made by this version.' : undefined,
        });
        const newest = db.prepare('SELECT max(created_at) FROM sessions').pluck().get() as number | null;
        const now = Math.floor(Date.now() / 1000);
        const skew = newest !== null && newest > now + 60;
        findings.push({
          check: 'clock',
          ok: !skew,
          detail: skew ? `newest session was created ${newest - now}s in the future` : 'system clock is not behind the database',
          fix: skew ? 'Fix the system clock (NTP); sessions expire by wall-clock time.' : undefined,
        });
      } finally {
        db.close();
      }
    }
    if (config.secret) {
      findings.push({ check: 'secret', ok: true, detail: 'GATEHOUSE_SECRET is set' });
    } else {
      const path = secretPath(config);
      if (!existsSync(path)) {
        findings.push({ check: 'secret', ok: true, detail: `${path} will be created (0600) at first start` });
      } else {
        const mode = statSync(path).mode & 0o777;
        findings.push({
          check: 'secret',
          ok: (mode & 0o077) === 0,
          detail: `${path} has mode ${mode.toString(8)}`,
          fix: (mode & 0o077) === 0 ? undefined : `chmod 600 ${path}`,
        });
      }
    }
  }
  for (const f of findings) io.out(`${f.ok ? 'ok  ' : 'FAIL'}  ${f.check.padEnd(10)} ${f.detail}${f.fix ? `\n      fix: ${f.fix}` : ''}`);
  return findings.every((f) => f.ok);
}

/** `gatehouse backup PATH`: an online, consistent copy via SQLite's backup API. */
export async function backup(config: Config, io: Io, path: string | undefined) {
  if (!path) throw new CliError('backup needs a PATH', 2);
  if (existsSync(path)) throw new CliError(`${path} already exists; choose a new file`);
  const db = openDatabase(config.databasePath);
  try {
    const { totalPages } = await backupDatabase(db, path);
    io.out(`backed up ${config.databasePath} to ${path} (${totalPages} pages)`);
  } finally {
    db.close();
  }
}
