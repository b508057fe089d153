import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { AuditLogDocument, ChangePasswordDocument, SignInDocument, SignUpDocument } from '../generated/graphql.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, errorOf, gql, gqlData, onCleanup, startTestApp } from '../utils/app.js';
import { argon2JobCount } from '../../src/accounts/password.js';

const PASSWORD = 'lock-test-password-1';
const WRONG = 'not-the-password-9';

type Result = Awaited<ReturnType<typeof gql>>;

function signIn(url: string, email: string, password: string): Promise<Result> {
  return gql(url, SignInDocument, { input: { email, password } }) as Promise<Result>;
}

function extensionsOf(result: Result) {
  return result.body.errors?.[0]?.extensions ?? {};
}

async function signUp(url: string, email: string) {
  return gqlData(url, SignUpDocument, { input: { email, password: PASSWORD, name: email.split('@')[0] } });
}

async function adminToken(url: string): Promise<string> {
  const data = await gqlData(url, SignInDocument, { input: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
  if (data.signIn.__typename !== 'AuthPayload') throw new Error('admin hit the device limit');
  return data.signIn.token;
}

describe('brute-force protection on signIn (per account)', () => {
  it('locks the account after 5 failures for 30 s, refusing even the right password without reading the user or running argon2', async () => {
    const statements: string[] = [];
    const t = await startTestApp({}, { sqlTrace: (sql) => statements.push(sql) });
    await signUp(t.url, 'victim@example.test');

    for (let i = 1; i <= 5; i++) {
      expect(errorOf(await signIn(t.url, 'victim@example.test', WRONG)), `failure ${i}`).toEqual({ code: 'UNAUTHENTICATED', reason: 'INVALID_CREDENTIALS' });
    }
    statements.length = 0;
    const started = performance.now();
    const locked = await signIn(t.url, 'victim@example.test', PASSWORD);
    const ms = performance.now() - started;
    expect(locked.status).toBe(200);
    expect(locked.body.data).toBeNull();
    expect(extensionsOf(locked)).toEqual({ code: 'RATE_LIMITED', reason: 'ACCOUNT_LOCKED', retryAfterSeconds: 30 });
    expect(locked.body.errors?.[0].message).toMatch(/^Too many failed sign-ins for this account.*Try again in 30 seconds \(after \d{4}-\d\d-\d\dT[\d:]+Z\)\.$/);
    // Refused before the user lookup (and so before argon2): no query touched the users table.
    expect(statements.filter((sql) => /\bFROM users\b/i.test(sql))).toEqual([]);
    expect(ms).toBeLessThan(1000);
    // Differently cased email: same account key.
    expect(extensionsOf(await signIn(t.url, '  VICTIM@Example.TEST ', PASSWORD)).reason).toBe('ACCOUNT_LOCKED');

    t.clock.advance(29);
    expect(extensionsOf(await signIn(t.url, 'victim@example.test', PASSWORD))).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 1 });
    t.clock.advance(1);
    const ok = await gqlData(t.url, SignInDocument, { input: { email: 'victim@example.test', password: PASSWORD } });
    expect(ok.signIn.__typename).toBe('AuthPayload');

    // The success cleared the account counter: four more failures do not lock it again.
    for (let i = 0; i < 4; i++) expect(errorOf(await signIn(t.url, 'victim@example.test', WRONG)).reason).toBe('INVALID_CREDENTIALS');
    expect((await gqlData(t.url, SignInDocument, { input: { email: 'victim@example.test', password: PASSWORD } })).signIn.__typename).toBe('AuthPayload');
  });

  it('doubles the lock with each further failure, from 30 s up to SIGNIN_LOCK_MAX (15m), and audits each lock', async () => {
    const t = await startTestApp();
    const user = await signUp(t.url, 'doubling@example.test');
    for (let i = 0; i < 5; i++) await signIn(t.url, 'doubling@example.test', WRONG);
    const expected = [30, 60, 120, 240, 480, 900, 900];
    for (const [i, seconds] of expected.entries()) {
      const refused = await signIn(t.url, 'doubling@example.test', PASSWORD);
      expect(extensionsOf(refused), `lock ${i + 1}`).toMatchObject({ code: 'RATE_LIMITED', reason: 'ACCOUNT_LOCKED', retryAfterSeconds: seconds });
      t.clock.advance(seconds);
      // The lock is over: a wrong password is checked again (INVALID_CREDENTIALS) and starts a longer lock.
      expect(errorOf(await signIn(t.url, 'doubling@example.test', WRONG)).reason).toBe('INVALID_CREDENTIALS');
    }

    const admin = await adminToken(t.url);
    const audit = await gqlData(t.url, AuditLogDocument, { first: 50, filter: { userId: user.signUp.user.id, action: 'user.sign_in_locked' } }, { token: admin });
    const locks = audit.auditLog.edges.map((e) => e.node);
    expect(locks).toHaveLength(8);
    expect(locks.map((l) => (l.detail as { lockSeconds: number }).lockSeconds).reverse()).toEqual([30, 60, 120, 240, 480, 900, 900, 900]);
    expect(locks.at(-1)).toMatchObject({ action: 'user.sign_in_locked', targetType: 'User', targetId: user.signUp.user.id });
    expect(locks.at(-1)!.detail).toEqual({ scope: 'account', failures: 5, lockSeconds: 30, emailKnown: true });
    expect(locks.at(-1)!.ipAddress).toMatch(/127\.0\.0\.1/);
  });

  it('locks unknown emails the same way (no hint which emails exist)', async () => {
    const t = await startTestApp();
    for (let i = 0; i < 5; i++) expect(errorOf(await signIn(t.url, 'nobody@example.test', WRONG)).reason).toBe('INVALID_CREDENTIALS');
    expect(extensionsOf(await signIn(t.url, 'Nobody@Example.test', WRONG))).toEqual({ code: 'RATE_LIMITED', reason: 'ACCOUNT_LOCKED', retryAfterSeconds: 30 });
    // Other accounts are untouched.
    expect((await gqlData(t.url, SignInDocument, { input: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } })).signIn.__typename).toBe('AuthPayload');
  });

  it('keeps the lock across a restart', async () => {
    const first = await startTestApp();
    await signUp(first.url, 'restart@example.test');
    for (let i = 0; i < 5; i++) await signIn(first.url, 'restart@example.test', WRONG);
    expect(extensionsOf(await signIn(first.url, 'restart@example.test', PASSWORD)).retryAfterSeconds).toBe(30);
    first.clock.advance(10);
    const second = await first.restart();
    expect(extensionsOf(await signIn(second.url, 'restart@example.test', PASSWORD))).toEqual({ code: 'RATE_LIMITED', reason: 'ACCOUNT_LOCKED', retryAfterSeconds: 20 });
    second.clock.advance(20);
    expect((await gqlData(second.url, SignInDocument, { input: { email: 'restart@example.test', password: PASSWORD } })).signIn.__typename).toBe('AuthPayload');
  });

  it('forgets failures after 15 minutes without one', async () => {
    const t = await startTestApp();
    await signUp(t.url, 'decay@example.test');
    for (let i = 0; i < 4; i++) await signIn(t.url, 'decay@example.test', WRONG);
    t.clock.advance(15 * 60);
    for (let i = 0; i < 4; i++) expect(errorOf(await signIn(t.url, 'decay@example.test', WRONG)).reason).toBe('INVALID_CREDENTIALS');
    // Four counted since the decay; 14 minutes later the fifth still counts and locks.
    t.clock.advance(14 * 60);
    expect(errorOf(await signIn(t.url, 'decay@example.test', WRONG)).reason).toBe('INVALID_CREDENTIALS');
    expect(extensionsOf(await signIn(t.url, 'decay@example.test', PASSWORD)).reason).toBe('ACCOUNT_LOCKED');
  });

  it('follows SIGNIN_LOCK_THRESHOLD and SIGNIN_LOCK_MAX, and 0 turns the account lock off', async () => {
    const t = await startTestApp({ SIGNIN_LOCK_THRESHOLD: '2', SIGNIN_LOCK_MAX: '45s' });
    for (let i = 0; i < 2; i++) await signIn(t.url, 'tuned@example.test', WRONG);
    expect(extensionsOf(await signIn(t.url, 'tuned@example.test', WRONG)).retryAfterSeconds).toBe(30);
    t.clock.advance(30);
    await signIn(t.url, 'tuned@example.test', WRONG);
    expect(extensionsOf(await signIn(t.url, 'tuned@example.test', WRONG)).retryAfterSeconds).toBe(45);

    const off = await startTestApp({ SIGNIN_LOCK_THRESHOLD: '0' });
    for (let i = 0; i < 8; i++) expect(errorOf(await signIn(off.url, 'free@example.test', WRONG)).reason).toBe('INVALID_CREDENTIALS');
  });
});

