-- Browser sessions of the embedded default (no Redis): they survive a restart. `data` is the
-- session record's JSON; `expires_at` is in Unix seconds.
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY NOT NULL,
    data BLOB NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_expires_at ON sessions (expires_at);
