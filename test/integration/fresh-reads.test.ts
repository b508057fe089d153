import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import {
  ApproveUserDocument,
  MeDocument,
  RevokeSessionDocument,
  CreateJobDocument,
  JobEventsDocument,
  PendingApprovalsDocument,
  SetUserRoleDocument,
  SignInDocument,
  type JobInput,
} from '../generated/graphql.js';
import { ADMIN_EMAIL, adminToken, connectWs, errorOf, gql, gqlData, onCleanup, signUpAccount, startTestApp } from '../utils/app.js';
import { waitFor } from '../utils/queue.js';

const JOB: JobInput = { title: 'Sound engineer', description: 'Mix front of house for a touring band.', location: 'Lyon', employmentType: 'CONTRACT' };


/** Another connection to the app's database file, as the CLI or a second server would have. */
function otherProcessConnection(path: string) {
  const db = new Database(path);
  db.pragma('busy_timeout = 5000');
  onCleanup(() => {
    db.close();
  });
  return db;
}

describe('re-authorizing deliveries', () => {
  it('reads a subscriber again only when its session or user was written since its last delivery, or by another process', async () => {
    const statements: string[] = [];
    const { url, wsUrl, app, config, clock } = await startTestApp({ DEV_MODE: 'true' }, { sqlTrace: (sql) => statements.push(sql) });
    const admin = await adminToken(url);
    let poster = await signUpAccount(url, 'poster@tour.test');
    const readers = [await signUpAccount(url, 'r0@tour.test'), await signUpAccount(url, 'r1@tour.test'), await signUpAccount(url, 'r2@tour.test')];
    const sessionOf = (userId: string) => app.db.prepare('SELECT id FROM sessions WHERE user_id = ?').pluck().get(userId) as string;
    const subs = readers.map((r) => connectWs(wsUrl, { token: r.token }).subscribe(JobEventsDocument, {}));
    await waitFor(() => app.events.subscriberCount('jobs') === readers.length, 'the subscriptions');

    /**
     * Posts a job; answers how many sessions the deliveries read again, and the first of them (from the
     * batched read's SQL: the trace shortens long bound values to their start and a byte count).
     */
    const post = async () => {
      statements.length = 0;
      const id = (await gqlData(url, CreateJobDocument, { input: JOB }, { token: poster.token })).createJob.id;
      const results = await Promise.all(subs.map((s) => s.results.next()));
      const batched = statements.filter((sql) => /json_each/i.test(sql));
      let reread = 0;
      let firstReread: string | undefined;
      for (const sql of batched) {
        const [, shown, more] = /json_each\('([^']*)'(?:\/\*\+(\d+) bytes\*\/)?\)/.exec(sql)!;
        const length = shown.length + Number(more ?? 0);
        reread += (length - 1) / (JSON.stringify(sessionOf(readers[0].id)).length + 1);
        firstReread ??= readers.find((r) => shown.includes(sessionOf(r.id)))?.id;
      }
      return { id, results, reread, firstReread };
    };

    const first = await post();
    expect(first.results.map((r) => r.data?.jobEvents.job.id)).toEqual([first.id, first.id, first.id]);
    expect(first.reread).toBe(3);

    // Nothing written since: no read at all.
    const second = await post();
    expect(second.results.map((r) => r.data?.jobEvents.job.id)).toEqual([second.id, second.id, second.id]);
    expect(second.reread).toBe(0);

    // One user written (through this server): only that subscriber is read again.
    await gqlData(url, SetUserRoleDocument, { id: readers[1].id, role: 'STAGE_MANAGER' }, { token: admin });
    expect(await post()).toMatchObject({ reread: 1, firstReread: readers[1].id });

    // A write by another connection (another process): everyone is read again.
    otherProcessConnection(config.databasePath).prepare("UPDATE users SET name = 'renamed' WHERE id = ?").run(readers[2].id);
    expect((await post()).reread).toBe(3);

    // Time alone ends a session: a viewer that needs no read is still refused past its idle deadline.
    expect((await post()).reread).toBe(0);
    clock.advance(config.sessionIdleTimeout + 1);
    const signIn = await gqlData(url, SignInDocument, { input: { email: 'poster@tour.test', password: 'a-good-password' } });
    if (signIn.signIn.__typename !== 'AuthPayload') throw new Error('poster hit the device limit');
    poster = { ...poster, token: signIn.signIn.token };
    const late = await post();
    for (const result of late.results) expect(result.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'SESSION_EXPIRED' });
  });

  it('an admin demoted by another process stops receiving the approval queue at the next event', async () => {
    const { url, wsUrl, app, config } = await startTestApp();
    const admin = await adminToken(url);
    const sub = connectWs(wsUrl, { token: admin }).subscribe(PendingApprovalsDocument);
    await waitFor(() => app.events.subscriberCount('admins') === 1, 'the subscription');

    const first = await signUpAccount(url, 'first@tour.test', 'EMPLOYER');
    expect((await sub.results.next()).data?.pendingApprovals).toMatchObject({ type: 'REQUESTED', user: { id: first.id } });
    await gqlData(url, ApproveUserDocument, { id: first.id }, { token: admin });
    expect((await sub.results.next()).data?.pendingApprovals).toMatchObject({ type: 'APPROVED', user: { id: first.id } });

    otherProcessConnection(config.databasePath).prepare("UPDATE users SET role = 'MEMBER' WHERE email = ?").run(ADMIN_EMAIL);
    await signUpAccount(url, 'second@tour.test', 'EMPLOYER');
    const refused = await sub.results.next();
    expect(refused.data).toBeNull();
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_ADMIN' });
    await sub.completed;
  });
});

