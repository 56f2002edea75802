-- Message actions in the embedded default (docs/messages.md): what a history entry carries
-- beyond its text, as JSON (empty for nothing): the message a reply answers, a message's edit
-- time, deletion and reactions, and for an action entry the message it acts on.
ALTER TABLE messages ADD COLUMN extra TEXT NOT NULL DEFAULT '';
