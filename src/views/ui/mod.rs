//! The interface's own words in each supported language. Error messages come from the
//! catalogue (`error_info`); these are the labels around them, compiled in.

use crate::catalog::Locales;

mod en;
mod ko;

use en::EN;
use ko::KO;

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
    pub earlier_messages: &'static str,
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
    pub locked_notice: &'static str,
    pub unlocked_notice: &'static str,
    pub removed_notice: &'static str,
    pub locked_badge: &'static str,
    pub lock_button: &'static str,
    pub unlock_button: &'static str,
    pub remove_button: &'static str,
    pub end_button: &'static str,
    pub end_confirm: &'static str,
    pub owner_tools: &'static str,
    /// Shown after a message its author edited.
    pub edited: &'static str,
    /// What remains of a deleted message.
    pub message_deleted: &'static str,
    /// The label of a message's actions link.
    pub message_actions: &'static str,
    /// Answer a message.
    pub reply: &'static str,
    /// Add a reaction.
    pub react: &'static str,
    /// Edit a message.
    pub edit: &'static str,
    /// Delete a message.
    pub delete: &'static str,
    /// Cancel what is being done.
    pub cancel: &'static str,
    /// Above the composer while answering `{name}`.
    pub replying_to: &'static str,
    /// The field for any emoji besides the palette.
    pub other_emoji: &'static str,
    /// Asked before a message is deleted.
    pub delete_confirm: &'static str,
    /// Until when its author may edit a message (`{time}`).
    pub edit_until: &'static str,
    /// A link back to the chat.
    pub back_to_room: &'static str,
    /// The heading of a message's own page.
    pub message_heading: &'static str,
}

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
