-- History entries of the embedded default: join/leave notices are stored beside messages
-- (`kind`: text, joined, left), and a message keeps the members it mentions (`mentions`: JSON
-- of {"u": user id, "n": name}, empty for none). See src/backend/memory/store.rs.
ALTER TABLE messages ADD COLUMN kind TEXT NOT NULL DEFAULT 'text';
ALTER TABLE messages ADD COLUMN mentions TEXT NOT NULL DEFAULT '';
