import { describe, expect, it } from 'vitest';
import { rowVersionsOf } from '../../src/db/row-versions.js';
import { signUpAccount, startTestApp } from '../utils/app.js';

describe('WAL checkpoints', () => {
  it('run on their own thread while the server runs, not inside the requests’ commits', async () => {
    const { url, app } = await startTestApp();
    // SQLite's automatic checkpoint (inside whichever commit crosses 1,000 pages) is off meanwhile.
    expect(app.db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    for (let i = 0; i < 5; i++) await signUpAccount(url, `wal-${i}@example.test`);

    const epoch = rowVersionsOf(app.db).foreignEpoch();
    const result = await app.checkpointer.checkpointNow();
    // Every committed frame is in the database file now (nothing was reading an older snapshot).
    expect(result.log).toBeGreaterThan(0);
    expect(result.checkpointed).toBe(result.log);
    expect(result.busy).toBe(0);
    // A checkpoint changes no content: it is not another process's commit to the server's caches.
    expect(rowVersionsOf(app.db).foreignEpoch()).toBe(epoch);
    expect(app.db.prepare("SELECT count(*) FROM users WHERE email LIKE 'wal-%'").pluck().get()).toBe(5);

    await app.checkpointer.stop();
    expect(app.db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  });
});
