-- The catalogue of user-visible error messages: one row per error code and locale.
-- Translators edit these rows; running servers pick edits up within seconds.
CREATE TABLE IF NOT EXISTS error_info (
    code       TEXT      NOT NULL,
    locale     TEXT      NOT NULL,
    message    TEXT      NOT NULL,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (code, locale)
);
