import Database from 'better-sqlite3';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A better-sqlite3 connection. */
export type Db = Database.Database;

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

/**
 * Opens (creating if needed) the SQLite database at `path` with the settings Gatehouse relies on:
 * WAL so readers never block the writer, synchronous=FULL so an acknowledged sign-in or revocation
 * survives a power cut or `kill -9`, foreign keys on, and a busy timeout for a second process (the CLI).
 */
export function openDatabase(path: string, trace?: (sql: string) => void): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, trace ? { verbose: (sql) => trace(String(sql)) } : {});
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}

/** One versioned migration file: `NNNN_name.sql`. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Lists the migrations shipped with this build, in version order. */
export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((file) => /^\d{4}_.+\.sql$/.test(file))
    .sort()
    .map((file) => ({
      version: Number(file.slice(0, 4)),
      name: file.slice(5, -4),
      sql: readFileSync(join(dir, file), 'utf8'),
    }));
}

/** Thrown when the database was written by a newer Gatehouse than this one. */
export class SchemaTooNewError extends Error {
  constructor(public readonly found: number, public readonly supported: number) {
    super(
      `Database schema version ${found} is newer than this Gatehouse supports (${supported}). ` +
        'Upgrade Gatehouse or restore a backup taken by this version.',
    );
    this.name = 'SchemaTooNewError';
  }
}

/** Size and version facts for `gatehouse status` and `doctor`. */
export function databaseInfo(db: Db): { sizeBytes: number; walBytes: number; schemaVersion: number; latestVersion: number } {
  const pageCount = db.pragma('page_count', { simple: true }) as number;
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  let walBytes = 0;
  try {
    walBytes = statSync(`${db.name}-wal`).size;
  } catch {
    walBytes = 0;
  }
  return {
    sizeBytes: pageCount * pageSize,
    walBytes,
    schemaVersion: schemaVersion(db),
    latestVersion: listMigrations().at(-1)?.version ?? 0,
  };
}

/** SQLite's own consistency check: 'ok' or the first problems it found. */
export function integrityCheck(db: Db): string {
  const rows = db.pragma('integrity_check(20)') as { integrity_check: string }[];
  return rows.map((r) => r.integrity_check).join('; ');
}

/** Copies the live database to `path` with SQLite's online backup API (safe while the server runs). */
export async function backupDatabase(db: Db, path: string): Promise<{ totalPages: number }> {
  mkdirSync(dirname(path), { recursive: true });
  const result = await db.backup(path);
  return { totalPages: result.totalPages };
}

/** Reads the schema version stored in `PRAGMA user_version`. */
export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings the schema up to date. Each migration runs in its own transaction together with the
 * `user_version` bump, so a crash leaves the database at a clean version. Returns the versions applied.
 */
export function migrate(db: Db, migrations = listMigrations()): number[] {
  const latest = migrations.at(-1)?.version ?? 0;
  const current = schemaVersion(db);
  if (current > latest) throw new SchemaTooNewError(current, latest);
  const applied: number[] = [];
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
    applied.push(migration.version);
  }
  return applied;
}
