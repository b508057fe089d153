import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { printSortedSchema } from '../../src/graphql/schema.js';
import { listMigrations, migrate, openDatabase, schemaVersion, SchemaTooNewError, type Db } from '../../src/db/open.js';

const opened: { db: Db; dir: string }[] = [];
afterEach(() => {
  for (const { db, dir } of opened.splice(0)) {
    if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

function freshDb(): { db: Db; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-schema-'));
  const path = join(dir, 'nested', 'test.db');
  const db = openDatabase(path);
  opened.push({ db, dir });
  return { db, path };
}

describe('GraphQL schema', () => {
  it('matches the committed schema/schema.graphql (run `npm run schema` after changing the API)', () => {
    const committed = readFileSync(new URL('../../schema/schema.graphql', import.meta.url), 'utf8');
    expect(printSortedSchema()).toBe(committed);
  });

  it('is printed sorted, so the committed file has stable ordering', () => {
    const sdl = printSortedSchema();
    const typeNames = [...sdl.matchAll(/^(?:type|input|enum|union|interface|scalar) (\w+)/gm)].map((m) => m[1]);
    expect(typeNames.length).toBeGreaterThan(10);
    expect(typeNames).toEqual([...typeNames].sort());
    expect(sdl.endsWith('\n')).toBe(true);
  });
});

describe('migrations', () => {
  it('ship in version order, numbered from 1 without gaps', () => {
    const versions = listMigrations().map((m) => m.version);
    expect(versions.length).toBeGreaterThanOrEqual(1);
    expect(versions).toEqual(versions.map((_, i) => i + 1));
  });

  it('apply every version to an empty database and record it in PRAGMA user_version', () => {
    const { db } = freshDb();
    const all = listMigrations().map((m) => m.version);
    const latest = all.at(-1)!;
    expect(schemaVersion(db)).toBe(0);
    expect(migrate(db)).toEqual(all);
    expect(db.pragma('user_version', { simple: true })).toBe(latest);
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .pluck()
      .all();
    expect(tables).toEqual(expect.arrayContaining(['audit_events', 'sessions', 'users']));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it('apply nothing the second time (also after reopening the file)', () => {
    const { db, path } = freshDb();
    migrate(db);
    const latest = schemaVersion(db);
    expect(migrate(db)).toEqual([]);
    expect(schemaVersion(db)).toBe(latest);
    db.close();
    const reopened = openDatabase(path);
    try {
      expect(migrate(reopened)).toEqual([]);
      expect(schemaVersion(reopened)).toBe(latest);
    } finally {
      reopened.close();
    }
  });

  it('refuse a database written by a newer Gatehouse, without touching it', () => {
    const { db } = freshDb();
    migrate(db);
    const latest = schemaVersion(db);
    db.pragma(`user_version = ${latest + 1}`);
    let thrown: unknown;
    try {
      migrate(db);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SchemaTooNewError);
    const error = thrown as SchemaTooNewError;
    expect(error.found).toBe(latest + 1);
    expect(error.supported).toBe(latest);
    expect(error.message).toContain(String(latest + 1));
    expect(schemaVersion(db)).toBe(latest + 1);
  });

  it('apply only the missing versions to a partly migrated database', () => {
    const { db } = freshDb();
    const migrations = listMigrations();
    expect(migrate(db, migrations.slice(0, 1))).toEqual([1]);
    // Data written at the previous version survives the upgrade.
    db.prepare(
      "INSERT INTO users (id, email, name, password_hash, role, status, created_at, updated_at) VALUES ('usr_old', 'old@example.test', 'Old', 'x', 'MEMBER', 'ACTIVE', 1, 1)",
    ).run();
    expect(migrate(db, migrations)).toEqual(migrations.slice(1).map((m) => m.version));
    expect(schemaVersion(db)).toBe(migrations.at(-1)!.version);
    expect(db.prepare("SELECT email FROM users WHERE id = 'usr_old'").pluck().get()).toBe('old@example.test');
  });
});
