-- The portal session pool. Times are unix seconds.
-- A portal is an upstream site definition managed by admins.
CREATE TABLE portals (
  id                       TEXT PRIMARY KEY,
  name                     TEXT NOT NULL,
  connector                TEXT NOT NULL CHECK (connector IN ('HTTP_FORM')),
  login_url                TEXT NOT NULL,
  username_field           TEXT NOT NULL DEFAULT 'username',
  password_field           TEXT NOT NULL DEFAULT 'password',
  -- JSON object of static form fields sent with every login.
  extra_fields             TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(extra_fields)),
  keep_alive_url           TEXT NOT NULL,
  -- Text (or URL fragment) that marks a logged-out answer; 401/403 and a redirect to login_url always count.
  logged_out_pattern       TEXT,
  refresh_interval_seconds INTEGER NOT NULL DEFAULT 300 CHECK (refresh_interval_seconds > 0),
  idle_timeout_seconds     INTEGER NOT NULL DEFAULT 1800 CHECK (idle_timeout_seconds > 0),
  created_at               INTEGER NOT NULL,
  updated_at               INTEGER NOT NULL
) STRICT;

-- One upstream login held for a user. The password (to log in again) and the upstream cookies are
-- AES-256-GCM ciphertexts under a key derived from the server secret; they are wiped once the
-- session is dead. credential_key is HMAC-SHA256 under the server secret, never a bare hash.
CREATE TABLE portal_sessions (
  id                 TEXT PRIMARY KEY,
  owner_id           TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  portal_id          TEXT NOT NULL REFERENCES portals (id) ON DELETE CASCADE,
  username           TEXT NOT NULL,
  credential_key     TEXT NOT NULL,
  keep_alive         INTEGER NOT NULL CHECK (keep_alive IN (0, 1)),
  state              TEXT NOT NULL CHECK (state IN ('OPENING', 'ACTIVE', 'REFRESHING', 'EXPIRED', 'FAILED', 'CLOSED')),
  encrypted_password BLOB,
  encrypted_cookies  BLOB,
  created_at         INTEGER NOT NULL,
  last_used_at       INTEGER NOT NULL,
  last_refresh_at    INTEGER NOT NULL,
  -- Idle deadline of a non-keep-alive session; NULL for keep-alive sessions.
  expires_at         INTEGER,
  -- When the session reached EXPIRED, FAILED or CLOSED; the keeper deletes it a day later.
  ended_at           INTEGER,
  failure_reason     TEXT,
  CHECK (state NOT IN ('OPENING', 'ACTIVE', 'REFRESHING') OR encrypted_password IS NOT NULL),
  CHECK (state NOT IN ('ACTIVE', 'REFRESHING') OR encrypted_cookies IS NOT NULL),
  CHECK ((keep_alive = 1) = (expires_at IS NULL))
) STRICT;
-- At most one live session per credential key (the key already includes the owner).
CREATE UNIQUE INDEX portal_sessions_live_key ON portal_sessions (credential_key)
  WHERE state IN ('OPENING', 'ACTIVE', 'REFRESHING');
CREATE INDEX portal_sessions_owner ON portal_sessions (owner_id, created_at DESC);
CREATE INDEX portal_sessions_portal ON portal_sessions (portal_id);
-- The keeper walks due keep-alive sessions by last refresh, idle sessions by deadline, dead ones by end.
CREATE INDEX portal_sessions_refresh_due ON portal_sessions (last_refresh_at, id)
  WHERE keep_alive = 1 AND state IN ('ACTIVE', 'REFRESHING');
CREATE INDEX portal_sessions_idle_due ON portal_sessions (expires_at)
  WHERE keep_alive = 0 AND state IN ('ACTIVE', 'REFRESHING');
CREATE INDEX portal_sessions_dead ON portal_sessions (ended_at) WHERE ended_at IS NOT NULL;
-- Logins in progress (or left behind by a stopped server).
CREATE INDEX portal_sessions_opening ON portal_sessions (id) WHERE state = 'OPENING';
