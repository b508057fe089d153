import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase } from '../../src/db/open.js';
import { SqliteTransactor } from '../../src/db/transaction.js';
import { createRelayedEvents } from '../../src/relay/relay.js';
import { SqliteOutboxStore } from '../../src/relay/store.js';
import { UnitOfWork } from '../../src/relay/unit-of-work.js';
import { systemClock } from '../../src/lib/clock.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-uow-'));
  const statements: string[] = [];
  const db = openDatabase(join(dir, 'db.sqlite'), (sql) => statements.push(sql));
  migrate(db);
  db.exec('CREATE TABLE t (id TEXT PRIMARY KEY) STRICT');
  cleanups.push(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const events = createRelayedEvents(new SqliteOutboxStore(db), systemClock);
  const delivered: string[] = [];
  events.onPublish = (key) => delivered.push(`${key} (outbox ${db.prepare('SELECT count(*) FROM event_outbox').pluck().get()})`);
  const insert = db.prepare('INSERT INTO t (id) VALUES (?)');
  const rows = () => db.prepare('SELECT id FROM t ORDER BY id').pluck().all();
  const outbox = () => db.prepare('SELECT topic, key FROM event_outbox ORDER BY id').all() as { topic: string; key: string | null }[];
  return { db, statements, uow: new UnitOfWork(new SqliteTransactor(db), events), delivered, insert, rows, outbox };
}

const ended = (sessionId: string) => ({ sessionId, type: 'REVOKED' as const, reason: 'SIGNED_OUT' as const });

describe('UnitOfWork', () => {
  it('commits the writes and the outbox rows once, then delivers the events in order', () => {
    const { statements, uow, delivered, insert, rows, outbox } = setup();
    statements.length = 0;
    const result = uow.run((publish) => {
      insert.run('a');
      publish('session', 'ses_1', ended('ses_1'));
      insert.run('b');
      publish('session', 'ses_2', ended('ses_2'));
      expect(delivered).toEqual([]); // nothing before the commit
      return 42;
    });
    expect(result).toBe(42);
    expect(statements.filter((sql) => sql === 'COMMIT')).toHaveLength(1);
    expect(rows()).toEqual(['a', 'b']);
    expect(outbox()).toEqual([
      { topic: 'session', key: 'ses_1' },
      { topic: 'session', key: 'ses_2' },
    ]);
    expect(delivered).toEqual(['session (outbox 2)', 'session (outbox 2)']);
  });

  it('writes and delivers nothing when the work throws; a nested run joins the outer one', () => {
    const { uow, delivered, insert, rows, outbox } = setup();
    expect(() =>
      uow.run((publish) => {
        insert.run('a');
        publish('session', 'ses_1', ended('ses_1'));
        throw new Error('no');
      }),
    ).toThrow('no');
    expect(rows()).toEqual([]);
    expect(outbox()).toEqual([]);
    expect(delivered).toEqual([]);

    uow.run((publish) => {
      insert.run('b');
      publish('session', 'ses_2', ended('ses_2'));
      // A failed inner unit rolls back to its savepoint, its events with it.
      expect(() =>
        uow.run((inner) => {
          insert.run('c');
          inner('session', 'ses_3', ended('ses_3'));
          throw new Error('inner');
        }),
      ).toThrow('inner');
      uow.run((inner) => {
        insert.run('d');
        inner('session', 'ses_4', ended('ses_4'));
      });
      expect(delivered).toEqual([]); // the inner one waits for the outer commit
    });
    expect(rows()).toEqual(['b', 'd']);
    expect(outbox().map((row) => row.key)).toEqual(['ses_2', 'ses_4']);
    expect(delivered).toHaveLength(2);
  });
});
