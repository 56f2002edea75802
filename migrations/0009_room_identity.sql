-- Rooms with a name, a topic and an owner (docs/rooms.md): their errors in English and Korean.
INSERT INTO error_info (code, locale, message) VALUES
    ('ROOM_NAME_TOO_LONG', 'en', 'A room name can be at most {max} characters.'),
    ('ROOM_NAME_TOO_LONG', 'ko', '채팅방 이름은 최대 {max}자까지 쓸 수 있습니다.'),
    ('TOPIC_TOO_LONG', 'en', 'A topic can be at most {max} characters.'),
    ('TOPIC_TOO_LONG', 'ko', '주제는 최대 {max}자까지 쓸 수 있습니다.'),
    ('NOT_ROOM_OWNER', 'en', 'Only the room''s owner can do that.'),
    ('NOT_ROOM_OWNER', 'ko', '채팅방 주인만 할 수 있습니다.');
