-- Accounts, device sessions and the audit trail. Times are unix seconds.
CREATE TABLE users (
  id            TEXT PRIMARY KEY,
  email         TEXT NOT NULL COLLATE NOCASE UNIQUE,
  name          TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  role          TEXT NOT NULL CHECK (role IN ('ADMIN', 'EMPLOYER', 'STAGE_MANAGER', 'MEMBER')),
  status        TEXT NOT NULL CHECK (status IN ('PENDING', 'ACTIVE', 'REJECTED', 'SUSPENDED')),
  status_reason TEXT,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX users_status_created ON users (status, created_at);

CREATE TABLE sessions (
  id                        TEXT PRIMARY KEY,
  user_id                   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash                TEXT NOT NULL UNIQUE,
  -- The first characters of the token (gh_ + 6), so an operator can match a token a user quotes.
  token_prefix              TEXT NOT NULL,
  -- After refreshSession the previous token keeps working until previous_token_expires_at.
  previous_token_hash       TEXT UNIQUE,
  previous_token_expires_at INTEGER,
  kind                      TEXT NOT NULL DEFAULT 'STANDARD' CHECK (kind IN ('STANDARD', 'DEBUG')),
  device_name               TEXT NOT NULL,
  device_type               TEXT NOT NULL CHECK (device_type IN ('WEB', 'MOBILE', 'TABLET', 'DESKTOP', 'CLI', 'OTHER')),
  browser                   TEXT,
  os                        TEXT,
  ip_address                TEXT,
  user_agent                TEXT,
  created_at                INTEGER NOT NULL,
  last_activity_at          INTEGER NOT NULL,
  expires_at                INTEGER NOT NULL,
  idle_expires_at           INTEGER NOT NULL,
  revoked_at                INTEGER,
  revoked_reason            TEXT CHECK (revoked_reason IN ('SIGNED_OUT', 'REVOKED_BY_USER', 'REVOKED_BY_ADMIN',
                              'DEVICE_LIMIT', 'PASSWORD_CHANGED', 'ACCOUNT_SUSPENDED', 'ACCOUNT_REJECTED', 'EXPIRED'))
) STRICT;
CREATE INDEX sessions_user_active ON sessions (user_id, revoked_at);
-- The sweeper walks live sessions by their nearest deadline.
CREATE INDEX sessions_live_idle ON sessions (idle_expires_at) WHERE revoked_at IS NULL;
CREATE INDEX sessions_live_expiry ON sessions (expires_at) WHERE revoked_at IS NULL;

CREATE TABLE audit_events (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  at          INTEGER NOT NULL,
  actor_id    TEXT,
  action      TEXT NOT NULL,
  target_type TEXT,
  target_id   TEXT,
  ip_address  TEXT,
  detail      TEXT
) STRICT;
CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX audit_events_actor ON audit_events (actor_id, at);
CREATE INDEX audit_events_target ON audit_events (target_id, at);
