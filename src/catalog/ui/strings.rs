//! Every word readers see (the translators' page's own are in `translator_strings.rs`): its key,
//! where it shows (the group), a note for translators, and its English and Korean text
//! (docs/translating.md). Placeholders in braces (`{name}`)
//! are filled by the code; a translation keeps them.

use super::{Language, Text, UiKey};

with_translator_strings! {
    page {
        /// This language's name in itself, as the language menu lists it (English, 한국어, 日本語).
        language_name: "English" / "한국어",
        /// Accessible name of the language menu in the top bar.
        language_label: "Language" / "언어",
        /// The footer of every page.
        footer: "c2c — self-hosted chat rooms you share with a link." / "c2c — 링크로 공유하는 자체 호스팅 채팅방.",
    }
    home {
        /// The start page's subtitle under the product name.
        tagline: "Share a link, start chatting." / "링크를 공유하고 바로 대화하세요.",
        /// Label of the display-name field (start and invite pages).
        your_name: "Your name" / "이름",
        /// Help under the name field; {max} is the longest name allowed.
        name_hint: "Up to {max} characters. Others in the room see it." / "최대 {max}자. 채팅방의 다른 사람에게 보입니다.",
        /// Button that creates the room.
        create_button: "Create room" / "채팅방 만들기",
        /// First selling point on the start page.
        point_no_signup: "No sign-up, no app: just a name." / "가입도 앱도 필요 없습니다. 이름만 있으면 됩니다.",
        /// Second selling point on the start page.
        point_link: "You get a link. Whoever opens it can join." / "링크를 받으면, 링크를 연 누구나 참여할 수 있습니다.",
        /// Third selling point on the start page.
        point_anywhere: "Works on any phone or computer, even with JavaScript off." / "휴대폰과 컴퓨터 어디서나, 자바스크립트 없이도 동작합니다.",
        /// After the labels of fields that may stay empty.
        optional: "optional" / "선택",
    }
    invite {
        /// Heading of the page a shared link opens; also the link preview's title for unnamed rooms.
        invited_heading: "You're invited to a chat" / "채팅에 초대받았습니다",
        /// How many members a room has ({n}, with plural forms).
        members_count: "{n, plural, one {# member} other {# members}}" / "멤버 {n}명",
        /// How many members are online now ({n}).
        online_count: "{n} online" / "{n}명 접속 중",
        /// Button that joins the room.
        join_button: "Join the room" / "채팅방 참여하기",
        /// Who created the room, on the invite page; {name}.
        started_by: "Started by {name}" / "{name} 님이 만든 채팅방",
        /// Who is online now, on the invite page; {names} is a list of names.
        online_now: "Online now: {names}" / "지금 접속 중: {names}",
        /// Shown on the invite page and sidebar while the room is locked.
        locked_badge: "This room is locked: no one new can join it right now." / "잠긴 채팅방입니다. 지금은 새로 참여할 수 없습니다.",
    }
    chat {
        /// Label above the room's link in the chat page's sidebar.
        share_label: "Invite people with this link" / "이 링크로 초대하세요",
        /// Button that copies the room's link.
        copy: "Copy link" / "링크 복사",
        /// The copy button's label for a moment after copying.
        copied: "Copied" / "복사했습니다",
        /// Heading of the member list.
        people: "People" / "사람들",
        /// Last line of a big room's member list (it shows up to 100 members online): how many it leaves out ({n}, with plural forms).
        members_more: "{n, plural, one {and # more member} other {and # more members}}" / "외 {n}명",
        /// A member's state in the member list: connected now.
        online: "online" / "접속 중",
        /// A member's state in the member list: not connected now.
        offline: "away" / "자리 비움",
        /// After your own name in the member list.
        you: "(you)" / "(나)",
        /// Accessible name of the message list (read by screen readers).
        messages_label: "Messages" / "메시지",
        /// Button that leaves the room for good.
        leave: "Leave room" / "나가기",
        /// The word before a room's id when it has no name ("Room X2ALck…").
        room: "Room" / "채팅방",
        /// Sidebar note on how long rooms live; {ttl} is a duration like "24 hours".
        expiry_note: "Rooms are deleted {ttl} after everyone has gone." / "모두 나간 뒤 {ttl}이 지나면 채팅방이 삭제됩니다.",
        /// Shown while no one is online; {time} is when the room will be deleted.
        idle_expires: "No one is online. This room will be deleted at {time} unless someone comes back." / "접속한 사람이 없습니다. 아무도 돌아오지 않으면 {time}에 채팅방이 삭제됩니다.",
        /// Heading line of a downloaded transcript; {time} is when it was made.
        transcript_made: "Saved {time}" / "{time}에 저장함",
        /// Sidebar heading of the transcript downloads.
        download_label: "Keep the conversation" / "대화 보관하기",
        /// Link that downloads the conversation as text.
        download_text: "Download as text" / "텍스트로 내려받기",
        /// Link that downloads the conversation as JSON.
        download_json: "JSON" / "JSON",
        /// Accessible description of the QR code of the room's link.
        qr_label: "QR code of the link to this room" / "이 채팅방 링크의 QR 코드",
        /// Button that opens the device's share sheet (phones).
        share_button: "Share…" / "공유…",
    }
    composer {
        /// Accessible name of the message field.
        message_label: "Message" / "메시지",
        /// Grey hint inside the empty message field.
        message_placeholder: "Write a message…" / "메시지를 입력하세요…",
        /// Button that sends a message.
        send: "Send" / "보내기",
        /// Hint under the message field (with JavaScript).
        keys_hint: "Enter sends, Shift+Enter starts a new line." / "Enter로 보내고 Shift+Enter로 줄을 바꿉니다.",
        /// Hint under the message field: the formatting people can use. Keep the symbols.
        format_hint: "**bold**, *italic*, `code`, ```code block```, > quote, ~~strike~~" / "**굵게**, *기울임*, `코드`, ```코드 블록```, > 인용, ~~취소선~~",
        /// Counter near the length limit; {n} characters left.
        chars_left: "{n, plural, one {# character left} other {# characters left}}" / "{n}자 남음",
        /// Counter past the length limit; {n} characters too many.
        chars_over: "{n, plural, one {# character too many} other {# characters too many}}" / "{n}자 초과",
        /// Under a message on its way to the server.
        sending: "Sending…" / "보내는 중…",
        /// Under a message held back by the rate limit; {n} seconds.
        waiting: "Sending in {n} s (you are sending quickly)" / "{n}초 뒤에 보냅니다 (너무 빨리 보내고 있습니다)",
        /// Under a message that could not be sent.
        not_sent: "Not sent" / "보내지 못함",
        /// Under the log: {name} is typing.
        typing_one: "{name} is typing…" / "{name} 님이 입력 중…",
        /// Under the log: two people ({a}, {b}) are typing.
        typing_two: "{a} and {b} are typing…" / "{a} 님과 {b} 님이 입력 중…",
        /// Under the log: three or more people are typing.
        typing_many: "Several people are typing…" / "여러 사람이 입력 중…",
        /// Above the message field while answering {name}.
        replying_to: "Replying to {name}" / "{name} 님에게 답장",
    }
    messages {
        /// Top of the log when older messages were dropped.
        history_truncated: "Earlier messages are no longer kept." / "이전 메시지는 더 이상 보관되지 않습니다.",
        /// Link at the top of the log that loads older messages.
        earlier_messages: "Earlier messages" / "이전 메시지 보기",
        /// The log of a room without messages.
        empty_room: "No messages yet. Say hello!" / "아직 메시지가 없습니다. 먼저 인사해 보세요!",
        /// Top of the log when the reader's time zone is not known yet.
        times_in_utc: "Times are shown in UTC." / "시간은 UTC 기준입니다.",
        /// Button that jumps to new messages below.
        new_messages: "New messages" / "새 메시지",
        /// After a message its author edited.
        edited: "(edited)" / "(수정됨)",
        /// What remains of a deleted message.
        message_deleted: "This message was deleted." / "삭제된 메시지입니다.",
        /// Accessible name of a message's "⋯" (its actions).
        message_actions: "Reply, react, edit or delete" / "답장, 반응, 수정 또는 삭제",
        /// Action: answer a message; also the reply form's button.
        reply: "Reply" / "답장",
        /// Action: add a reaction (an emoji).
        react: "React" / "반응",
        /// Action: edit your message.
        edit: "Edit" / "수정",
        /// Action: delete a message.
        delete: "Delete" / "삭제",
        /// Button that cancels an edit or a reply.
        cancel: "Cancel" / "취소",
        /// Field for any emoji besides the offered ones.
        other_emoji: "Another emoji" / "다른 이모지",
        /// Asked before a message is deleted.
        delete_confirm: "Delete this message for everyone?" / "모두에게서 이 메시지를 삭제할까요?",
        /// On a message's page: its author may edit it until {time}.
        edit_until: "You can edit it until {time}." / "{time}까지 수정할 수 있습니다.",
        /// Link from a message's page back to the chat.
        back_to_room: "Back to the room" / "채팅방으로 돌아가기",
        /// Heading of a message's own page.
        message_heading: "Message" / "메시지",
    }
    notices {
        /// A line in the log: {name} joined the room.
        joined_notice: "{name} joined" / "{name} 님이 들어왔습니다",
        /// A line in the log: {name} left the room for good.
        left_notice: "{name} left the room" / "{name} 님이 채팅방을 나갔습니다",
        /// A line in the log: {name} renamed the room to {title}.
        renamed_notice: "{name} named the room “{title}”" / "{name} 님이 채팅방 이름을 “{title}”(으)로 정했습니다",
        /// A line in the log: {name} removed the room's name.
        unnamed_notice: "{name} removed the room's name" / "{name} 님이 채팅방 이름을 지웠습니다",
        /// A line in the log: {name} set the topic to {title}.
        topic_notice: "{name} set the topic: {title}" / "{name} 님이 주제를 정했습니다: {title}",
        /// A line in the log: {name} removed the topic.
        topic_cleared_notice: "{name} removed the topic" / "{name} 님이 주제를 지웠습니다",
        /// A line in the log: {name} became the owner (the owner before left).
        owner_notice: "{name} is now the room's owner" / "이제 {name} 님이 채팅방 주인입니다",
        /// A line in the log: {name} locked the room.
        locked_notice: "{name} locked the room: no one new can join" / "{name} 님이 채팅방을 잠갔습니다. 새로 참여할 수 없습니다",
        /// A line in the log: {name} unlocked the room.
        unlocked_notice: "{name} unlocked the room" / "{name} 님이 채팅방 잠금을 풀었습니다",
        /// A line in the log: the owner {title} removed {name}.
        removed_notice: "{title} removed {name} from the room" / "{title} 님이 {name} 님을 내보냈습니다",
    }
    status {
        /// Connection indicator while the page first connects.
        status_connecting: "Connecting…" / "연결 중…",
        /// Connection indicator while messages arrive live.
        status_live: "Live" / "실시간",
        /// Connection indicator while the connection is being restored.
        status_reconnecting: "Reconnecting…" / "다시 연결 중…",
        /// Connection indicator when the connection ended for good.
        status_closed: "Disconnected — reload the page" / "연결이 끊어졌습니다 — 페이지를 새로 고치세요",
        /// Connection indicator without JavaScript (the log reloads itself).
        status_nojs: "Updates every few seconds" / "몇 초마다 새로 고침",
        /// Connection indicator while typed messages wait for the connection.
        unsent: "Not sent yet: it will be sent when the connection is back." / "아직 보내지 못했습니다. 연결되면 보냅니다.",
    }
    errors {
        /// Heading of the page for a room that does not exist or expired.
        not_found_heading: "Room not found" / "채팅방을 찾을 수 없습니다",
        /// Heading of every other error page.
        error_heading: "Something went wrong" / "문제가 발생했습니다",
        /// Button on error pages that starts a new room.
        start_new: "Start a new room" / "새 채팅방 만들기",
        /// Button that joins a room again after a session ended.
        rejoin: "Join again" / "다시 참여하기",
        /// Button on error pages that goes back to the start.
        try_again: "Try again" / "다시 시도",
        /// Before the request's id on error pages, for reports to the operator.
        request_id: "Request id:" / "요청 ID:",
    }
    dates {
        /// A day of the week, as in day separators (Monday).
        weekday_mon: "Monday" / "월요일",
        /// A day of the week, as in day separators (Tuesday).
        weekday_tue: "Tuesday" / "화요일",
        /// A day of the week, as in day separators (Wednesday).
        weekday_wed: "Wednesday" / "수요일",
        /// A day of the week, as in day separators (Thursday).
        weekday_thu: "Thursday" / "목요일",
        /// A day of the week, as in day separators (Friday).
        weekday_fri: "Friday" / "금요일",
        /// A day of the week, as in day separators (Saturday).
        weekday_sat: "Saturday" / "토요일",
        /// A day of the week, as in day separators (Sunday).
        weekday_sun: "Sunday" / "일요일",
        /// A month, as in day separators (January).
        month_jan: "January" / "1월",
        /// A month, as in day separators (February).
        month_feb: "February" / "2월",
        /// A month, as in day separators (March).
        month_mar: "March" / "3월",
        /// A month, as in day separators (April).
        month_apr: "April" / "4월",
        /// A month, as in day separators (May).
        month_may: "May" / "5월",
        /// A month, as in day separators (June).
        month_jun: "June" / "6월",
        /// A month, as in day separators (July).
        month_jul: "July" / "7월",
        /// A month, as in day separators (August).
        month_aug: "August" / "8월",
        /// A month, as in day separators (September).
        month_sep: "September" / "9월",
        /// A month, as in day separators (October).
        month_oct: "October" / "10월",
        /// A month, as in day separators (November).
        month_nov: "November" / "11월",
        /// A month, as in day separators (December).
        month_dec: "December" / "12월",
        /// A duration in seconds ({n}, with plural forms), as in "try again in 30 seconds".
        duration_seconds: "{n, plural, one {# second} other {# seconds}}" / "{n}초",
        /// A duration in minutes ({n}, with plural forms).
        duration_minutes: "{n, plural, one {# minute} other {# minutes}}" / "{n}분",
        /// A duration in hours ({n}, with plural forms), as in "rooms are deleted 24 hours after…".
        duration_hours: "{n, plural, one {# hour} other {# hours}}" / "{n}시간",
        /// A duration in days ({n}, with plural forms).
        duration_days: "{n, plural, one {# day} other {# days}}" / "{n}일",
        /// A time zone as shown after times ({offset}: empty for UTC itself, else like +09:00).
        zone_format: "UTC{offset}" / "UTC{offset}",
        /// A day separator in the log: {weekday}, {day}, {month}, {year}.
        date_format: "{weekday}, {day} {month} {year}" / "{year}년 {month} {day}일 {weekday}",
    }
    notify {
        /// Divider above the messages that arrived while the tab was hidden.
        new_since: "New since you left" / "여기부터 새 메시지",
        /// Label of the notification setting in the sidebar.
        notify_label: "Notify me" / "알림",
        /// Notification setting: never.
        notify_off: "Never" / "받지 않음",
        /// Notification setting: only when someone mentions you.
        notify_mentions: "When mentioned" / "나를 언급할 때",
        /// Notification setting: for every message.
        notify_all: "For every message" / "모든 메시지",
        /// Checkbox that plays a sound for notifications.
        sound_label: "Sound" / "소리",
        /// The tab's title while messages are unread: {n} unread, {title} the page's title.
        unread_title: "({n}) {title}" / "({n}) {title}",
    }
    owner {
        /// Label of the room-name field (start page and owner settings).
        room_name_label: "Room name" / "채팅방 이름",
        /// Label of the topic field (start page, owner settings, transcript).
        topic_label: "Topic" / "주제",
        /// The owner's settings section in the sidebar.
        room_settings: "Room name and topic" / "채팅방 이름과 주제",
        /// Button that saves a form (owner settings, message edits).
        save: "Save" / "저장",
        /// Owner's button that locks the room.
        lock_button: "Lock the room" / "채팅방 잠그기",
        /// Owner's button that unlocks the room.
        unlock_button: "Unlock the room" / "잠금 풀기",
        /// Owner's button that removes the chosen member.
        remove_button: "Remove" / "내보내기",
        /// Owner's button that ends (deletes) the room for everyone.
        end_button: "End the room for everyone" / "모두에게 채팅방 닫기",
        /// Warning above the button that ends the room.
        end_confirm: "This deletes the room and its history for everyone, now." / "채팅방과 대화 기록이 모두에게서 지금 바로 삭제됩니다.",
    }
}
