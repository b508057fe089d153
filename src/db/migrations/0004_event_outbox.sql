-- Events published by every Gatehouse process (server or CLI) on this database, so a server hears
-- what another process changed (e.g. `gatehouse sessions revoke`) and pushes it to its clients.
CREATE TABLE event_outbox (
  id      INTEGER PRIMARY KEY AUTOINCREMENT,
  origin  TEXT NOT NULL,
  topic   TEXT NOT NULL,
  key     TEXT,
  payload TEXT NOT NULL,
  at      INTEGER NOT NULL
) STRICT;
CREATE INDEX event_outbox_at ON event_outbox (at);
