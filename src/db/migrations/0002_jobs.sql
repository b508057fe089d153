-- The job board. Times are unix seconds; salaries are whole currency units.
CREATE TABLE jobs (
  id              TEXT PRIMARY KEY,
  employer_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  title           TEXT NOT NULL,
  description     TEXT NOT NULL,
  location        TEXT NOT NULL,
  employment_type TEXT NOT NULL CHECK (employment_type IN ('FULL_TIME', 'PART_TIME', 'CONTRACT', 'INTERNSHIP', 'TEMPORARY')),
  salary_min      INTEGER,
  salary_max      INTEGER,
  status          TEXT NOT NULL CHECK (status IN ('OPEN', 'CLOSED')),
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  CHECK (salary_min IS NULL OR salary_max IS NULL OR salary_min <= salary_max)
) STRICT;
CREATE INDEX jobs_status_created ON jobs (status, created_at DESC, id DESC);
CREATE INDEX jobs_employer ON jobs (employer_id, created_at DESC);

-- Full-text index over the searchable columns, kept in step by triggers (external content table).
CREATE VIRTUAL TABLE jobs_fts USING fts5(
  title, description, location,
  content = 'jobs', content_rowid = 'rowid', tokenize = 'porter unicode61'
);
CREATE TRIGGER jobs_fts_insert AFTER INSERT ON jobs BEGIN
  INSERT INTO jobs_fts (rowid, title, description, location) VALUES (new.rowid, new.title, new.description, new.location);
END;
CREATE TRIGGER jobs_fts_delete AFTER DELETE ON jobs BEGIN
  INSERT INTO jobs_fts (jobs_fts, rowid, title, description, location) VALUES ('delete', old.rowid, old.title, old.description, old.location);
END;
CREATE TRIGGER jobs_fts_update AFTER UPDATE OF title, description, location ON jobs BEGIN
  INSERT INTO jobs_fts (jobs_fts, rowid, title, description, location) VALUES ('delete', old.rowid, old.title, old.description, old.location);
  INSERT INTO jobs_fts (rowid, title, description, location) VALUES (new.rowid, new.title, new.description, new.location);
END;
