//! The interface's own words in each supported language. Error messages come from the
//! catalogue (`error_info`); these are the labels around them, compiled in.

use crate::catalog::Locales;

/// A language the interface is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UiLang {
    /// English (default).
    En,
    /// Korean.
    Ko,
}

impl UiLang {
    /// Every interface language; the index is used for per-language render caches.
    pub const ALL: [UiLang; 2] = [UiLang::En, UiLang::Ko];

    /// The first preference the interface is written in, else English.
    pub fn pick(locales: &Locales) -> Self {
        locales
            .tags()
            .iter()
            .find_map(|tag| match tag.split('-').next() {
                Some("en") => Some(UiLang::En),
                Some("ko") => Some(UiLang::Ko),
                _ => None,
            })
            .unwrap_or(UiLang::En)
    }

    /// Position in [`UiLang::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The interface strings.
    pub fn ui(self) -> &'static Ui {
        match self {
            UiLang::En => &EN,
            UiLang::Ko => &KO,
        }
    }
}

/// Interface strings. `{name}`-style placeholders are filled by the caller.
#[allow(missing_docs)]
pub struct Ui {
    pub lang: &'static str,
    pub tagline: &'static str,
    pub create_heading: &'static str,
    pub your_name: &'static str,
    pub name_hint: &'static str,
    pub create_button: &'static str,
    pub point_no_signup: &'static str,
    pub point_link: &'static str,
    pub point_anywhere: &'static str,
    pub invited_heading: &'static str,
    pub members_count: &'static str,
    pub members_one: &'static str,
    pub online_count: &'static str,
    pub join_button: &'static str,
    pub share_label: &'static str,
    pub copy: &'static str,
    pub copied: &'static str,
    pub people: &'static str,
    pub online: &'static str,
    pub offline: &'static str,
    pub you: &'static str,
    pub messages_label: &'static str,
    pub message_label: &'static str,
    pub message_placeholder: &'static str,
    pub send: &'static str,
    pub leave: &'static str,
    pub room: &'static str,
    pub expiry_note: &'static str,
    pub idle_expires: &'static str,
    pub history_truncated: &'static str,
    pub empty_room: &'static str,
    pub joined_notice: &'static str,
    pub left_notice: &'static str,
    pub status_connecting: &'static str,
    pub status_live: &'static str,
    pub status_reconnecting: &'static str,
    pub status_closed: &'static str,
    pub status_nojs: &'static str,
    pub unsent: &'static str,
    pub not_found_heading: &'static str,
    pub error_heading: &'static str,
    pub start_new: &'static str,
    pub rejoin: &'static str,
    pub try_again: &'static str,
    pub other_lang_label: &'static str,
    pub other_lang_code: &'static str,
    pub footer: &'static str,
    pub request_id: &'static str,
    pub times_in_utc: &'static str,
    /// Monday first.
    pub weekdays: [&'static str; 7],
    pub months: [&'static str; 12],
    /// `{weekday}`, `{day}`, `{month}`, `{year}`.
    pub date_format: &'static str,
    pub keys_hint: &'static str,
    pub format_hint: &'static str,
    pub chars_left: &'static str,
    pub chars_over: &'static str,
    pub new_messages: &'static str,
    pub new_since: &'static str,
    pub sending: &'static str,
    pub waiting: &'static str,
    pub not_sent: &'static str,
    pub typing_one: &'static str,
    pub typing_two: &'static str,
    pub typing_many: &'static str,
    pub notify_label: &'static str,
    pub notify_off: &'static str,
    pub notify_mentions: &'static str,
    pub notify_all: &'static str,
    pub sound_label: &'static str,
    pub unread_title: &'static str,
    pub room_name_label: &'static str,
    pub topic_label: &'static str,
    pub optional: &'static str,
    pub renamed_notice: &'static str,
    pub unnamed_notice: &'static str,
    pub topic_notice: &'static str,
    pub topic_cleared_notice: &'static str,
    pub owner_notice: &'static str,
    pub started_by: &'static str,
    pub online_now: &'static str,
    pub room_settings: &'static str,
    pub save: &'static str,
    pub owner_badge: &'static str,
    pub transcript_made: &'static str,
    pub download_label: &'static str,
    pub download_text: &'static str,
    pub download_json: &'static str,
    pub qr_label: &'static str,
    pub share_button: &'static str,
}

static EN: Ui = Ui {
    lang: "en",
    tagline: "Share a link, start chatting.",
    create_heading: "Start a chat room",
    your_name: "Your name",
    name_hint: "Up to 32 characters. Others in the room see it.",
    create_button: "Create room",
    point_no_signup: "No sign-up, no app: just a name.",
    point_link: "You get a link. Whoever opens it can join.",
    point_anywhere: "Works on any phone or computer, even with JavaScript off.",
    invited_heading: "You're invited to a chat",
    members_count: "{n} members",
    members_one: "1 member",
    online_count: "{n} online",
    join_button: "Join the room",
    share_label: "Invite people with this link",
    copy: "Copy link",
    copied: "Copied",
    people: "People",
    online: "online",
    offline: "away",
    you: "(you)",
    messages_label: "Messages",
    message_label: "Message",
    message_placeholder: "Write a message…",
    send: "Send",
    leave: "Leave room",
    room: "Room",
    expiry_note: "Rooms are deleted {ttl} after everyone has gone.",
    idle_expires: "No one is online. This room will be deleted at {time} unless someone comes back.",
    history_truncated: "Earlier messages are no longer kept.",
    empty_room: "No messages yet. Say hello!",
    joined_notice: "{name} joined",
    left_notice: "{name} left the room",
    status_connecting: "Connecting…",
    status_live: "Live",
    status_reconnecting: "Reconnecting…",
    status_closed: "Disconnected — reload the page",
    status_nojs: "Updates every few seconds",
    unsent: "Not sent yet: it will be sent when the connection is back.",
    not_found_heading: "Room not found",
    error_heading: "Something went wrong",
    start_new: "Start a new room",
    rejoin: "Join again",
    try_again: "Try again",
    other_lang_label: "한국어",
    other_lang_code: "ko",
    footer: "c2c — self-hosted chat rooms you share with a link.",
    request_id: "Request id:",
    times_in_utc: "Times are shown in UTC.",
    weekdays: ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    months: [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    date_format: "{weekday}, {day} {month} {year}",
    keys_hint: "Enter sends, Shift+Enter starts a new line.",
    format_hint: "**bold**, *italic*, `code`, ```code block```, > quote, ~~strike~~",
    chars_left: "{n} characters left",
    chars_over: "{n} characters too many",
    new_messages: "New messages",
    new_since: "New since you left",
    sending: "Sending…",
    waiting: "Sending in {n} s (you are sending quickly)",
    not_sent: "Not sent",
    typing_one: "{name} is typing…",
    typing_two: "{a} and {b} are typing…",
    typing_many: "Several people are typing…",
    notify_label: "Notify me",
    notify_off: "Never",
    notify_mentions: "When mentioned",
    notify_all: "For every message",
    sound_label: "Sound",
    unread_title: "({n}) {title}",
    room_name_label: "Room name",
    topic_label: "Topic",
    optional: "optional",
    renamed_notice: "{name} named the room “{title}”",
    unnamed_notice: "{name} removed the room's name",
    topic_notice: "{name} set the topic: {title}",
    topic_cleared_notice: "{name} removed the topic",
    owner_notice: "{name} is now the room's owner",
    started_by: "Started by {name}",
    online_now: "Online now: {names}",
    room_settings: "Room name and topic",
    save: "Save",
    owner_badge: "owner",
    transcript_made: "Saved {time}",
    download_label: "Keep the conversation",
    download_text: "Download as text",
    download_json: "JSON",
    qr_label: "QR code of the link to this room",
    share_button: "Share…",
};

static KO: Ui = Ui {
    lang: "ko",
    tagline: "링크를 공유하고 바로 대화하세요.",
    create_heading: "채팅방 만들기",
    your_name: "이름",
    name_hint: "최대 32자. 채팅방의 다른 사람에게 보입니다.",
    create_button: "채팅방 만들기",
    point_no_signup: "가입도 앱도 필요 없습니다. 이름만 있으면 됩니다.",
    point_link: "링크를 받으면, 링크를 연 누구나 참여할 수 있습니다.",
    point_anywhere: "휴대폰과 컴퓨터 어디서나, 자바스크립트 없이도 동작합니다.",
    invited_heading: "채팅에 초대받았습니다",
    members_count: "멤버 {n}명",
    members_one: "멤버 1명",
    online_count: "{n}명 접속 중",
    join_button: "채팅방 참여하기",
    share_label: "이 링크로 초대하세요",
    copy: "링크 복사",
    copied: "복사했습니다",
    people: "사람들",
    online: "접속 중",
    offline: "자리 비움",
    you: "(나)",
    messages_label: "메시지",
    message_label: "메시지",
    message_placeholder: "메시지를 입력하세요…",
    send: "보내기",
    leave: "나가기",
    room: "채팅방",
    expiry_note: "모두 나간 뒤 {ttl}이 지나면 채팅방이 삭제됩니다.",
    idle_expires: "접속한 사람이 없습니다. 아무도 돌아오지 않으면 {time}에 채팅방이 삭제됩니다.",
    history_truncated: "이전 메시지는 더 이상 보관되지 않습니다.",
    empty_room: "아직 메시지가 없습니다. 먼저 인사해 보세요!",
    joined_notice: "{name} 님이 들어왔습니다",
    left_notice: "{name} 님이 채팅방을 나갔습니다",
    status_connecting: "연결 중…",
    status_live: "실시간",
    status_reconnecting: "다시 연결 중…",
    status_closed: "연결이 끊어졌습니다 — 페이지를 새로 고치세요",
    status_nojs: "몇 초마다 새로 고침",
    unsent: "아직 보내지 못했습니다. 연결되면 보냅니다.",
    not_found_heading: "채팅방을 찾을 수 없습니다",
    error_heading: "문제가 발생했습니다",
    start_new: "새 채팅방 만들기",
    rejoin: "다시 참여하기",
    try_again: "다시 시도",
    other_lang_label: "English",
    other_lang_code: "en",
    footer: "c2c — 링크로 공유하는 자체 호스팅 채팅방.",
    request_id: "요청 ID:",
    times_in_utc: "시간은 UTC 기준입니다.",
    weekdays: ["월요일", "화요일", "수요일", "목요일", "금요일", "토요일", "일요일"],
    months: ["1월", "2월", "3월", "4월", "5월", "6월", "7월", "8월", "9월", "10월", "11월", "12월"],
    date_format: "{year}년 {month} {day}일 {weekday}",
    keys_hint: "Enter로 보내고 Shift+Enter로 줄을 바꿉니다.",
    format_hint: "**굵게**, *기울임*, `코드`, ```코드 블록```, > 인용, ~~취소선~~",
    chars_left: "{n}자 남음",
    chars_over: "{n}자 초과",
    new_messages: "새 메시지",
    new_since: "여기부터 새 메시지",
    sending: "보내는 중…",
    waiting: "{n}초 뒤에 보냅니다 (너무 빨리 보내고 있습니다)",
    not_sent: "보내지 못함",
    typing_one: "{name} 님이 입력 중…",
    typing_two: "{a} 님과 {b} 님이 입력 중…",
    typing_many: "여러 사람이 입력 중…",
    notify_label: "알림",
    notify_off: "받지 않음",
    notify_mentions: "나를 언급할 때",
    notify_all: "모든 메시지",
    sound_label: "소리",
    unread_title: "({n}) {title}",
    room_name_label: "채팅방 이름",
    topic_label: "주제",
    optional: "선택",
    renamed_notice: "{name} 님이 채팅방 이름을 “{title}”(으)로 정했습니다",
    unnamed_notice: "{name} 님이 채팅방 이름을 지웠습니다",
    topic_notice: "{name} 님이 주제를 정했습니다: {title}",
    topic_cleared_notice: "{name} 님이 주제를 지웠습니다",
    owner_notice: "이제 {name} 님이 채팅방 주인입니다",
    started_by: "{name} 님이 만든 채팅방",
    online_now: "지금 접속 중: {names}",
    room_settings: "채팅방 이름과 주제",
    save: "저장",
    owner_badge: "주인",
    transcript_made: "{time}에 저장함",
    download_label: "대화 보관하기",
    download_text: "텍스트로 내려받기",
    download_json: "JSON",
    qr_label: "이 채팅방 링크의 QR 코드",
    share_button: "공유…",
};

/// Replaces `{key}` in `template` with `value`.
pub fn fill(template: &str, key: &str, value: &str) -> String {
    template.replace(&format!("{{{key}}}"), value)
}

/// A duration for people: `24 hours`, `30 minutes`, `7 days` (or `24시간` …).
pub fn human_duration(d: std::time::Duration, lang: UiLang) -> String {
    let secs = d.as_secs();
    let (n, en_unit, ko_unit) = if secs.is_multiple_of(86_400) && secs >= 86_400 * 2 {
        (secs / 86_400, "days", "일")
    } else if secs.is_multiple_of(3600) && secs >= 3600 {
        (secs / 3600, if secs == 3600 { "hour" } else { "hours" }, "시간")
    } else if secs.is_multiple_of(60) && secs >= 60 {
        (secs / 60, if secs == 60 { "minute" } else { "minutes" }, "분")
    } else {
        (secs, if secs == 1 { "second" } else { "seconds" }, "초")
    };
    match lang {
        UiLang::En => format!("{n} {en_unit}"),
        UiLang::Ko => format!("{n}{ko_unit}"),
    }
}
