//! The words of the translators' page (`/translate`) and its sign-in: a group of their own, kept
//! apart from the readers' words in `strings.rs`. `with_translator_strings!` adds them to the
//! readers' groups it is given and passes the whole table to `ui_strings!` in one invocation
//! (one `Ui`, one key list).

macro_rules! with_translator_strings {
    ($($readers:tt)*) => {
        ui_strings! {
            $($readers)*
            translate {
                /// Title of the translators' page.
                translate_title: "Translations" / "번역",
                /// Top bar of the translators' page; {name} is the signed-in translator.
                translate_signed_in: "Signed in as {name}" / "{name} 님으로 로그인함",
                /// Button that signs the translator out.
                translate_sign_out: "Sign out" / "로그아웃",
                /// How the translators' page works; an example of plural forms follows it.
                translate_intro: "Pick a language, then click a text to edit it; running servers show the change within seconds. Keep the placeholders of the English text (the names in braces) and write the plural forms your language needs for numbers, like this:" / "언어를 고른 뒤 문장을 눌러 고치세요. 실행 중인 서버에 몇 초 안에 반영됩니다. 영어 문장의 자리표시자(중괄호 안의 이름)는 그대로 두고, 숫자에는 언어에 필요한 복수형을 이렇게 쓰세요:",
                /// Example language tags in the field that adds a language.
                translate_add_example: "ja, pt-br, ar" / "ja, pt-br, ar",
                /// Label of the filter that chooses which texts to list.
                translate_show: "Show" / "표시",
                /// Filter: every text.
                translate_show_all: "All texts" / "모든 문장",
                /// Filter: only texts without a translation.
                translate_show_missing: "Missing only" / "빠진 문장만",
                /// Filter: only translations older than their English text.
                translate_show_outdated: "Outdated only" / "오래된 번역만",
                /// Label of the search field.
                translate_search: "Search" / "검색",
                /// Hint inside the search field.
                translate_search_hint: "Key, English or translation" / "키, 영어 또는 번역",
                /// Button that applies the filters (without JavaScript).
                translate_apply: "Apply" / "적용",
                /// A language's progress: {done} of {total} texts translated.
                translate_done: "{done} of {total} translated" / "{total}개 중 {done}개 번역됨",
                /// A language's count of texts without translation ({n}, with plural forms).
                translate_missing_count: "{n} missing" / "{n}개 빠짐",
                /// A language's count of outdated translations ({n}, with plural forms).
                translate_outdated_count: "{n} outdated" / "{n}개 오래됨",
                /// Badge on a text without translation.
                translate_missing: "missing" / "빠짐",
                /// Badge on a translation older than its English text.
                translate_outdated: "outdated" / "오래됨",
                /// Next to the missing badge: what readers see instead.
                translate_falls_back: "shows in English" / "영어로 보임",
                /// Shown for a moment after a text is saved.
                translate_saved: "Saved" / "저장함",
                /// Before the preview of a text being edited (with sample values).
                translate_preview: "Preview:" / "미리 보기:",
                /// Link under a section heading that shows a picture of where its texts appear.
                translate_where: "Where it shows" / "보이는 곳",
                /// Heading of the first column: the key and its note.
                translate_what: "Where and what" / "위치와 설명",
                /// Accessible name of a text being edited: {key} in {language}.
                translate_edit_label: "{key} in {language}" / "{language}: {key}",
                /// Label of the field that adds a language.
                translate_add_language: "Add a language" / "언어 추가",
                /// Button that adds a language.
                translate_add_button: "Add" / "추가",
                /// Help under the field that adds a language.
                translate_add_hint: "A language tag such as ja, pt-br or ar. Readers get the language as soon as its first text is saved; texts it lacks show in English." / "ja, pt-br, ar 같은 언어 태그. 첫 문장을 저장하면 바로 독자에게 보이고, 빠진 문장은 영어로 보입니다.",
                /// When the filters match nothing.
                translate_no_match: "Nothing matches." / "맞는 항목이 없습니다.",
                /// Heading of the error messages' section.
                group_error_messages: "Error messages" / "오류 메시지",
                /// Section heading: texts on every page.
                group_page: "Every page" / "모든 페이지",
                /// Section heading: the start page.
                group_home: "Start page" / "시작 페이지",
                /// Section heading: the page a shared link opens.
                group_invite: "Invite page" / "초대 페이지",
                /// Section heading: the chat page.
                group_chat: "Chat page" / "채팅 페이지",
                /// Section heading: the message box.
                group_composer: "Message box" / "메시지 입력",
                /// Section heading: messages in the log.
                group_messages: "Messages" / "메시지",
                /// Section heading: lines the room writes into the log.
                group_notices: "Room notices" / "채팅방 알림",
                /// Section heading: the connection indicator.
                group_status: "Connection status" / "연결 상태",
                /// Section heading: error pages.
                group_errors: "Error pages" / "오류 페이지",
                /// Section heading: days, months, durations.
                group_dates: "Dates and durations" / "날짜와 기간",
                /// Section heading: notifications and unread messages.
                group_notify: "Notifications" / "알림",
                /// Section heading: the room owner's tools.
                group_owner: "Room owner's tools" / "채팅방 주인 도구",
                /// Section heading: this page, for translators.
                group_translate: "Translators' page" / "번역 페이지",
                /// Refusal: an empty text.
                problem_empty: "Write a text, or leave it missing to show English." / "문장을 쓰세요. 비워 두면 영어로 보입니다.",
                /// Refusal: a text over {max} characters.
                problem_too_long: "A text can be at most {max} characters." / "문장은 최대 {max}자입니다.",
                /// Refusal: a brace opened at character {at} is never closed.
                problem_unclosed: "The brace opened at character {at} is never closed." / "{at}번째 글자에서 연 중괄호가 닫히지 않았습니다.",
                /// Refusal: a closing brace at character {at} has no opening brace.
                problem_unopened: "The closing brace at character {at} has no opening brace." / "{at}번째 글자의 닫는 중괄호에 여는 중괄호가 없습니다.",
                /// Refusal: something else than a placeholder or a form inside braces, at {at}.
                problem_bad_argument: "At character {at}: inside braces write a placeholder ('{'name'}') or forms ('{'n, plural, …'}', '{'x, select, …'}')." / "{at}번째 글자: 중괄호 안에는 자리표시자('{'name'}')나 형식('{'n, plural, …'}', '{'x, select, …'}')을 쓰세요.",
                /// Refusal: the forms of {name} lack an "other" form.
                problem_no_other: "The forms of '{'{name}'}' need an “other” form." / "'{'{name}'}'의 형식에는 “other”가 있어야 합니다.",
                /// Refusal: forms nested too deeply.
                problem_too_deep: "Forms are nested too deeply." / "형식이 너무 깊게 중첩되었습니다.",
                /// Refusal: placeholders differ from the English text's ({expected}, {found}).
                problem_placeholders: "Keep exactly the placeholders of the English text: {expected}. This text has: {found}." / "영어 문장의 자리표시자를 그대로 두세요: {expected}. 이 문장에는: {found}.",
                /// Refusal: plural forms the language needs for {name} are missing ({missing}).
                problem_forms: "This language needs more plural forms for '{'{name}'}': add {missing}." / "이 언어는 '{'{name}'}'에 복수형이 더 필요합니다: {missing}을(를) 추가하세요.",
                /// In refusals: no placeholders at all.
                problem_none: "none" / "없음",
                /// Heading of the translators' sign-in page.
                sign_in_heading: "Translators' sign-in" / "번역가 로그인",
                /// Help under the name field of the sign-in.
                sign_in_name_note: "Recorded with each text you change." / "고친 문장마다 함께 기록됩니다.",
                /// Label of the token field of the sign-in.
                sign_in_token: "Translator token" / "번역가 토큰",
                /// Button that signs a translator in.
                sign_in_button: "Sign in" / "로그인",
                /// Refusal: the sign-in's name is empty or too long.
                sign_in_bad_name: "Enter your name (up to 64 characters)." / "이름을 입력하세요 (최대 64자).",
                /// Refusal: the sign-in's token is wrong.
                sign_in_bad_token: "That token is not right." / "토큰이 맞지 않습니다.",
            }
        }
    };
}
