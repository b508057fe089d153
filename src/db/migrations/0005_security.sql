-- Failed sign-in counters per account ('account:<lower-cased email>', also for unknown emails) and
-- per client IP ('ip:<address>'), so a lock survives restarts and is shared by every server process.
CREATE TABLE signin_failures (
  key             TEXT PRIMARY KEY,
  failures        INTEGER NOT NULL,
  last_failure_at INTEGER NOT NULL,
  locked_until    INTEGER
) STRICT;
CREATE INDEX signin_failures_last ON signin_failures (last_failure_at);

-- Fixed-window counters for per-IP rate limits (e.g. 'signup:<ip>').
CREATE TABLE rate_limit_windows (
  key        TEXT PRIMARY KEY,
  started_at INTEGER NOT NULL,
  hits       INTEGER NOT NULL
) STRICT;
