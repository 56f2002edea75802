-- The embedded default's rooms, members and history, so a restart keeps every conversation
-- (src/backend/memory/store.rs). Presence is not stored: it starts empty and fills as sockets
-- reconnect. Times are Unix milliseconds.
-- A room's numbering needs no column: its newest kept message carries it.
CREATE TABLE IF NOT EXISTS rooms (
    id TEXT PRIMARY KEY NOT NULL,
    idle_until INTEGER
);
CREATE TABLE IF NOT EXISTS members (
    room TEXT NOT NULL,
    user TEXT NOT NULL,
    name TEXT NOT NULL,
    token TEXT,
    PRIMARY KEY (room, user)
);
CREATE TABLE IF NOT EXISTS messages (
    room TEXT NOT NULL,
    seq INTEGER NOT NULL,
    user TEXT NOT NULL,
    name TEXT NOT NULL,
    text TEXT NOT NULL,
    at INTEGER NOT NULL,
    cid TEXT,
    PRIMARY KEY (room, seq)
);
