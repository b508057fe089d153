import { describe, expect, it } from 'vitest';
import { startTestApp } from '../utils/app.js';
import { loadConfig } from '../../src/config.js';
import { createApp } from '../../src/app.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('internal errors', () => {
  it('are masked as INTERNAL_SERVER_ERROR with a request id that is also in the log', async () => {
    const { url, app, logs } = await startTestApp();
    // Break the database under the running server: the sessions table disappears.
    app.db.exec('ALTER TABLE sessions RENAME TO sessions_moved');
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: JSON.stringify({ query: '{ health { status activeSessions } }' }),
      });
      const body = (await response.json()) as { errors: { message: string; extensions: { code: string; requestId: string } }[] };
      const error = body.errors[0];
      expect(error.extensions.code).toBe('INTERNAL_SERVER_ERROR');
      expect(error.extensions.requestId).toMatch(/^req_[0-9a-f]{16}$/);
      expect(error.message).toContain(error.extensions.requestId);
      expect(error.message).not.toContain('no such table');
      const line = logs.find((l) => l.includes(error.extensions.requestId));
      expect(line).toBeDefined();
      expect(JSON.parse(line!)).toMatchObject({ level: 'error', requestId: error.extensions.requestId });
      expect(line).toContain('no such table: sessions');
    } finally {
      app.db.exec('ALTER TABLE sessions_moved RENAME TO sessions');
    }
  });
});

describe('first run', () => {
  it('creates the first admin with a generated password when ADMIN_PASSWORD is unset, only once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bootstrap-'));
    try {
      const config = loadConfig({ DATABASE_PATH: join(dir, 'g.db'), LOG_LEVEL: 'silent' });
      const app = await createApp(config, { sweeper: false });
      const url = await app.start(0);
      expect(app.bootstrapResult?.email).toBe('admin@gatehouse.local');
      const password = app.bootstrapResult?.generatedPassword;
      expect(password).toMatch(/^[A-Za-z0-9_-]{20}$/);
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: 'mutation($i: SignInInput!) { signIn(input: $i) { ... on AuthPayload { user { role status } } } }',
          variables: { i: { email: 'admin@gatehouse.local', password } },
        }),
      });
      expect(await response.json()).toEqual({ data: { signIn: { user: { role: 'ADMIN', status: 'ACTIVE' } } } });
      await app.stop();
      const again = await createApp(config, { sweeper: false });
      expect(again.bootstrapResult).toBeNull();
      await again.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
