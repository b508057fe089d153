import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { AccountStatusChangedDocument, MeDocument, SessionEventsDocument, SignUpDocument } from '../generated/graphql.js';
import { connectWs, gql, gqlData, onCleanup, startTestApp } from '../utils/app.js';
import { waitFor } from '../utils/queue.js';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../bin/gatehouse.js');

/** Runs the real CLI in its own process against `dbPath`; never throws, returns code and output. */
async function gatehouse(dbPath: string, ...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      env: { ...process.env, DATABASE_PATH: dbPath, LOG_LEVEL: 'silent' },
      timeout: 20_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function tempDb() {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-'));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'g.db');
}

describe('gatehouse CLI', { timeout: 90_000 }, () => {
  it('prints usage, per-verb help, and refuses misuse with exit 2 and a one-line reason', async () => {
    const db = tempDb();
    const help = await gatehouse(db, '--help');
    expect(help.code).toBe(0);
    for (const verb of ['serve', 'migrate', 'status', 'user create', 'sessions list', 'doctor', 'backup PATH']) expect(help.stdout).toContain(verb);
    for (const verb of ['serve', 'migrate', 'status', 'user', 'sessions', 'doctor', 'backup']) {
      const verbHelp = await gatehouse(db, verb, '--help');
      expect(verbHelp.code, verb).toBe(0);
      expect(verbHelp.stdout, verb).toContain(`gatehouse ${verb}`);
    }
    for (const args of [['bogus'], ['user', 'create'], ['sessions'], ['status', '--nope'], ['backup']]) {
      const misuse = await gatehouse(db, ...args);
      expect(misuse.code, args.join(' ')).toBe(2);
      expect(misuse.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(misuse.stderr, args.join(' ')).toMatch(/^gatehouse: /);
    }
  });

  it('migrates, creates users, lists, creates and revokes sessions, reports status, backs up, and runs doctor', async () => {
    const db = tempDb();
    expect((await gatehouse(db, 'migrate')).stdout).toMatch(/Applied migrations: 1, 2/);
    expect((await gatehouse(db, 'migrate')).stdout).toContain('Database is up to date');

    const admin = await gatehouse(db, 'user', 'create', '--email', 'ops@example.test', '--admin', '--password', 'ops-password-1');
    expect(admin.stdout).toMatch(/created ADMIN ops@example.test \(usr_/);
    const member = await gatehouse(db, 'user', 'create', '--email', 'emp@example.test', '--role', 'employer');
    const generated = /password \(shown once\): (\S+)/.exec(member.stdout)?.[1];
    expect(generated).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect((await gatehouse(db, 'user', 'create', '--email', 'emp@example.test')).code).toBe(1);

    const created = await gatehouse(db, 'sessions', 'create', '--user', 'emp@example.test', '--ttl', '30m');
    expect(created.code).toBe(0);
    const token = /token \(shown once\): (gh_\S+)/.exec(created.stdout)?.[1];
    const sessionId = /DEBUG session (ses_\S+)/.exec(created.stdout)?.[1];
    expect(token).toMatch(/^gh_/);

    const list = await gatehouse(db, 'sessions', 'list', '--json');
    const rows = JSON.parse(list.stdout) as { id: string; user: string; tokenPrefix: string; kind: string }[];
    expect(rows).toEqual([expect.objectContaining({ id: sessionId, user: 'emp@example.test', kind: 'DEBUG', tokenPrefix: token!.slice(0, 9) })]);
    expect(list.stdout).not.toContain(token);
    const table = await gatehouse(db, 'sessions', 'list', '--user', 'emp@example.test');
    expect(table.stdout).toContain(`${token!.slice(0, 9)}…`);
    expect(table.stdout).not.toContain(token);

    const status = JSON.parse((await gatehouse(db, 'status', '--json')).stdout);
    expect(status.sessions).toEqual({ active: 1, expired: 0, revoked: 0 });
    expect(status.users).toMatchObject({ total: 2, ACTIVE: 2, PENDING: 0 });
    expect(status.database.schemaVersion).toBe(status.database.latestVersion);
    expect((await gatehouse(db, 'status')).stdout).toMatch(/sessions\s+1 active, 0 expired, 0 revoked/);

    const revoked = await gatehouse(db, 'sessions', 'revoke', sessionId!);
    expect(revoked.stdout).toContain(`revoked ${sessionId}`);
    expect(JSON.parse((await gatehouse(db, 'status', '--json')).stdout).sessions).toEqual({ active: 0, expired: 0, revoked: 1 });

    const suspended = await gatehouse(db, 'user', 'suspend', 'emp@example.test', '--reason', 'fraud check');
    expect(suspended.stdout).toContain('emp@example.test is now SUSPENDED');
    expect((await gatehouse(db, 'user', 'reactivate', 'emp@example.test')).stdout).toContain('is now ACTIVE');
    expect((await gatehouse(db, 'user', 'approve', 'nobody@example.test')).code).toBe(1);

    const backupPath = join(db, '..', 'backup.db');
    expect((await gatehouse(db, 'backup', backupPath)).code).toBe(0);
    const copy = new Database(backupPath, { readonly: true });
    expect(copy.prepare('SELECT count(*) FROM users').pluck().get()).toBe(2);
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    copy.close();
    expect((await gatehouse(db, 'backup', backupPath)).code).toBe(1); // never overwrites

    const doctor = await gatehouse(db, 'doctor');
    expect(doctor.code).toBe(0);
    expect(doctor.stdout).toMatch(/ok\s+integrity/);
    expect(doctor.stdout).toMatch(/ok\s+migrations/);

    const audit = new Database(db, { readonly: true });
    const actions = audit.prepare("SELECT action FROM audit_events WHERE actor_id = 'cli' ORDER BY id").pluck().all();
    audit.close();
    expect(actions).toEqual(['user.created', 'user.created', 'session.debug_created', 'session.revoked', 'user.suspended', 'user.reactivated']);
  });

  it('doctor reports what to fix', async () => {
    const db = tempDb();
    const missing = await gatehouse(db, 'doctor');
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/FAIL\s+database .*does not exist/);
    expect(missing.stdout).toContain('fix: Run `gatehouse migrate`');
    await gatehouse(db, 'migrate');
    const { chmodSync, writeFileSync } = await import('node:fs');
    writeFileSync(join(db, '..', 'secret'), 'ab'.repeat(32));
    chmodSync(join(db, '..', 'secret'), 0o644);
    const loose = await gatehouse(db, 'doctor');
    expect(loose.code).toBe(1);
    expect(loose.stdout).toMatch(/FAIL\s+secret .*mode 644/);
    expect(loose.stdout).toContain(`fix: chmod 600 ${join(db, '..', 'secret')}`);
    expect(existsSync(db)).toBe(true);
  });

  it('a CLI revocation or approval reaches a running server’s live clients', async () => {
    const t = await startTestApp();
    const dbPath = t.config.databasePath;
    const member = await gqlData(t.url, SignUpDocument, { input: { email: 'live@example.test', password: 'live-password', name: 'Live' } });
    const employer = await gqlData(t.url, SignUpDocument, { input: { email: 'pending@example.test', password: 'live-password', name: 'P', role: 'EMPLOYER' } });

    const memberWs = connectWs(t.wsUrl, { token: member.signUp.token });
    const events = memberWs.subscribe(SessionEventsDocument);
    const employerWs = connectWs(t.wsUrl, { token: employer.signUp.token });
    const status = employerWs.subscribe(AccountStatusChangedDocument);
    expect((await status.results.next()).data?.accountStatusChanged.status).toBe('PENDING');
    await waitFor(() => t.app.events.subscriberCount('user:sessions', member.signUp.user.id) === 1, 'the sessionEvents subscription');

    expect((await gatehouse(dbPath, 'user', 'approve', 'pending@example.test')).code).toBe(0);
    const pushed = await status.results.next(5000, 'approval from another process');
    expect(pushed.data?.accountStatusChanged).toMatchObject({ status: 'ACTIVE', previousStatus: 'PENDING' });

    expect((await gatehouse(dbPath, 'sessions', 'revoke', member.signUp.session.id)).code).toBe(0);
    const notice = await events.results.next(5000, 'REVOKED from another process');
    expect(notice.data?.sessionEvents).toMatchObject({ type: 'REVOKED', reason: 'REVOKED_BY_ADMIN', isCurrent: true });
    expect(await memberWs.closed).toEqual({ code: 4401, reason: 'SESSION_REVOKED:REVOKED_BY_ADMIN' });
    expect((await gql(t.url, MeDocument, undefined, { token: member.signUp.token })).status).toBe(401);

    // An online backup while the server keeps serving is a consistent copy with everything so far.
    const backupPath = join(dbPath, '..', 'online-backup.db');
    const writes = Array.from({ length: 5 }, (_, i) =>
      gqlData(t.url, SignUpDocument, { input: { email: `during${i}@example.test`, password: 'live-password', name: 'D' } }),
    );
    expect((await gatehouse(dbPath, 'backup', backupPath)).code).toBe(0);
    await Promise.all(writes);
    const copy = new Database(backupPath, { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    const revokedRow = copy.prepare('SELECT revoked_reason FROM sessions WHERE id = ?').pluck().get(member.signUp.session.id);
    expect(revokedRow).toBe('REVOKED_BY_ADMIN');
    expect(copy.prepare("SELECT status FROM users WHERE email = 'pending@example.test'").pluck().get()).toBe('ACTIVE');
    copy.close();
  });
});
