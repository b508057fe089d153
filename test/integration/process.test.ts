import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MeDocument, RevokeSessionDocument, SignInDocument, SignUpDocument } from '../generated/graphql.js';
import { connectWs, connected, errorOf, gql, gqlData, onCleanup } from '../utils/app.js';
import { startServerProcess } from '../utils/process.js';

function tempDb() {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-proc-'));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'g.db');
}

describe('the server process', { timeout: 60_000 }, () => {
  it('shuts down gracefully on SIGTERM: finishes in-flight requests, closes sockets with 1001, checkpoints, exits 0', async () => {
    const dbPath = tempDb();
    const server = await startServerProcess(dbPath);
    const user = await gqlData(server.url, SignUpDocument, { input: { email: 'term@example.test', password: 'term-password', name: 'T' } });
    const ws = connectWs(server.url.replace('http', 'ws'), { token: user.signUp.token });
    await connected(ws);

    // Several argon2 sign-ins are in flight when the signal arrives; each must still get its answer.
    const inFlight = Array.from({ length: 3 }, () =>
      gql(server.url, SignInDocument, { input: { email: 'term@example.test', password: 'term-password' } }),
    );
    await new Promise((resolve) => setTimeout(resolve, 30));
    server.child.kill('SIGTERM');
    const answers = await Promise.all(inFlight);
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.body.data?.signIn.__typename).toMatch(/AuthPayload|DeviceLimitReached/);
    }
    expect(await ws.closed).toEqual({ code: 1001, reason: 'Going away' });
    expect(await server.exited).toBe(0);
    expect(server.output()).toContain('"msg":"shutting down"');
    // Set at start: without it, thousands of open subscriptions made V8 pretenure every request's objects.
    expect(server.output()).toContain('"v8Flags":["--no-allocation-site-pretenuring"]');
    // The WAL was checkpointed into the main file on the way out.
    expect(!existsSync(`${dbPath}-wal`) || statSync(`${dbPath}-wal`).size === 0).toBe(true);
  });

  it('keeps every acknowledged sign-in and revocation across SIGKILL mid-stream', async () => {
    const dbPath = tempDb();
    // A dozen sign-ups from one IP within seconds: more than the default per-IP sign-up limit allows.
    const first = await startServerProcess(dbPath, { SIGNUP_RATE_LIMIT: 'off' });
    // `inFlight`: a revocation was sent but the kill came before its answer; it may or may not have committed.
    const acknowledged: { token: string; revoked: boolean; inFlight?: boolean }[] = [];
    let stop = false;
    // A stream of sign-ups, each followed by a revocation of every other one, until the kill.
    const stream = (async () => {
      for (let i = 0; !stop; i++) {
        const result = await gql(first.url, SignUpDocument, { input: { email: `crash${i}@example.test`, password: 'crash-password', name: `C${i}` } }).catch(
          () => null,
        );
        if (!result?.body.data) return;
        const entry: (typeof acknowledged)[number] = { token: result.body.data.signUp.token, revoked: false };
        acknowledged.push(entry);
        if (i % 2 === 1) {
          entry.inFlight = true;
          const revoke = await gql(first.url, RevokeSessionDocument, { id: result.body.data.signUp.session.id }, { token: entry.token }).catch(() => null);
          if (revoke?.body.data) entry.revoked = true;
          entry.inFlight = !revoke;
        }
      }
    })();
    let streamEnded = false;
    void stream.then(() => (streamEnded = true));
    while (acknowledged.length < 12 && !streamEnded) await new Promise((resolve) => setTimeout(resolve, 10));
    first.child.kill('SIGKILL');
    stop = true;
    await stream;
    expect(await first.exited).toBe('SIGKILL');

    const second = await startServerProcess(dbPath);
    expect(acknowledged.length).toBeGreaterThanOrEqual(12);
    for (const { token, revoked, inFlight } of acknowledged) {
      const me = await gql(second.url, MeDocument, undefined, { token });
      if (inFlight) {
        expect([200, 401]).toContain(me.status);
      } else if (revoked) {
        expect(me.status).toBe(401);
        expect(errorOf(me)).toEqual({ code: 'UNAUTHENTICATED', reason: 'SESSION_REVOKED' });
      } else {
        expect(me.status).toBe(200);
        expect(me.body.data?.me.email).toMatch(/^crash\d+@example\.test$/);
      }
    }
  });
});