describe('sign-in with an unknown email', () => {
  it('runs one argon2 verification (against a dummy hash), like a wrong password for a known email, and answers the same', async () => {
    const t = await startTestApp();
    await signUp(t.url, 'known@example.test');
    // The first unknown email of a process also hashes the dummy password once.
    await signIn(t.url, 'warm-up@example.test', WRONG);
    const attempt = async (email: string) => {
      const before = argon2JobCount();
      const result = await signIn(t.url, email, WRONG);
      return { argon2Jobs: argon2JobCount() - before, status: result.status, body: result.body };
    };
    const known = await attempt('known@example.test');
    const unknown = await attempt('nobody@example.test');
    expect(known.argon2Jobs).toBe(1);
    expect(unknown).toEqual({ ...known, argon2Jobs: 1 });
    expect(unknown.body.errors?.[0].extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'INVALID_CREDENTIALS' });
  });
});

describe('brute-force protection on signIn (per IP)', () => {
  it('locks the client IP after SIGNIN_IP_LOCK_THRESHOLD failures across accounts; a success does not clear the IP counter', async () => {
    const t = await startTestApp({ SIGNIN_IP_LOCK_THRESHOLD: '3', SIGNIN_LOCK_THRESHOLD: '10' });
    await signUp(t.url, 'someone@example.test');
    expect(errorOf(await signIn(t.url, 'a@example.test', WRONG)).reason).toBe('INVALID_CREDENTIALS');
    expect(errorOf(await signIn(t.url, 'b@example.test', WRONG)).reason).toBe('INVALID_CREDENTIALS');
    expect((await gqlData(t.url, SignInDocument, { input: { email: 'someone@example.test', password: PASSWORD } })).signIn.__typename).toBe('AuthPayload');
    expect(errorOf(await signIn(t.url, 'c@example.test', WRONG)).reason).toBe('INVALID_CREDENTIALS');
    // Third failure from this IP: locked for every account, the right password included.
    const refused = await signIn(t.url, 'someone@example.test', PASSWORD);
    expect(extensionsOf(refused)).toEqual({ code: 'RATE_LIMITED', reason: 'IP_LOCKED', retryAfterSeconds: 30 });
    expect(refused.body.errors?.[0].message).toContain('your network address');
    t.clock.advance(30);
    expect((await gqlData(t.url, SignInDocument, { input: { email: 'someone@example.test', password: PASSWORD } })).signIn.__typename).toBe('AuthPayload');

    const admin = await adminToken(t.url);
    const audit = await gqlData(t.url, AuditLogDocument, { first: 10, filter: { action: 'user.sign_in_locked' } }, { token: admin });
    expect(audit.auditLog.edges.map((e) => e.node.detail)).toEqual([{ scope: 'ip', failures: 3, lockSeconds: 30, emailKnown: false }]);
  });

  it('defaults to 20 failures per IP', async () => {
    const t = await startTestApp();
    for (let i = 0; i < 20; i++) {
      expect(errorOf(await signIn(t.url, `spray${i}@example.test`, WRONG)).reason, `failure ${i + 1}`).toBe('INVALID_CREDENTIALS');
    }
    expect(extensionsOf(await signIn(t.url, ADMIN_EMAIL, ADMIN_PASSWORD))).toMatchObject({ reason: 'IP_LOCKED', retryAfterSeconds: 30 });
  });
});

