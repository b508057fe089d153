import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createApp } from '../../src/app.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

describe('server secret file', () => {
  it('is created with mode 0600, and start-up refuses one that others can read', async () => {
    const { chmodSync, statSync } = await import('node:fs');
    const { InsecureSecretError } = await import('../../src/lib/secret.js');
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-secret-'));
    try {
      const config = loadConfig({ DATABASE_PATH: join(dir, 'g.db'), LOG_LEVEL: 'silent' });
      const app = await createApp(config, { sweeper: false, bootstrap: false });
      await app.stop();
      const secretFile = join(dir, 'secret');
      expect(statSync(secretFile).mode & 0o777).toBe(0o600);
      chmodSync(secretFile, 0o644);
      await expect(createApp(config, { sweeper: false, bootstrap: false })).rejects.toThrow(InsecureSecretError);
      await expect(createApp(config, { sweeper: false, bootstrap: false })).rejects.toThrow(`chmod 600 ${secretFile}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
