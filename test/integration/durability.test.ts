import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ChangePasswordDocument,
  CurrentSessionDocument,
  HealthDocument,
  MeDocument,
  MySessionsDocument,
  RefreshSessionDocument,
  RevokeSessionDocument,
  SignInDocument,
  SignOutDocument,
  SignUpDocument,
} from '../generated/graphql.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, errorOf, gql, gqlData, startTestApp } from '../utils/app.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

async function signIn(url: string, email: string, password: string) {
  const data = await gqlData(url, SignInDocument, { input: { email, password } });
  if (data.signIn.__typename !== 'AuthPayload') throw new Error('unexpected DeviceLimitReached');
  return data.signIn;
}

describe('durability', () => {
  it('keeps sessions, and revocations, across a restart on the same database file', async () => {
    const first = await startTestApp();
    const email = 'durable@example.test';
    const password = 'durable-password-1';
    const signUp = await gqlData(first.url, SignUpDocument, { input: { email, password, name: 'Durable' } });
    const laptop = { token: signUp.signUp.token, id: signUp.signUp.session.id };
    const phone = await signIn(first.url, email, password);
    const tablet = await signIn(first.url, email, password);
    expect((await gqlData(first.url, SignOutDocument, undefined, { token: tablet.token })).signOut).toBe(true);
    const before = await gqlData(first.url, MySessionsDocument, undefined, { token: laptop.token });
    const idsBefore = before.mySessions.map((s) => s.id).sort();
    expect(idsBefore).toEqual([laptop.id, phone.session.id].sort());

    const second = await first.restart();
    expect(second.url).not.toBe('');
    expect(second.dir).toBe(first.dir);
    expect(second.config.databasePath).toBe(join(first.dir, 'gatehouse.db'));

    const me = await gql(second.url, MeDocument, undefined, { token: laptop.token });
    expect(me.status).toBe(200);
    expect(me.body.data?.me).toMatchObject({ id: signUp.signUp.user.id, email, status: 'ACTIVE' });
    const after = await gqlData(second.url, MySessionsDocument, undefined, { token: laptop.token });
    expect(after.mySessions.map((s) => s.id).sort()).toEqual(idsBefore);
    const laptopAfter = after.mySessions.find((s) => s.id === laptop.id)!;
    const laptopBefore = before.mySessions.find((s) => s.id === laptop.id)!;
    expect(laptopAfter).toMatchObject({ deviceName: laptopBefore.deviceName, createdAt: laptopBefore.createdAt, isCurrent: true });
    const phoneMe = await gqlData(second.url, CurrentSessionDocument, undefined, { token: phone.token });
    expect(phoneMe.currentSession.id).toBe(phone.session.id);

    const revoked = await gql(second.url, MeDocument, undefined, { token: tablet.token });
    expect(revoked.status).toBe(401);
    expect(errorOf(revoked)).toEqual({ code: 'UNAUTHENTICATED', reason: 'SESSION_REVOKED' });

    // The first admin was not created twice, and the live session count is the same.
    const admins = second.app.db.prepare("SELECT count(*) FROM users WHERE role = 'ADMIN'").pluck().get();
    expect(admins).toBe(1);
    expect(second.app.bootstrapResult).toBeNull();
    const health = await gqlData(second.url, HealthDocument);
    expect(health.health.activeSessions).toBe(2);
  });

  it('never stores or logs a token or password in plaintext', async () => {
    const t = await startTestApp();
    const email = 'secret@example.test';
    const password = 'plain-password-XYZ-1';
    const newPassword = 'plain-password-XYZ-2';
    const wrongPassword = 'wrong-password-QQQ-9';
    const tokens: string[] = [];

    const signUp = await gqlData(t.url, SignUpDocument, { input: { email, password, name: 'Secret' } });
    tokens.push(signUp.signUp.token);
    const signedIn = await signIn(t.url, email, password);
    tokens.push(signedIn.token);
    const admin = await signIn(t.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    tokens.push(admin.token);
    const refreshed = await gqlData(t.url, RefreshSessionDocument, undefined, { token: signedIn.token });
    const current = refreshed.refreshSession.token;
    tokens.push(current);
    // Revoke the sign-up session from the refreshed one.
    await gqlData(t.url, RevokeSessionDocument, { id: signUp.signUp.session.id }, { token: current });

    // Failing requests: a revoked token, a made-up token, a non-bearer header, wrong passwords.
    const revokedUse = await gql(t.url, MeDocument, undefined, { token: signUp.signUp.token });
    expect(errorOf(revokedUse)).toEqual({ code: 'UNAUTHENTICATED', reason: 'SESSION_REVOKED' });
    const unknown = `gh_${'Z'.repeat(43)}`;
    expect(errorOf(await gql(t.url, MeDocument, undefined, { token: unknown }))).toEqual({ code: 'UNAUTHENTICATED', reason: 'INVALID_TOKEN' });
    const basic = await gql(t.url, MeDocument, undefined, { headers: { authorization: `Basic ${current}` } });
    expect(basic.status).toBe(401);
    const badSignIn = await gql(t.url, SignInDocument, { input: { email, password: wrongPassword } });
    expect(errorOf(badSignIn)).toEqual({ code: 'UNAUTHENTICATED', reason: 'INVALID_CREDENTIALS' });
    const badChange = await gql(t.url, ChangePasswordDocument, { input: { currentPassword: wrongPassword, newPassword } }, { token: current });
    expect(errorOf(badChange).code).toBe('BAD_USER_INPUT');
    // A token repeated in another header must not end up in the log either.
    const pasted = await gql(t.url, MeDocument, undefined, { token: current, headers: { 'x-debug-token': current } });
    expect(pasted.status).toBe(200);
    // A successful password change so the new one also passes through the server.
    expect(
      (await gqlData(t.url, ChangePasswordDocument, { input: { currentPassword: password, newPassword, signOutOtherSessions: false } }, { token: current }))
        .changePassword,
    ).toBe(true);

    const passwords = [password, newPassword, wrongPassword, ADMIN_PASSWORD];
    // Each token also without its prefix, so a log that strips "gh_" is caught too.
    const secrets = [...tokens, ...tokens.map((token) => token.slice(3)), ...passwords];

    // Every table row, every column.
    const tables = t.app.db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .pluck()
      .all() as string[];
    expect(tables).toEqual(expect.arrayContaining(['sessions', 'audit_events', 'users']));
    const rowsText: string[] = [];
    for (const table of tables) {
      const rows = t.app.db.prepare(`SELECT * FROM "${table}"`).all();
      rowsText.push(JSON.stringify(rows));
    }
    const dump = rowsText.join('\n');
    const auditCount = t.app.db.prepare('SELECT count(*) FROM audit_events').pluck().get() as number;
    expect(auditCount).toBeGreaterThan(0);
    for (const secret of secrets) expect(dump.includes(secret), `database rows contain ${secret}`).toBe(false);

    // Only hashes are stored: current token, the rotated-away token during its grace window.
    const sessionRow = (id: string) =>
      t.app.db.prepare('SELECT token_hash, previous_token_hash FROM sessions WHERE id = ?').get(id) as {
        token_hash: string;
        previous_token_hash: string | null;
      };
    expect(sessionRow(signedIn.session.id)).toEqual({ token_hash: sha256(current), previous_token_hash: sha256(signedIn.token) });
    expect(sessionRow(signUp.signUp.session.id).token_hash).toBe(sha256(signUp.signUp.token));
    expect(sessionRow(admin.session.id).token_hash).toBe(sha256(admin.token));
    const passwordHash = t.app.db.prepare('SELECT password_hash FROM users WHERE email = ?').pluck().get(email) as string;
    expect(passwordHash.startsWith('$argon2id$v=19$m=19456,t=2,p=1$')).toBe(true);

    // The raw bytes of the database and its write-ahead log.
    const dbPath = t.config.databasePath;
    const files = [dbPath, `${dbPath}-wal`].filter((file) => existsSync(file));
    expect(files).toContain(dbPath);
    for (const file of files) {
      const bytes = readFileSync(file);
      for (const secret of secrets) expect(bytes.includes(Buffer.from(secret, 'utf8')), `${file} contains ${secret}`).toBe(false);
    }
    // The hash really is in there (so the scan reads real content).
    const allBytes = Buffer.concat(files.map((file) => readFileSync(file)));
    expect(allBytes.includes(Buffer.from(sha256(current), 'utf8'))).toBe(true);

    // The captured log output.
    const log = t.logs.join('');
    expect(t.logs.length).toBeGreaterThan(0);
    expect(log).toContain('Gatehouse is listening');
    for (const secret of secrets) expect(log.includes(secret), `log contains ${secret}`).toBe(false);
  });

  it('never logs tokens or passwords at the most verbose log level either', async () => {
    const t = await startTestApp({ LOG_LEVEL: 'trace' });
    const email = 'verbose@example.test';
    const password = 'verbose-password-1';
    const signUp = await gqlData(t.url, SignUpDocument, { input: { email, password, name: 'Verbose' } });
    const signedIn = await signIn(t.url, email, password);
    const refreshed = await gqlData(t.url, RefreshSessionDocument, undefined, { token: signedIn.token });
    await gqlData(t.url, SignOutDocument, undefined, { token: signUp.signUp.token });
    expect((await gql(t.url, MeDocument, undefined, { token: signUp.signUp.token })).status).toBe(401);
    expect(errorOf(await gql(t.url, SignInDocument, { input: { email, password: 'nope-nope-nope' } })).reason).toBe('INVALID_CREDENTIALS');
    const tokens = [signUp.signUp.token, signedIn.token, refreshed.refreshSession.token];
    const log = t.logs.join('');
    expect(t.logs.length).toBeGreaterThan(1);
    for (const secret of [...tokens, ...tokens.map((token) => token.slice(3)), password, 'nope-nope-nope', ADMIN_PASSWORD]) {
      expect(log.includes(secret), `log contains ${secret}`).toBe(false);
    }
  });
});
