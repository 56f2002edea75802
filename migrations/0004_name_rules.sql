-- Names people can trust: a message for names with invisible or direction-changing characters,
-- and NAME_TAKEN now also covers names that look the same. Rows a translator already changed
-- are left as they are.
INSERT INTO error_info (code, locale, message) VALUES
    ('NAME_INVISIBLE', 'en', 'A name needs visible letters, and cannot contain invisible or direction-changing characters.'),
    ('NAME_INVISIBLE', 'ko', '이름에는 보이는 글자가 있어야 하며, 보이지 않거나 글자 방향을 바꾸는 문자는 쓸 수 없습니다.');
UPDATE error_info SET message = 'Someone in this room is already using that name, or one that looks just like it. Pick another.'
    WHERE code = 'NAME_TAKEN' AND locale = 'en'
      AND message = 'Someone in this room is already using that name. Pick another.';
UPDATE error_info SET message = '이 채팅방에서 이미 쓰고 있는 이름이거나, 그것과 똑같아 보이는 이름입니다. 다른 이름을 고르세요.'
    WHERE code = 'NAME_TAKEN' AND locale = 'ko'
      AND message = '이 채팅방에서 이미 쓰고 있는 이름입니다. 다른 이름을 고르세요.';
