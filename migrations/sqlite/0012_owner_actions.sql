-- The embedded default remembers whether a room is locked, and whom its owner removed until
-- when (src/backend/memory/store.rs).
ALTER TABLE rooms ADD COLUMN locked INTEGER NOT NULL DEFAULT 0;
CREATE TABLE IF NOT EXISTS removed (
    room TEXT NOT NULL,
    user TEXT NOT NULL,
    until INTEGER NOT NULL,
    PRIMARY KEY (room, user)
);
