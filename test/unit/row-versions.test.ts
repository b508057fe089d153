import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open.js';
import { rowVersionsOf } from '../../src/db/row-versions.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function database() {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-versions-'));
  const path = join(dir, 'db.sqlite');
  const db = openDatabase(path);
  db.exec('CREATE TABLE t (id TEXT PRIMARY KEY, v INTEGER) STRICT');
  cleanups.push(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { db, path };
}

describe('RowVersions', () => {
  it('keeps a stamp current until that id is reported written, and is shared by everything on one connection', () => {
    const { db } = database();
    const versions = rowVersionsOf(db);
    expect(rowVersionsOf(db)).toBe(versions);
    const a = versions.stamp('usr_a');
    const b = versions.stamp('usr_b');
    expect(versions.isCurrent(a)).toBe(true);
    const mark = versions.mark();
    expect(versions.unchangedSince(mark)).toBe(true);
    versions.changed('usr_a');
    expect(versions.unchangedSince(mark)).toBe(false);
    expect(versions.isCurrent(a)).toBe(false);
    expect(versions.isCurrent(b)).toBe(b.slot !== a.slot);
    expect(versions.isCurrent(versions.stamp('usr_a'))).toBe(true);
  });

  it('treats every stamp as stale once another connection has committed, and only then', () => {
    const { db, path } = database();
    const versions = rowVersionsOf(db);
    const stamp = versions.stamp('usr_a');
    // This connection's own statements never move data_version: the stores report those writes.
    db.prepare('INSERT INTO t VALUES (?, ?)').run('x', 1);
    expect(versions.isCurrent(stamp)).toBe(true);
    const other = new Database(path);
    cleanups.push(() => other.close());
    other.prepare('UPDATE t SET v = 2').run();
    expect(versions.isCurrent(stamp)).toBe(false);
    const again = versions.stamp('usr_a');
    expect(versions.isCurrent(again)).toBe(true);
  });
});
