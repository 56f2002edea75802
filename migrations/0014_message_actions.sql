-- Message actions (docs/messages.md): their errors in English and Korean.
INSERT INTO error_info (code, locale, message) VALUES
    ('MESSAGE_NOT_FOUND', 'en', 'That message is no longer here: it was deleted or has scrolled out of the room''s history.'),
    ('MESSAGE_NOT_FOUND', 'ko', '그 메시지는 더 이상 없습니다. 삭제되었거나 대화 기록에서 밀려났습니다.'),
    ('NOT_YOUR_MESSAGE', 'en', 'Only its author can change that message (the room''s owner can delete any message).'),
    ('NOT_YOUR_MESSAGE', 'ko', '작성자만 이 메시지를 바꿀 수 있습니다(채팅방 주인은 어떤 메시지든 삭제할 수 있습니다).'),
    ('EDIT_WINDOW_PASSED', 'en', 'This message can no longer be edited: messages can be edited for {minutes} minutes after sending.'),
    ('EDIT_WINDOW_PASSED', 'ko', '더 이상 수정할 수 없는 메시지입니다. 메시지는 보낸 뒤 {minutes}분 동안만 수정할 수 있습니다.'),
    ('INVALID_REACTION', 'en', 'A reaction is a single emoji.'),
    ('INVALID_REACTION', 'ko', '반응은 이모지 하나로만 남길 수 있습니다.'),
    ('TOO_MANY_REACTIONS', 'en', 'This message has as many reactions as it can hold.'),
    ('TOO_MANY_REACTIONS', 'ko', '이 메시지에는 더 이상 반응을 남길 수 없습니다.');
