-- What the room's owner can do (docs/rooms.md): its errors in English and Korean.
INSERT INTO error_info (code, locale, message) VALUES
    ('ROOM_LOCKED', 'en', 'This room is locked: no one new can join it right now.'),
    ('ROOM_LOCKED', 'ko', '잠긴 채팅방입니다. 지금은 새로 참여할 수 없습니다.'),
    ('REMOVED_FROM_ROOM', 'en', 'The room''s owner removed you from this room.'),
    ('REMOVED_FROM_ROOM', 'ko', '채팅방 주인이 이 채팅방에서 내보냈습니다.'),
    ('ROOM_ENDED', 'en', 'The owner ended this room.'),
    ('ROOM_ENDED', 'ko', '채팅방 주인이 채팅방을 닫았습니다.');