describe('HTTP token lookups', () => {
  it('read the session and user again only when one of them was written since, here or by another process', async () => {
    const statements: string[] = [];
    const { url, app, config, clock } = await startTestApp({}, { sqlTrace: (sql) => statements.push(sql) });
    const admin = await adminToken(url);
    const user = await signUpAccount(url, 'me@tour.test');
    const lookups = async (run: () => Promise<unknown>) => {
      statements.length = 0;
      await run();
      return statements.filter((sql) => /WHERE s\.token_hash = /.test(sql)).length;
    };
    const me = async () => (await gqlData(url, MeDocument, undefined, { token: user.token })).me;

    expect(await lookups(me)).toBe(1);
    expect(await lookups(me)).toBe(0);
    expect(await lookups(me)).toBe(0);

    // Written through this server: read again, and the change shows.
    await gqlData(url, SetUserRoleDocument, { id: user.id, role: 'STAGE_MANAGER' }, { token: admin });
    let seen: { role?: string | null } | undefined;
    expect(await lookups(async () => (seen = await me()))).toBe(1);
    expect(seen?.role).toBe('STAGE_MANAGER');
    expect(await lookups(me)).toBe(0);

    // Written by another process: read again, and the change shows.
    otherProcessConnection(config.databasePath).prepare("UPDATE users SET name = 'Renamed' WHERE id = ?").run(user.id);
    let renamed: { name?: string } | undefined;
    expect(await lookups(async () => (renamed = await me()))).toBe(1);
    expect(renamed?.name).toBe('Renamed');

    // Time alone: past the idle deadline the kept copy is refused like a fresh read.
    expect(await lookups(me)).toBe(0);
    clock.advance(config.sessionIdleTimeout + 1);
    expect(errorOf(await gql(url, MeDocument, undefined, { token: user.token }))).toEqual({ code: 'UNAUTHENTICATED', reason: 'SESSION_EXPIRED' });
  });

  it('a revoked session is refused on the very next request', async () => {
    const { url, app } = await startTestApp();
    const admin = await adminToken(url);
    const user = await signUpAccount(url, 'revoked@tour.test');
    for (let i = 0; i < 3; i++) expect((await gqlData(url, MeDocument, undefined, { token: user.token })).me.id).toBe(user.id);
    const sessionId = app.db.prepare('SELECT id FROM sessions WHERE user_id = ?').pluck().get(user.id) as string;
    await gqlData(url, RevokeSessionDocument, { id: sessionId }, { token: admin });
    expect(errorOf(await gql(url, MeDocument, undefined, { token: user.token }))).toEqual({ code: 'UNAUTHENTICATED', reason: 'SESSION_REVOKED' });
  });
});