describe('signUp rate limit per IP', () => {
  it('allows 10 sign-ups per 10 minutes per IP by default, then RATE_LIMITED with retryAfterSeconds', async () => {
    const t = await startTestApp();
    for (let i = 0; i < 10; i++) await signUp(t.url, `burst${i}@example.test`);
    t.clock.advance(60);
    const refused = await gql(t.url, SignUpDocument, { input: { email: 'burst10@example.test', password: PASSWORD, name: 'B' } });
    expect(refused.body.errors?.[0].extensions).toEqual({ code: 'RATE_LIMITED', reason: 'TOO_MANY_SIGN_UPS', retryAfterSeconds: 540 });
    expect(refused.body.errors?.[0].message).toBe('Too many sign-ups from your network address (at most 10 per 10 minutes). Try again in 9 minutes.');
    // Nothing was created.
    expect(errorOf(await signIn(t.url, 'burst10@example.test', PASSWORD)).reason).toBe('INVALID_CREDENTIALS');
    t.clock.advance(540);
    await signUp(t.url, 'burst10@example.test');
  });

  it('follows SIGNUP_RATE_LIMIT, counts only valid sign-ups, and survives a restart', async () => {
    const first = await startTestApp({ SIGNUP_RATE_LIMIT: '2/1h' });
    // Invalid input is refused before the limit is touched.
    expect(errorOf(await gql(first.url, SignUpDocument, { input: { email: 'nope', password: PASSWORD, name: 'N' } })).code).toBe('BAD_USER_INPUT');
    await signUp(first.url, 'one@example.test');
    await signUp(first.url, 'two@example.test');
    const second = await first.restart();
    const refused = await gql(second.url, SignUpDocument, { input: { email: 'three@example.test', password: PASSWORD, name: 'T' } });
    expect(refused.body.errors?.[0].extensions).toEqual({ code: 'RATE_LIMITED', reason: 'TOO_MANY_SIGN_UPS', retryAfterSeconds: 3600 });

    const off = await startTestApp({ SIGNUP_RATE_LIMIT: 'off' });
    for (let i = 0; i < 12; i++) await signUp(off.url, `free${i}@example.test`);
  });
});

