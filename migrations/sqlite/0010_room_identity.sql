-- Rooms of the embedded default get a name, a topic, an owner and the creator's name
-- (src/backend/memory/store.rs). Empty name or topic means none; a NULL owner means every
-- member has left.
ALTER TABLE rooms ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE rooms ADD COLUMN topic TEXT NOT NULL DEFAULT '';
ALTER TABLE rooms ADD COLUMN owner TEXT;
ALTER TABLE rooms ADD COLUMN creator TEXT NOT NULL DEFAULT '';
