-- updated_at follows every edit of an interface string, however it is made (as error_info's;
-- the function is shared).
DROP TRIGGER IF EXISTS ui_text_touch ON ui_text;
CREATE TRIGGER ui_text_touch BEFORE UPDATE ON ui_text
FOR EACH ROW EXECUTE FUNCTION error_info_touch();
