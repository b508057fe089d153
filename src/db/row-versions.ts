import type { Db } from './open.js';

/** Version slots; ids hash into them, so two ids may share one (that only costs an extra re-read). */
const SLOTS = 1 << 16;

/** When a copy of a row was read: its slot's version and the foreign epoch. */
export interface RowStamp {
  readonly slot: number;
  readonly version: number;
  readonly epoch: number;
}

/** Where the connection stood before a read (see {@link RowVersions.mark}). */
export interface RowMark {
  readonly writes: number;
  readonly epoch: number;
}

/**
 * Proof that a row read earlier is still what the database holds, without reading it again.
 *
 * Every store method that writes a row of a tracked table (sessions, users) reports the row's id
 * with {@link changed}, which bumps the version of the id's slot; writes by any other connection
 * (the CLI, another server on the same file) show in SQLite's `PRAGMA data_version`, which moves
 * the foreign epoch. A copy stamped when it was read is current while its slot's version and the
 * epoch are unchanged. Collisions between ids only make a copy look changed (a needless re-read),
 * never the other way round.
 *
 * One per connection ({@link rowVersionsOf}), so every store on that connection reports to the
 * same one: `data_version` ignores a connection's own commits, and they are exactly what the
 * stores report.
 */
export class RowVersions {
  private readonly slots = new Uint32Array(SLOTS);
  /** Rows written through this connection so far (to tell whether any write fell between two points). */
  private writes = 0;
  private epoch = 0;
  private dataVersion: number;
  /** The foreign epoch as last read in this event-loop turn (see {@link foreignEpochThisTurn}); null: look again. */
  private epochThisTurn: number | null = null;
  private readonly readDataVersion: () => number;

  constructor(db: Db) {
    const statement = db.prepare('PRAGMA data_version').pluck();
    this.readDataVersion = () => statement.get() as number;
    this.dataVersion = this.readDataVersion();
  }

  /** A row with this id was written (inserted, updated or deleted) through this connection. */
  changed(id: string): void {
    this.slots[slotOf(id)] += 1;
    this.writes += 1;
  }

  /**
   * Where the connection stands before a read that is behind a promise: {@link unchangedSince} then
   * tells whether anything was written in between (here or by another process), and rows read are
   * stamped with the mark's epoch.
   */
  mark(): RowMark {
    return { writes: this.writes, epoch: this.foreignEpoch() };
  }

  /** Nothing was written through this connection, nor committed by another, since `mark`. */
  unchangedSince(mark: RowMark): boolean {
    return this.writes === mark.writes && this.foreignEpoch() === mark.epoch;
  }

  /** The stamp of the row with this id as it is now (`epoch`: the foreign epoch already looked up). */
  stamp(id: string, epoch = this.foreignEpoch()): RowStamp {
    const slot = slotOf(id);
    return { slot, version: this.slots[slot], epoch };
  }

  /** Whether nothing has written the row since `stamp` was taken. */
  isCurrent(stamp: RowStamp): boolean {
    return this.slots[stamp.slot] === stamp.version && this.foreignEpoch() === stamp.epoch;
  }

  /**
   * Whether nothing has written either row since its stamp was taken, against the foreign epoch
   * `epoch` (one look at `data_version` for both; {@link foreignEpochThisTurn} for a fan-out).
   */
  areCurrent(a: RowStamp, b: RowStamp, epoch = this.foreignEpoch()): boolean {
    return this.slots[a.slot] === a.version && this.slots[b.slot] === b.version && epoch === a.epoch && a.epoch === b.epoch;
  }

  /**
   * Moves on whenever another connection has committed since the last look. Read every time (about a
   * microsecond): a cached answer could miss a commit that the relay has just replayed events of.
   */
  foreignEpoch(): number {
    const current = this.readDataVersion();
    if (current !== this.dataVersion) {
      this.dataVersion = current;
      this.epoch += 1;
    }
    this.rememberForTurn();
    return this.epoch;
  }

  /**
   * {@link foreignEpoch}, read at most once per event-loop turn (until the next check phase): for the
   * deliveries of one event, which all run in the same turn. That is the guarantee of the batched
   * re-read they replace, one look at the database per turn for all of them; a fresh look made
   * meanwhile (an HTTP request, a batched read) and {@link foreignRowsRead} move it on.
   */
  foreignEpochThisTurn(): number {
    return this.epochThisTurn ?? this.foreignEpoch();
  }

  /** Rows another process wrote were just read (the relay's outbox replay): the next look must be fresh. */
  foreignRowsRead(): void {
    this.epochThisTurn = null;
  }

  private rememberForTurn() {
    if (this.epochThisTurn === null) setImmediate(() => (this.epochThisTurn = null));
    this.epochThisTurn = this.epoch;
  }
}

/** FNV-1a of the id, folded to a slot. */
function slotOf(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) & (SLOTS - 1);
}

const byConnection = new WeakMap<Db, RowVersions>();

/** The {@link RowVersions} of a connection (created on first use). */
export function rowVersionsOf(db: Db): RowVersions {
  let versions = byConnection.get(db);
  if (!versions) byConnection.set(db, (versions = new RowVersions(db)));
  return versions;
}
