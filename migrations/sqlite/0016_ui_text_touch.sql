-- updated_at follows every edit of an interface string, however it is made (as error_info's).
CREATE TRIGGER IF NOT EXISTS ui_text_touch
AFTER UPDATE OF message ON ui_text
FOR EACH ROW WHEN NEW.updated_at = OLD.updated_at
BEGIN
    UPDATE ui_text SET updated_at = CURRENT_TIMESTAMP
    WHERE name = NEW.name AND locale = NEW.locale;
END;
