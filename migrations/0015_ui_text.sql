-- The interface's own words beside the errors' table: one row per string (`name`, a key of
-- src/catalog/ui/strings.rs) and locale. The server fills in the English and Korean rows it
-- ships (updated_by NULL) and keeps them in step with new releases until a translator edits
-- one; translators add any other language through /translate.
CREATE TABLE IF NOT EXISTS ui_text (
    name       TEXT      NOT NULL,
    locale     TEXT      NOT NULL,
    message    TEXT      NOT NULL,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_by TEXT,
    PRIMARY KEY (name, locale)
);
