-- Who edited a message last, and updated_at that follows every edit, however it is made
-- (the translator page sets both; a direct UPDATE gets its time stamp from the trigger).
ALTER TABLE error_info ADD COLUMN updated_by TEXT;

CREATE TRIGGER IF NOT EXISTS error_info_touch
AFTER UPDATE OF message ON error_info
FOR EACH ROW WHEN NEW.updated_at = OLD.updated_at
BEGIN
    UPDATE error_info SET updated_at = CURRENT_TIMESTAMP
    WHERE code = NEW.code AND locale = NEW.locale;
END;
