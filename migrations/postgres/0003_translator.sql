-- Who edited a message last, and updated_at that follows every edit, however it is made
-- (the translator page sets both; a direct UPDATE gets its time stamp from the trigger).
ALTER TABLE error_info ADD COLUMN IF NOT EXISTS updated_by TEXT;

CREATE OR REPLACE FUNCTION error_info_touch() RETURNS trigger AS $$
BEGIN
    IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
        NEW.updated_at := CURRENT_TIMESTAMP;
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS error_info_touch ON error_info;
CREATE TRIGGER error_info_touch BEFORE UPDATE ON error_info
FOR EACH ROW EXECUTE FUNCTION error_info_touch();