describe('password policy', () => {
  it('refuses short, common, email-like and name-like passwords at signUp with the field and a reason', async () => {
    const t = await startTestApp();
    const cases: [Record<string, string>, string][] = [
      [{ password: 'short-pw1' }, 'must be at least 10 characters'],
      [{ password: 'Password123' }, 'is one of the most common passwords; choose one that is harder to guess'],
      [{ password: 'QWERTYUIOP' }, 'is one of the most common passwords; choose one that is harder to guess'],
      [{ password: 'Policy.Person@example.test' }, 'must not be your email address'],
      [{ password: 'policy.person' }, 'must not be your email address'],
      [{ password: 'Policy Person Name', name: 'policy person name' }, 'must not be your name'],
    ];
    for (const [input, message] of cases) {
      const result = await gql(t.url, SignUpDocument, { input: { email: 'policy.person@example.test', name: 'Policy', ...input } as never });
      expect(result.body.errors?.[0].extensions, input.password).toEqual({
        code: 'BAD_USER_INPUT',
        fields: [{ path: 'input.password', message }],
      });
    }
    // A decent password goes through.
    await gqlData(t.url, SignUpDocument, { input: { email: 'policy.person@example.test', name: 'Policy', password: 'correct horse battery' } });
  });

  it('refuses the same at changePassword, as input.newPassword', async () => {
    const t = await startTestApp();
    const user = await signUp(t.url, 'changer@example.test');
    const token = user.signUp.token;
    const cases: [string, string][] = [
      ['tooshort', 'must be at least 10 characters'],
      ['iloveyou123', 'is one of the most common passwords; choose one that is harder to guess'],
      ['CHANGER@example.test', 'must not be your email address'],
    ];
    for (const [newPassword, message] of cases) {
      const result = await gql(t.url, ChangePasswordDocument, { input: { currentPassword: PASSWORD, newPassword } }, { token });
      expect(result.body.errors?.[0].extensions, newPassword).toEqual({ code: 'BAD_USER_INPUT', fields: [{ path: 'input.newPassword', message }] });
    }
    expect((await gqlData(t.url, ChangePasswordDocument, { input: { currentPassword: PASSWORD, newPassword: 'a much better passphrase' } }, { token })).changePassword).toBe(true);
  });

  it('refuses a weak --password at `gatehouse user create`', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-policy-'));
    onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    const bin = join(import.meta.dirname, '../../bin/gatehouse.js');
    const run = async (password: string) => {
      try {
        const out = await promisify(execFile)(process.execPath, [bin, 'user', 'create', '--email', 'cli@example.test', '--password', password], {
          env: { ...process.env, DATABASE_PATH: join(dir, 'g.db'), LOG_LEVEL: 'silent' },
        });
        return { code: 0, stdout: out.stdout, stderr: out.stderr };
      } catch (error) {
        return error as { code: number; stdout: string; stderr: string };
      }
    };
    const common = await run('password123');
    expect(common.code).toBe(1);
    expect(common.stderr.trim()).toBe('gatehouse: --password is one of the most common passwords; choose one that is harder to guess');
    const short = await run('short');
    expect(short.stderr.trim()).toBe('gatehouse: --password must be at least 10 characters');
    expect((await run('a-fine-cli-password')).stdout).toMatch(/created MEMBER cli@example.test/);
  });
});
