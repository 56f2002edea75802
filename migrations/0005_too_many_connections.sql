-- A member who opens more live sockets than allowed (C2C_MAX_SOCKETS_PER_MEMBER) is told so.
INSERT INTO error_info (code, locale, message) VALUES
    ('TOO_MANY_CONNECTIONS', 'en', 'Too many connections are open for you. Close some tabs or windows and try again.'),
    ('TOO_MANY_CONNECTIONS', 'ko', '열어 둔 연결이 너무 많습니다. 탭이나 창을 몇 개 닫고 다시 시도하세요.');
